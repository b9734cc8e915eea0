"""The examples a Keras user copies run, and do what they say (small data)."""

import runpy
import sys

import keras
import numpy as np
import pytest

from conftest import REPO

EXAMPLES = REPO / "examples"


def _module(name):
    return runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name=f"example_{name}")


def _images(folder, n, size=40, seed=0):
    from PIL import Image

    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    for i in range(n):
        Image.fromarray(rng.integers(0, 256, (size, size + 10, 3), dtype=np.uint8)).save(folder / f"{i}.jpg")


def test_custom_game_learns_the_mean():
    samples = _module("custom_game")["main"]()
    assert abs(float(samples.mean()) - 3.0) < 0.5, samples.mean()


def test_dcgan_on_your_images_trains_saves_and_reloads(tmp_path):
    import keras_gans as kg  # noqa: F401  (registers the classes for load_model)

    _images(tmp_path / "photos", 8)
    out = tmp_path / "run"
    gan = _module("dcgan_your_images")["main"]([str(tmp_path / "photos"), "--image-size", "32", "--epochs", "1",
                                                  "--batch-size", "4", "--filters", "4", "--out", str(out)])
    assert sorted(p.name for p in (out / "samples").iterdir()) == ["epoch_0001.png"]
    loaded = keras.saving.load_model(out / "dcgan.keras")
    assert np.allclose(loaded.generate(2, seed=3), gan.generate(2, seed=3), atol=1e-5)


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="fine-tunes the 128 px zoo CycleGAN: runs in the torch pass (fastest here)")
def test_finetune_cyclegan_on_two_folders(tmp_path):
    import keras_gans as kg

    _images(tmp_path / "A", 2, size=140, seed=1)
    _images(tmp_path / "B", 2, size=140, seed=2)
    before = kg.zoo.load("cyclegan_apple2orange").generator_ab.get_weights()[0]
    game = _module("finetune_cyclegan")["main"]([str(tmp_path / "A"), str(tmp_path / "B"), "--epochs", "1",
                                                  "--out", str(tmp_path / "run")])
    assert not np.allclose(game.generator_ab.get_weights()[0], before)
    assert (tmp_path / "run" / "cyclegan.keras").is_file()


def test_upscale_photo_makes_it_four_times_larger(tmp_path):
    from PIL import Image

    Image.fromarray(np.random.default_rng(0).integers(0, 256, (20, 30, 3), dtype=np.uint8)).convert("P").save(tmp_path / "in.png")
    out = _module("upscale_photo")["main"](tmp_path / "in.png", tmp_path / "out.png")
    assert out.shape == (80, 120, 3)
    with Image.open(tmp_path / "out.png") as im:
        assert im.size == (120, 80)


def test_keras_callbacks_next_to_keras_gans_callbacks(tmp_path):
    gan, history = _module("keras_callbacks")["main"](["--out", str(tmp_path), "--epochs", "2"])
    assert len(history.history["g_loss"]) == 2
    assert (tmp_path / "gan.keras").is_file() and (tmp_path / "log.csv").is_file()
    assert sorted(p.name for p in (tmp_path / "samples").iterdir()) == ["epoch_0001.png", "epoch_0002.png"]
    assert any((tmp_path / "tensorboard").rglob("events.out.tfevents.*"))
    loaded = keras.saving.load_model(tmp_path / "gan.keras")
    assert np.allclose(loaded.generate(2, seed=1), gan.generate(2, seed=1), atol=1e-5)


@pytest.mark.skipif(keras.backend.backend() != "torch",
                    reason="trains in TF and JAX subprocesses, samples here: once, in the torch pass")
def test_three_backends_train_with_one_sample_with_another(tmp_path):
    import os
    import subprocess

    module = _module("three_backends")
    for trainer in ("tensorflow", "jax"):
        out = tmp_path / trainer
        proc = subprocess.run(
            [sys.executable, str(EXAMPLES / "three_backends.py"), "train", "--out", str(out)],
            capture_output=True, text=True, timeout=600,
            env={**os.environ, "KERAS_BACKEND": trainer, "TF_CPP_MIN_LOG_LEVEL": "3"},
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        ref = np.load(out / "reference.npz")["images"]
        assert ref.std() > 1e-3  # images that vary, not a constant
        assert module["sample"](out) < 1e-2 * ref.std()  # measured: ~1e-7 against a std of ~5e-3
