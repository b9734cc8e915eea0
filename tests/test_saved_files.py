"""`.keras` files saved by keras_gans 0.1.0 (before the one-home-per-family
restructure, by tests/data's generator at that commit, on TensorFlow) still
load on every backend and give the outputs recorded then."""

import pathlib

import keras
import numpy as np

import keras_gans as kg

DATA = pathlib.Path(__file__).parent / "data"


def test_cyclegan_and_srgan_saved_by_v0_1_0_load_and_match():
    want = np.load(DATA / "v0.1.0_outputs.npz")
    x = want["input"]
    cg = keras.saving.load_model(DATA / "cyclegan_v0.1.0.keras")
    assert isinstance(cg, kg.CycleGAN) and cg.pool_size == 2
    for d in ("a2b", "b2a"):
        got = cg.translate(x, d).astype(int)
        assert np.abs(got - want[f"cyclegan_{d}"].astype(int)).max() <= 1  # uint8 rounding
    sr = keras.saving.load_model(DATA / "srgan_v0.1.0.keras")
    assert isinstance(sr, kg.SRGAN) and sr.scale == 2
    assert np.abs(sr.upscale(x[0]).astype(int) - want["srgan"].astype(int)).max() <= 1
    # both optimizers' state came back (a saved game can be fine-tuned)
    assert int(keras.ops.convert_to_numpy(cg.g_optimizer.iterations)) == 1
    assert int(keras.ops.convert_to_numpy(sr.d_optimizer.iterations)) == 1
