"""CycleGAN game: one compiled step against a NumPy reference, the image pool's
semantics inside compiled functions, translate(), save/load, schedule, errors.

Tiny networks (filters=8, n_blocks=2, 32x32 images) keep each backend's run short.
"""

import keras
import numpy as np
import pytest
from keras import ops

import keras_gans as kg
from keras_gans.cyclegan.image_pool import ImagePool
from keras_gans.schedules import LinearDecay

SIZE = 32


def nets(seed=0, image_size=None):
    A = kg.cyclegan
    return (
        A.resnet_generator(n_blocks=2, filters=8, image_size=image_size, seed=seed, name="g_ab"),
        A.resnet_generator(n_blocks=2, filters=8, image_size=image_size, seed=seed + 100, name="g_ba"),
        A.patchgan_discriminator(filters=8, image_size=image_size, seed=seed + 200, name="d_a"),
        A.patchgan_discriminator(filters=8, image_size=image_size, seed=seed + 300, name="d_b"),
    )


def adam():
    return keras.optimizers.Adam(2e-4, beta_1=0.5)


def images(seed, n=2, size=SIZE):
    return np.random.default_rng(seed).integers(0, 256, (n, size, size, 3), dtype=np.uint8)


class Pairs(keras.utils.PyDataset):
    """Unaligned (images_a, images_b) batches, uint8."""

    def __init__(self, a, b, batch_size):
        super().__init__()
        self.a, self.b, self.batch_size = a, b, batch_size

    def __len__(self):
        return len(self.a) // self.batch_size

    def __getitem__(self, i):
        s = slice(i * self.batch_size, (i + 1) * self.batch_size)
        return self.a[s], self.b[s]


def np_out(model, x):
    return np.asarray(ops.convert_to_numpy(model(x, training=False)), np.float64)


def reference_losses(cg, a, b):
    """The five logged terms, recomputed in NumPy from the models' outputs."""
    a = a.astype(np.float32) / 127.5 - 1.0
    b = b.astype(np.float32) / 127.5 - 1.0
    fake_b, fake_a = np_out(cg.generator_ab, a), np_out(cg.generator_ba, b)
    rec_a = np_out(cg.generator_ba, fake_b.astype(np.float32))
    rec_b = np_out(cg.generator_ab, fake_a.astype(np.float32))
    same_b, same_a = np_out(cg.generator_ab, b), np_out(cg.generator_ba, a)
    t_fb = np_out(cg.discriminator_b, fake_b.astype(np.float32))
    t_fa = np_out(cg.discriminator_a, fake_a.astype(np.float32))
    t_a, t_b = np_out(cg.discriminator_a, a), np_out(cg.discriminator_b, b)
    l1 = lambda x, y: np.mean(np.abs(x - y))  # noqa: E731
    ref = {
        "g_loss": np.mean((t_fb - 1) ** 2) + np.mean((t_fa - 1) ** 2),
        "cycle_loss": 10.0 * (l1(rec_a, a) + l1(rec_b, b)),
        "identity_loss": 0.5 * 10.0 * (l1(same_a, a) + l1(same_b, b)),
        "d_a_loss": 0.5 * (np.mean((t_a - 1) ** 2) + np.mean(t_fa**2)),
        "d_b_loss": 0.5 * (np.mean((t_b - 1) ** 2) + np.mean(t_fb**2)),
    }
    return ref, fake_a, fake_b


@pytest.fixture(scope="module")
def trained(backend_name_module):
    """One compiled training step (XLA on TF and JAX, default on torch) from
    a PyDataset: the pools are built from its first batch."""
    cg = kg.CycleGAN(*nets(), pool_size=4, seed=0)
    assert cg.image_shape is None  # discriminators accept any size: shape comes from the data
    jit = backend_name_module != "torch"
    cg.compile(g_optimizer=adam(), d_optimizer=adam(), jit_compile=jit)
    a, b = images(1), images(2)
    ref, fake_a, fake_b = reference_losses(cg, a, b)
    before = {
        m.name: [np.array(w) for w in m.get_weights()]
        for m in (cg.generator_ab, cg.generator_ba, cg.discriminator_a, cg.discriminator_b)
    }
    history = cg.fit(Pairs(a, b, 2), epochs=1, verbose=0)
    return cg, history.history, ref, fake_a, fake_b, before, (a, b)


@pytest.fixture(scope="module")
def backend_name_module():
    return keras.backend.backend()


def test_one_compiled_step_matches_numpy_reference(trained):
    cg, history, ref, *_ = trained
    assert set(history) == set(ref)
    for name, value in ref.items():
        got = history[name][0]
        assert np.isfinite(got)
        np.testing.assert_allclose(got, value, rtol=2e-4, atol=1e-5, err_msg=name)
    assert int(cg.g_optimizer.iterations) == 1 and int(cg.d_optimizer.iterations) == 1


def test_step_updates_all_four_networks(trained):
    cg, _, _, _, _, before, _ = trained
    for model in (cg.generator_ab, cg.generator_ba, cg.discriminator_a, cg.discriminator_b):
        change = max(float(np.max(np.abs(w0 - w1))) for w0, w1 in zip(before[model.name], model.get_weights()))
        assert 1e-6 < change < 1e-2, (model.name, change)  # Adam's first step moves each weight by ~lr


def test_pools_hold_the_step_fakes(trained):
    cg, _, _, fake_a, fake_b, _, _ = trained
    assert cg.image_shape == [[SIZE, SIZE, 3], [SIZE, SIZE, 3]]
    for pool, fake in ((cg.pool_a, fake_a), (cg.pool_b, fake_b)):
        assert int(ops.convert_to_numpy(pool.count)) == 2
        buffer = ops.convert_to_numpy(pool.buffer)
        np.testing.assert_allclose(buffer[:2], fake, atol=1e-4)  # the pre-update generators' outputs
        assert np.all(buffer[2:] == 0)


def test_translate_uint8_and_float(trained):
    cg, *_, (a, b) = trained
    out = cg.translate(a, direction="a2b")
    assert out.dtype == np.uint8 and out.shape == a.shape
    expected = np.clip(np.round((np_out(cg.generator_ab, a.astype(np.float32) / 127.5 - 1) + 1) * 127.5), 0, 255)
    assert np.max(np.abs(out.astype(int) - expected)) <= 1
    single = cg.translate(b[0], direction="b2a")
    assert single.dtype == np.uint8 and single.shape == b[0].shape
    x = np.random.default_rng(3).uniform(-1, 1, (2, SIZE, SIZE, 3)).astype(np.float32)
    y = cg.translate(x, direction="b2a")
    assert y.dtype == np.float32 and y.shape == x.shape
    np.testing.assert_allclose(y, np_out(cg.generator_ba, x), atol=1e-5)
    with pytest.raises(ValueError, match="direction must be 'a2b' or 'b2a'; got 'ab'"):
        cg.translate(a, direction="ab")
    with pytest.raises(ValueError, match="one image .* or a batch"):
        cg.translate(a[0, :, :, 0])
    with pytest.raises(TypeError, match="uint8 images"):
        cg.translate(a.astype(np.int64))
    with pytest.raises(ValueError, match="multiples of 4"):
        cg.translate(np.zeros((1, 30, 30, 3), np.float32))


def test_save_and_load_round_trip(trained, tmp_path):
    cg, *_, (a, b) = trained
    path = tmp_path / "cyclegan.keras"
    cg.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded, kg.CycleGAN)
    assert loaded.image_shape == cg.image_shape and loaded.pool_size == 4
    assert loaded.cycle_weight == 10.0 and loaded.identity_weight == 0.5
    assert isinstance(loaded.loss_fn, kg.losses.LeastSquares)
    np.testing.assert_array_equal(loaded.translate(a, "a2b"), cg.translate(a, "a2b"))
    np.testing.assert_array_equal(loaded.translate(b, "b2a"), cg.translate(b, "b2a"))
    # the pools' history is training state, not saved: a loaded game starts empty
    assert int(ops.convert_to_numpy(loaded.pool_a.count)) == 0


# ------------------------------------------------------------------ image pool
def compiled_query(pool, backend):
    """pool.query inside the backend's compiler (XLA on TF/JAX; eager on torch)."""
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.function(pool.query, jit_compile=True)
    if backend == "jax":
        import jax

        variables = list(pool.variables)  # buffer, count, seed state

        def pure(values, x):
            with keras.StatelessScope(state_mapping=list(zip(variables, values))) as scope:
                y = pool.query(x)
            return y, [scope.get_current_value(v) for v in variables]

        jitted = jax.jit(pure)

        def run(x):
            y, values = jitted([v.value for v in variables], x)
            for v, val in zip(variables, values):
                v.assign(val)
            return y

        return run
    return pool.query


def test_image_pool_semantics_in_compiled_function(backend_name):
    size, batch = 3, 4
    pool = ImagePool(size, image_shape=(2, 2, 1), seed=7)
    query = compiled_query(pool, backend_name)
    mirror, next_id, swaps, later = [], 1, 0, 0
    for _ in range(25):
        ids = np.arange(next_id, next_id + batch)
        next_id += batch
        x = np.broadcast_to(ids[:, None, None, None], (batch, 2, 2, 1)).astype(np.float32)
        out = ops.convert_to_numpy(query(ops.convert_to_tensor(x)))
        got = out[:, 0, 0, 0]
        assert np.all(out == got[:, None, None, None])  # whole images move, not pixels
        for new, ret in zip(ids, got):
            if len(mirror) < size:  # filling: store and return the new image
                assert ret == new
                mirror.append(new)
                continue
            later += 1
            if ret != new:  # returned a stored (earlier) fake, replaced by the new one
                assert ret in mirror and ret < new
                mirror[mirror.index(ret)] = new
                swaps += 1
        buffer = ops.convert_to_numpy(pool.buffer)[:, 0, 0, 0]
        assert sorted(buffer.tolist()) == sorted(mirror)
        assert int(ops.convert_to_numpy(pool.count)) == len(mirror)
    assert 0.35 < swaps / later < 0.65  # probability 1/2 (97 draws)


def test_pool_size_zero_is_identity_and_unbuilt_pool_errors():
    x = ops.ones((2, 4, 4, 3))
    assert ImagePool(0).query(x) is x
    with pytest.raises(RuntimeError, match="image_shape"):
        ImagePool(5).query(x)
    with pytest.raises(ValueError, match=r"holds images of shape \(8, 8, 3\)"):
        ImagePool(5, image_shape=(8, 8, 3)).query(x)


def test_pools_are_sized_by_build_from_the_first_batch_even_of_a_generator():
    """Keras builds an unbuilt model from the first batch (fit, train_on_batch):
    CycleGAN.build sizes the pools there, so even a Python generator works."""
    cg = kg.CycleGAN(*nets(), pool_size=50)
    assert not cg.built and cg.image_shape is None
    cg.compile(g_optimizer=adam(), d_optimizer=adam())

    def gen():
        while True:
            yield images(0), images(1)

    cg.fit(gen(), steps_per_epoch=1, verbose=0)
    assert cg.built and cg.image_shape == [[SIZE, SIZE, 3], [SIZE, SIZE, 3]]
    assert int(ops.convert_to_numpy(cg.pool_a.count)) == len(images(0))
    with pytest.raises(ValueError, match=r"Pass image_shape=\(H, W, C\)|pass image_shape=\(H, W, C\)"):
        kg.CycleGAN(*nets(), pool_size=5).build((None, None, None, 3))


def test_fixed_size_discriminators_build_the_pools_and_config_round_trips():
    cg = kg.CycleGAN.official(
        n_blocks=2, filters=8, image_size=SIZE, seed=0, loss="non_saturating", identity_weight=0.0, pool_size=5
    )
    assert [m.name for m in (cg.generator_ab, cg.generator_ba, cg.discriminator_a, cg.discriminator_b)] == [
        "g_ab", "g_ba", "d_a", "d_b"]
    assert cg.image_shape == [[SIZE, SIZE, 3], [SIZE, SIZE, 3]]
    clone = kg.CycleGAN.from_config(cg.get_config())
    assert clone.image_shape == cg.image_shape and len(clone.weights) == len(cg.weights)
    assert isinstance(clone.loss_fn, kg.losses.NonSaturating) and clone.identity_weight == 0.0


def test_discriminator_loss_is_half_the_sum_for_other_losses():
    cg = kg.CycleGAN(*nets(), loss="non_saturating", pool_size=0)
    rng = np.random.default_rng(0)
    a, b, fa, fb = (rng.uniform(-1, 1, (1, SIZE, SIZE, 3)).astype(np.float32) for _ in range(4))
    loss_a, loss_b = cg.discriminator_losses(a, b, fa, fb)
    softplus = lambda t: np.log1p(np.exp(-np.abs(t))) + np.maximum(t, 0)  # noqa: E731
    t_r, t_f = np_out(cg.discriminator_a, a), np_out(cg.discriminator_a, fa)
    expected = 0.5 * (np.mean(softplus(-t_r)) + np.mean(softplus(t_f)))
    np.testing.assert_allclose(float(ops.convert_to_numpy(loss_a)), expected, rtol=1e-5)


def test_constructor_errors():
    g_ab, g_ba, d_a, d_b = nets()
    with pytest.raises(ValueError, match="four distinct models"):
        kg.CycleGAN(g_ab, g_ab, d_a, d_b)
    with pytest.raises(TypeError, match="`discriminator_b` must be a keras.Model"):
        kg.CycleGAN(g_ab, g_ba, d_a, "d_b")
    with pytest.raises(ValueError, match="cycle_weight must be a finite number"):
        kg.CycleGAN(g_ab, g_ba, d_a, d_b, cycle_weight=-1)
    with pytest.raises(ValueError, match="Unknown adversarial loss"):
        kg.CycleGAN(g_ab, g_ba, d_a, d_b, loss="lsgan")
    with pytest.raises(ValueError, match="image_shape must be"):
        kg.CycleGAN(g_ab, g_ba, d_a, d_b, image_shape=(32, 32))
    cg = kg.CycleGAN(g_ab, g_ba, d_a, d_b, pool_size=0)
    with pytest.raises(ValueError, match="rank 4"):
        cg._unpack((np.zeros((2, SIZE, SIZE), np.float32), np.zeros((2, SIZE, SIZE), np.float32)))
    with pytest.raises(ValueError, match=r"\(images_a, images_b\)"):
        cg._unpack(np.zeros((2, SIZE, SIZE, 3), np.float32))


# ------------------------------------------------------------------- losses
def test_cycle_and_identity_losses_formulas():
    rng = np.random.default_rng(0)
    a, ra, b, rb = (rng.normal(size=(2, 4, 4, 3)).astype(np.float32) for _ in range(4))
    cyc = float(ops.convert_to_numpy(kg.cyclegan.cycle_consistency_loss(a, ra, b, rb, cycle_weight=10.0)))
    np.testing.assert_allclose(cyc, 10 * (np.abs(ra - a).mean() + np.abs(rb - b).mean()), rtol=1e-6)
    idt = float(ops.convert_to_numpy(kg.cyclegan.identity_loss(a, ra, b, rb, cycle_weight=10.0, identity_weight=0.5)))
    np.testing.assert_allclose(idt, 5 * (np.abs(ra - a).mean() + np.abs(rb - b).mean()), rtol=1e-6)


def test_linear_decay_schedule():
    s = LinearDecay(2e-4, constant_steps=100, decay_steps=50)
    values = [float(ops.convert_to_numpy(s(t))) for t in (0, 100, 125, 150, 400)]
    np.testing.assert_allclose(values, [2e-4, 2e-4, 1e-4, 0.0, 0.0], atol=1e-12)
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(s))
    assert isinstance(clone, LinearDecay) and clone.get_config() == s.get_config()
    with pytest.raises(ValueError, match="decay_steps must be an int >= 1"):
        LinearDecay(2e-4, 10, 0)
    assert kg.schedules.LinearDecay is LinearDecay


# ---------------------------------------------------------------------- CLI
def test_cli_translate_any_size_through_the_zoo(trained, tmp_path, capsys, monkeypatch):
    pytest.importorskip("PIL")
    from PIL import Image

    from keras_gans.cli import main
    from keras_gans.cyclegan.translate import translate_any_size as translate_array, working_size

    cg, *_ = trained
    entry = kg.zoo.save(cg, tmp_path / "cyclegan_tiny", card={"preprocessing": {"image_size": SIZE}})
    rgb = np.random.default_rng(5).integers(0, 256, (37, 50, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(tmp_path / "in.png")
    assert main(["translate", str(entry), str(tmp_path / "in.png"), "-o", str(tmp_path / "out.png"),
                 "--direction", "b2a", "--size", str(SIZE)]) == 0
    out = np.asarray(Image.open(tmp_path / "out.png"))
    assert out.shape == rgb.shape
    assert working_size(37, 50, SIZE) == (24, 32)  # longer side 32, multiples of 4
    np.testing.assert_array_equal(out, translate_array(cg.generator_ba, rgb, SIZE))
    # the default: the image's own resolution
    assert main(["translate", str(entry), str(tmp_path / "in.png"), "-o", str(tmp_path / "full.png")]) == 0
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "full.png")),
                                  translate_array(cg.generator_ab, rgb, 0))
    odd = rgb[:30, :31]
    native = translate_array(cg.generator_ab, odd, 0)  # reflect-padded to 32x32, cropped back
    assert native.shape == odd.shape and native.dtype == np.uint8
    padded = np.pad(odd, ((0, 2), (0, 1), (0, 0)), mode="reflect")
    np.testing.assert_array_equal(native, cg.translate(padded, "a2b")[:30, :31])
    monkeypatch.setenv("KERAS_GANS_CACHE", str(tmp_path / "cache"))
    assert main(["translate", "official:apple2orange", str(tmp_path / "in.png"), "-o", str(tmp_path / "o.png")]) == 1
    err = capsys.readouterr().err
    assert "pretrained_models/apple2orange.pth" in err and str(tmp_path / "cache" / "official") in err
