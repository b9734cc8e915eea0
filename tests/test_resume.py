"""Kill-safe training: kg.callbacks.BackupAndRestore resumes exactly.

A subprocess trains a tiny game with checkpoints every 2 batches and SIGKILLs
itself after a random batch, mid-epoch; a second process resumes from the
checkpoint folder and finishes. Every state variable (both players, both
optimizers with EMA and iteration counts, the image pools, RNG state, metric
accumulators) must equal the uninterrupted run's, to 1e-6 on the same backend
and 1e-4 when the resume runs on another backend.
"""

import json
import os
import random
import subprocess
import sys
import warnings

import keras
import numpy as np
import pytest

import keras_gans as kg
import resume_worker
from conftest import BACKENDS, REPO
from keras_gans import checkpoint

WORKER = REPO / "tests" / "resume_worker.py"


def _run_worker(backend, *args, expect_kill=False):
    # the checkout's keras_gans (the one under test), whatever an installed copy is
    env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests")]),
           "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = subprocess.run([sys.executable, str(WORKER), *map(str, args)], env=env, capture_output=True,
                          text=True, timeout=600)
    if expect_kill:
        assert proc.returncode == -9, f"worker was not killed (rc {proc.returncode}):\n{proc.stderr[-3000:]}"
    elif proc.returncode != 0:
        raise AssertionError(f"[{backend}] worker failed:\n{proc.stderr[-4000:]}")


def _compare(reference, npz_path, tol):
    got = np.load(npz_path)
    assert sorted(got.files) == sorted(reference), "the resumed run holds other variables"
    worst, where = 0.0, None
    for key, want in reference.items():
        have = got[key]
        assert have.shape == want.shape, key
        d = float(np.max(np.abs(have.astype(np.float64) - want.astype(np.float64)))) if want.size else 0.0
        if d > worst:
            worst, where = d, key
    assert worst <= tol, f"resumed run differs from the uninterrupted one by {worst:.3g} at {where}"
    return worst


GAMES = ["gan", "wgan_gp", "cyclegan", "srgan", "pix2pix"]


@pytest.fixture(scope="module")
def killed_and_resumed(tmp_path_factory):
    """Each game is SIGKILLed after a random batch, mid-epoch, between two
    checkpoints, and resumed by the next process (one process per kill:
    process k resumes game k-1, then is killed in game k)."""
    backend = keras.backend.backend()
    folder = tmp_path_factory.mktemp("resume")
    rng = random.Random()
    kills = {}
    for game in GAMES:
        n = resume_worker.total_steps(game)
        k = rng.randrange(3, n - 1)  # any batch; reported on failure
        kills[game] = k + 1 if k % resume_worker.SAVE_FREQ == 0 else k  # between checkpoints
    for game in GAMES:
        _run_worker(backend, ",".join(GAMES), folder, "--kill", f"{game}:{kills[game]}", expect_kill=True)
        saved = checkpoint.list_checkpoints(folder / f"{game}_backup")
        assert saved, f"{game}: no checkpoint was written before the kill at batch {kills[game]}"
        meta = json.loads(saved[0][1].read_text())
        assert 0 <= meta["step"] <= meta["steps_per_epoch"], meta
    _run_worker(backend, ",".join(GAMES), folder)  # resumes the last one and finishes
    return folder, kills


@pytest.mark.parametrize("game", GAMES)
def test_sigkill_mid_epoch_then_resume_equals_uninterrupted(game, killed_and_resumed, tmp_path):
    folder, kills = killed_and_resumed
    reference = resume_worker.state(resume_worker.train(game, tmp_path / "ref"))
    assert not (tmp_path / "ref").exists(), "the finished run's checkpoints were not deleted"
    worst = _compare(reference, folder / f"{game}.npz", 1e-6)
    print(f"{game}: killed after batch {kills[game]}/{resume_worker.total_steps(game)}, resumed; "
          f"max |diff| {worst:.2g}")


def test_resume_on_another_backend(backend_name, tmp_path):
    """Killed on this backend, resumed on the next one (the three pairs over
    the suite's three runs). SRResNet training draws no random numbers, so
    the runs must agree to float tolerance. (Random streams differ between
    backends, so a game that draws noise continues, after a cross-backend
    resume, with another sequence of noise; and the tiny SRGAN critic's batch
    norm over 2 samples at 1x1 amplifies float differences, so it is not a
    fair yardstick here.)"""
    other = BACKENDS[(BACKENDS.index(backend_name) + 1) % len(BACKENDS)]
    reference = resume_worker.state(resume_worker.train("srresnet", tmp_path / "ref"))
    _run_worker(backend_name, "srresnet", tmp_path, "--kill", "srresnet:7", expect_kill=True)
    _run_worker(other, "srresnet", tmp_path)
    _compare(reference, tmp_path / "srresnet.npz", 1e-4)


def _tiny_gan(g_lr=1e-2):
    keras.utils.set_random_seed(0)
    g = kg.architectures.mlp_generator(2, 2, (8,))
    d = kg.architectures.mlp_discriminator(2, (8,))
    m = kg.GAN(g, d, latent_dim=2, seed=0)
    m.compile(g_optimizer=keras.optimizers.Adam(g_lr, use_ema=True, ema_momentum=0.8),
              d_optimizer=keras.optimizers.Adam(1e-2))
    return m


def _values(m):
    return [np.array(keras.ops.convert_to_numpy(v)) for _, v in checkpoint.state_variables(m)]


def test_corrupt_newest_checkpoint_is_named_and_the_previous_one_used(tmp_path):
    m = _tiny_gan()
    x = np.random.default_rng(0).normal(size=(16, 2)).astype("float32")
    checkpoint.save(m, tmp_path, {"epoch": 0, "step": 1, "steps_per_epoch": 2})
    first = _values(m)
    m.fit(x, batch_size=8, epochs=1, verbose=0)
    checkpoint.save(m, tmp_path, {"epoch": 1, "step": 0, "steps_per_epoch": 2})
    newest = tmp_path / "ckpt-000002.h5"
    newest.write_bytes(newest.read_bytes()[: newest.stat().st_size // 2])  # truncated
    fresh = _tiny_gan()
    fresh.fit(x, batch_size=8, epochs=1, verbose=0)  # move it away from the checkpoint
    with pytest.warns(UserWarning, match="ckpt-000002.h5"):
        meta = checkpoint.restore(fresh, tmp_path)
    assert meta["index"] == 1 and meta["step"] == 1
    for a, b in zip(first, _values(fresh)):
        np.testing.assert_array_equal(a, b)


def test_resume_with_a_new_learning_rate_schedule_keeps_weights_and_moments(tmp_path):
    """A run resumed with a schedule where it had a constant rate (the
    srresnet recipe's --lr-milestones): everything but the stored rate is
    restored; the rate is the new schedule's, at the restored step."""
    m = _tiny_gan()
    x = np.random.default_rng(0).normal(size=(16, 2)).astype("float32")
    m.fit(x, batch_size=8, epochs=2, verbose=0)
    checkpoint.save(m, tmp_path, {"epoch": 2, "step": 0, "steps_per_epoch": 2})
    is_rate = lambda v: v.path.endswith("/learning_rate")  # noqa: E731
    stored = [(v.path, np.array(keras.ops.convert_to_numpy(v))) for _, v in checkpoint.state_variables(m)]
    assert sum(p.endswith("/learning_rate") for p, _ in stored) == 2  # constant rates are variables
    schedule = keras.optimizers.schedules.PiecewiseConstantDecay([3], [1e-2, 1e-3])
    fresh = _tiny_gan(g_lr=schedule)
    fresh.fit(x, batch_size=8, epochs=1, verbose=0)  # build its optimizer state, away from the checkpoint
    assert len(checkpoint.state_variables(fresh)) == len(stored) - 1  # the schedule has no variable
    checkpoint.restore(fresh, tmp_path)
    ours = [v for _, v in checkpoint.state_variables(fresh) if not is_rate(v)]
    theirs = [(p, a) for p, a in stored if not p.endswith("/learning_rate")]
    assert len(ours) == len(theirs)
    for v, (path, a) in zip(ours, theirs):
        np.testing.assert_array_equal(np.array(keras.ops.convert_to_numpy(v)), a, err_msg=path)
    assert int(keras.ops.convert_to_numpy(fresh.g_optimizer.iterations)) == 4
    assert float(keras.ops.convert_to_numpy(fresh.g_optimizer.learning_rate)) == pytest.approx(1e-3)
    # any other difference is still refused
    keras.utils.set_random_seed(0)
    plain = kg.GAN(kg.architectures.mlp_generator(2, 2, (8,)), kg.architectures.mlp_discriminator(2, (8,)), latent_dim=2)
    plain.compile(g_optimizer=keras.optimizers.Adam(schedule), d_optimizer=keras.optimizers.Adam(1e-2))
    plain.fit(x, batch_size=8, epochs=1, verbose=0)
    with pytest.raises(checkpoint.CheckpointError, match="another game or architecture"):
        checkpoint.restore(plain, tmp_path)  # no EMA copies: a real mismatch


def test_no_usable_checkpoint_stops_with_a_clear_error(tmp_path):
    m = _tiny_gan()
    checkpoint.save(m, tmp_path, {"epoch": 0, "step": 1, "steps_per_epoch": 2})
    h5 = tmp_path / "ckpt-000001.h5"
    data = bytearray(h5.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte
    h5.write_bytes(bytes(data))
    cb = kg.callbacks.BackupAndRestore(tmp_path)
    x = np.zeros((8, 2), "float32")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(checkpoint.CheckpointError, match="(?s)none can be used.*ckpt-000001.h5.*not restarted"):
            m.fit(x, batch_size=8, epochs=1, verbose=0, callbacks=[cb])


def test_checkpoint_of_another_game_is_refused(tmp_path):
    m = _tiny_gan()
    checkpoint.save(m, tmp_path, {"epoch": 0, "step": 0, "steps_per_epoch": 2})
    keras.utils.set_random_seed(0)
    other = kg.GAN(kg.architectures.mlp_generator(2, 2, (16,)), kg.architectures.mlp_discriminator(2, (8,)),
                   latent_dim=2)
    other.compile(g_optimizer=keras.optimizers.Adam(), d_optimizer=keras.optimizers.Adam())
    with pytest.raises(checkpoint.CheckpointError, match="another architecture|another game"):
        checkpoint.restore(other, tmp_path)


def test_checkpoint_write_is_atomic_and_keeps_two(tmp_path):
    m = _tiny_gan()
    for step in range(4):
        checkpoint.save(m, tmp_path, {"epoch": 0, "step": step, "steps_per_epoch": 9})
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["ckpt-000003.h5", "ckpt-000003.json", "ckpt-000004.h5", "ckpt-000004.json"]


def test_fit_applies_ema_like_keras(backend_name):
    """After fit, the generator holds the EMA of its trajectory (Keras' rule:
    avg_1 = w_1, avg_t = m avg_{t-1} + (1 - m) w_t)."""
    m = _tiny_gan()
    x = np.random.default_rng(1).normal(size=(40, 2)).astype("float32")
    trajectory = []

    class Record(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            trajectory.append([np.array(keras.ops.convert_to_numpy(v)) for v in self.model.generator.trainable_variables])

    m.fit(x, batch_size=8, epochs=2, verbose=0, callbacks=[Record()])
    assert len(trajectory) == 10
    ema = trajectory[0]
    for w in trajectory[1:]:
        ema = [0.8 * a + 0.2 * b for a, b in zip(ema, w)]
    got = [keras.ops.convert_to_numpy(v) for v in m.generator.trainable_variables]
    for a, b in zip(ema, got):
        np.testing.assert_allclose(b, a, atol=1e-6)
    assert max(float(np.abs(a - b).max()) for a, b in zip(trajectory[-1], got)) > 1e-4  # not the live weights


def test_time_limit_stops_keeps_a_checkpoint_and_the_same_call_finishes(tmp_path):
    m = _tiny_gan()
    x = np.random.default_rng(1).normal(size=(40, 2)).astype("float32")
    backup = tmp_path / "b"
    limit = kg.callbacks.TimeLimit(deadline=0)  # already past: stop after the first batch
    m.fit(x, batch_size=8, epochs=2, verbose=0, callbacks=[kg.callbacks.BackupAndRestore(backup, save_freq=100), limit])
    assert limit.reached
    (meta_path,) = [p for _, p in checkpoint.list_checkpoints(backup)]
    meta = json.loads(meta_path.read_text())
    assert (meta["epoch"], meta["step"]) == (0, 1)
    m2 = _tiny_gan()
    h = m2.fit(x, batch_size=8, epochs=2, verbose=0, callbacks=[kg.callbacks.BackupAndRestore(backup, save_freq=100)])
    assert int(keras.ops.convert_to_numpy(m2.g_optimizer.iterations)) == 10
    assert len(h.history["g_loss"]) == 2 and not backup.exists()


def test_progress_log_counts_on_from_the_resumed_step(tmp_path):
    m = _tiny_gan()
    x = np.random.default_rng(1).normal(size=(40, 2)).astype("float32")  # 5 batches of 8 per epoch
    backup = tmp_path / "b"
    limit = kg.callbacks.TimeLimit(deadline=0)
    m.fit(x, batch_size=8, epochs=2, verbose=0, callbacks=[kg.callbacks.BackupAndRestore(backup, save_freq=100), limit])
    lines = []
    log = kg.callbacks.ProgressLog(every=1e9, print_fn=lines.append)
    _tiny_gan().fit(x, batch_size=8, epochs=2, verbose=0,
                    callbacks=[kg.callbacks.BackupAndRestore(backup, save_freq=100), log])
    # resumed after step 1: the epoch-end lines say global steps 5 and 10, not 4 and 9
    assert [ln.split("]")[0] for ln in lines] == ["[step 5 epoch 1", "[step 10 epoch 2"], lines


def test_time_limit_spans_both_phases_of_a_resumed_fit(tmp_path):
    """A resumed game's fit runs Keras' fit twice (the interrupted epoch's
    rest, then the other epochs): the budget must not restart in between.
    (Found when a 6,200 s SR run went on past its limit.)"""
    import time

    m = _tiny_gan()
    x = np.random.default_rng(1).normal(size=(40, 2)).astype("float32")
    backup = tmp_path / "b"
    m.fit(x, batch_size=8, epochs=3, verbose=0, callbacks=[kg.callbacks.BackupAndRestore(backup, save_freq=100),
                                                          kg.callbacks.TimeLimit(deadline=0)])
    limit = kg.callbacks.TimeLimit(seconds=3600)
    phases = []

    class Phases(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            phases.append(limit.deadline)
            time.sleep(0.01)

    m2 = _tiny_gan()
    m2.fit(x, batch_size=8, epochs=3, verbose=0,
           callbacks=[kg.callbacks.BackupAndRestore(backup, save_freq=100), limit, Phases()])
    assert len(phases) == 2 and phases[0] == phases[1]
