"""SRGAN: PixelShuffle, SRResNet/discriminator builders, the game's step,
pre-training, content loss, tiled upscaling, save/load, CLI."""


import keras
import numpy as np
import pytest
from keras import ops

import keras_gans as kg
from keras_gans.srgan.upscale import receptive_radius
from keras_gans.layers import PixelShuffle

BLOCKS, FILTERS = 2, 8


def tiny_pair(image_size=16, seed=0):
    keras.utils.set_random_seed(seed)
    g = kg.srgan.srresnet(scale=4, blocks=BLOCKS, filters=FILTERS)
    d = kg.srgan.srgan_discriminator(filters=FILTERS, image_size=image_size, dense=16)
    return g, d


def batch(n=4, lr_size=4, seed=0):
    rng = np.random.default_rng(seed)
    lr = rng.random((n, lr_size, lr_size, 3)).astype("float32")
    hr = (rng.random((n, 4 * lr_size, 4 * lr_size, 3)) * 2 - 1).astype("float32")
    return lr, hr


def values(model):
    return [np.array(ops.convert_to_numpy(v)) for v in model.trainable_variables]


def adam(lr=1e-3):
    return keras.optimizers.Adam(lr)


# ------------------------------------------------------------- PixelShuffle
def numpy_pixel_shuffle(x, r):
    n, h, w, cr2 = x.shape
    c = cr2 // (r * r)
    out = np.empty((n, h * r, w * r, c), x.dtype)
    for i in range(r):
        for j in range(r):
            for k in range(c):
                out[:, i::r, j::r, k] = x[:, :, :, k * r * r + i * r + j]
    return out


@pytest.mark.parametrize("r", [2, 3])
def test_pixel_shuffle_matches_numpy_reference(r):
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 2 * r * r)).astype("float32")
    y = ops.convert_to_numpy(PixelShuffle(r)(x))
    np.testing.assert_array_equal(y, numpy_pixel_shuffle(x, r))


def test_pixel_shuffle_matches_torch_pixel_shuffle():
    torch = pytest.importorskip("torch", reason="comparison with torch.nn.PixelShuffle needs torch")
    x = np.random.default_rng(1).standard_normal((2, 4, 3, 12)).astype("float32")
    ref = torch.nn.PixelShuffle(2)(torch.from_numpy(x).permute(0, 3, 1, 2)).permute(0, 2, 3, 1).numpy()
    np.testing.assert_array_equal(ops.convert_to_numpy(PixelShuffle(2)(x)), ref)


def test_pixel_shuffle_shapes_config_and_errors():
    layer = PixelShuffle(2)
    assert layer.compute_output_shape((None, None, 7, 12)) == (None, None, 14, 3)
    inp = keras.Input((None, None, 8))
    assert tuple(PixelShuffle(2)(inp).shape) == (None, None, None, 2)
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert isinstance(clone, PixelShuffle) and clone.scale == 2
    with pytest.raises(ValueError, match="multiple of scale\\*\\*2 = 4"):
        PixelShuffle(2)(np.zeros((1, 2, 2, 6), "float32"))
    with pytest.raises(ValueError, match="rank-4"):
        PixelShuffle(2).compute_output_shape((2, 2, 4))
    with pytest.raises(ValueError, match="int >= 1"):
        PixelShuffle(0)


# --------------------------------------------------------------- networks
@pytest.mark.parametrize("scale,size", [(4, (7, 9)), (2, (5, 3))])
def test_srresnet_upscales_any_size(scale, size):
    g = kg.srgan.srresnet(scale=scale, blocks=BLOCKS, filters=FILTERS)
    assert tuple(g.output.shape) == (None, None, None, 3)
    x = np.random.default_rng(0).random((2, *size, 3)).astype("float32")
    assert g.predict_on_batch(x).shape == (2, size[0] * scale, size[1] * scale, 3)


def test_srresnet_structure_follows_the_paper():
    g = kg.srgan.srresnet(scale=4, blocks=BLOCKS, filters=FILTERS)
    bns = [lyr for lyr in g.layers if isinstance(lyr, keras.layers.BatchNormalization)]
    assert len(bns) == 2 * BLOCKS + 1
    assert all(b.epsilon == 1e-5 and b.momentum == 0.9 for b in bns)
    assert [lyr.scale for lyr in g.layers if isinstance(lyr, PixelShuffle)] == [2, 2]
    convs = [lyr for lyr in g.layers if isinstance(lyr, keras.layers.Conv2D)]
    assert convs[0].kernel_size == (9, 9) and convs[-1].kernel_size == (9, 9)
    assert [c.filters for c in convs[-3:-1]] == [4 * FILTERS, 4 * FILTERS]
    prelus = [lyr for lyr in g.layers if isinstance(lyr, keras.layers.PReLU)]
    assert all(tuple(p.alpha.shape) == (1, 1, FILTERS) for p in prelus)
    # 9x9 (4) + 2 per block + mid (1) + up convs at x1 (1) and x2 (0.5) + 9x9 at x4 (1)
    assert receptive_radius(g) == int(np.ceil(4 + 2 * BLOCKS + 1 + 1 + 0.5 + 1))
    with pytest.raises(ValueError, match="power of two"):
        kg.srgan.srresnet(scale=5)


def test_discriminator_shapes_and_errors():
    d = kg.srgan.srgan_discriminator(filters=FILTERS, image_size=32, dense=16)
    assert tuple(d.output.shape) == (None, 1)
    convs = [lyr for lyr in d.layers if isinstance(lyr, keras.layers.Conv2D)]
    assert [c.filters for c in convs] == [8, 8, 16, 16, 32, 32, 64, 64]
    assert [c.strides[0] for c in convs] == [1, 2] * 4
    assert sum(isinstance(lyr, keras.layers.BatchNormalization) for lyr in d.layers) == 7
    with pytest.raises(ValueError, match="multiple of 16"):
        kg.srgan.srgan_discriminator(image_size=100)


# -------------------------------------------------------------- the game
@pytest.fixture(scope="module")
def stepped():
    """One compiled (default jit) SRGAN step on tiny models, with what the
    tests below compare against, computed before the step."""
    g, d = tiny_pair()
    lr, hr = batch(seed=3)
    out = ops.convert_to_numpy(g(lr, training=True))  # batch statistics, as in the step
    sr = kg.SRGAN(g, d, content_loss="mse", adversarial_weight=2e-3, seed=7)
    sr.compile(g_optimizer=adam(), d_optimizer=adam())
    g0, d0 = values(g), values(d)
    logs = {k: float(v) for k, v in sr.train_on_batch(lr, hr, return_dict=True).items()}
    return dict(sr=sr, g=g, d=d, lr=lr, hr=hr, out=out, g0=g0, d0=d0, logs=logs)


def test_one_step_trains_both_players_with_finite_losses(stepped):
    sr, logs = stepped["sr"], stepped["logs"]
    assert set(logs) == {"content_loss", "g_adv_loss", "g_loss", "d_loss", "psnr"}
    assert all(np.isfinite(v) for v in logs.values())
    assert logs["g_loss"] == pytest.approx(logs["content_loss"] + 2e-3 * logs["g_adv_loss"], rel=1e-5)
    assert int(sr.g_optimizer.iterations) == 1 and int(sr.d_optimizer.iterations) == 1
    assert any(not np.array_equal(a, b) for a, b in zip(stepped["g0"], values(stepped["g"])))
    assert any(not np.array_equal(a, b) for a, b in zip(stepped["d0"], values(stepped["d"])))


def test_pretraining_does_not_touch_the_discriminator():
    g, d = tiny_pair()
    pre = kg.SRGAN(g, d, adversarial_weight=0)
    assert pre.optimizer_names == ("g_optimizer",)
    with pytest.warns(UserWarning, match="d_optimizer is ignored"):
        pre.compile(g_optimizer=adam(), d_optimizer=adam())
    d0, d_state0 = values(d), [np.array(ops.convert_to_numpy(v)) for v in d.variables]
    g0 = values(g)
    history = pre.fit(*batch(8), batch_size=4, epochs=1, verbose=0)
    assert set(history.history) == {"content_loss", "psnr"}
    assert int(pre.g_optimizer.iterations) == 2
    assert all(np.array_equal(a, b) for a, b in zip(d0, values(d)))
    assert all(np.array_equal(a, ops.convert_to_numpy(v)) for a, v in zip(d_state0, d.variables))
    assert any(not np.array_equal(a, b) for a, b in zip(g0, values(g)))


def test_logged_content_loss_is_numpy_mse_of_the_generator_output(stepped):
    out, hr = stepped["out"], stepped["hr"]
    expected = np.mean((out.astype(np.float64) - hr) ** 2)
    loss = kg.srgan.MSEContentLoss()
    assert float(ops.convert_to_numpy(loss(out, hr))) == pytest.approx(expected, rel=1e-6)
    assert stepped["logs"]["content_loss"] == pytest.approx(expected, rel=1e-5)
    expected_psnr = np.mean(10 * np.log10(4.0 / np.mean((np.clip(out, -1, 1) - hr) ** 2, axis=(1, 2, 3))))
    assert stepped["logs"]["psnr"] == pytest.approx(expected_psnr, abs=1e-3)


def test_uint8_pairs_and_no_discriminator():
    """Pre-training without a discriminator (compile takes g_optimizer only)
    on uint8 pairs, converted to LR [0, 1] / HR [-1, 1] in the step."""
    g, _ = tiny_pair()
    lr, hr = batch(seed=4)
    lr8 = np.round(lr * 255).astype(np.uint8)
    hr8 = np.round((hr + 1) * 127.5).astype(np.uint8)
    out = ops.convert_to_numpy(g(lr8.astype("float32") / 255.0, training=True))
    expected = np.mean((out - (hr8.astype("float32") / 127.5 - 1.0)) ** 2)
    pre = kg.SRGAN(g, None, adversarial_weight=0)
    pre.compile(g_optimizer=adam())
    logs = pre.train_on_batch(lr8, hr8, return_dict=True)
    assert float(logs["content_loss"]) == pytest.approx(expected, rel=1e-5)


def test_feature_loss_is_mse_of_features():
    inp = keras.Input((None, None, 3))
    feat = keras.layers.Conv2D(4, 3, padding="same", name="f1")(inp)
    model = keras.Model(inp, keras.layers.Conv2D(2, 3, name="f2")(feat))
    loss = kg.srgan.FeatureLoss(model, layer="f1", weight=2.0)
    _, hr = batch(2)
    sr = hr[::-1].copy()
    sub = keras.Model(inp, feat)
    fa, fb = (ops.convert_to_numpy(sub(t)) for t in (sr, hr))
    assert float(ops.convert_to_numpy(loss(sr, hr))) == pytest.approx(2.0 * np.mean((fa - fb) ** 2), rel=1e-5)
    assert not loss.feature_model.trainable
    with pytest.raises(ValueError, match="no layer 'nope'"):
        kg.srgan.FeatureLoss(model, layer="nope")


def test_vgg_loss_fails_fast_without_the_cached_weights(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"):
        kg.srgan.VGGFeatureLoss()
    with pytest.raises(FileNotFoundError, match=str(tmp_path / "models")):
        kg.SRGAN(tiny_pair()[0], None, content_loss="vgg54", adversarial_weight=0)


def test_clear_errors():
    g, d = tiny_pair()
    with pytest.raises(ValueError, match="needs a discriminator"):
        kg.SRGAN(g, None)
    with pytest.raises(ValueError, match="scale=2 but the generator upscales x4"):
        kg.SRGAN(g, d, scale=2)
    with pytest.raises(ValueError, match="Unknown content loss"):
        kg.SRGAN(g, d, content_loss="l1")
    sr = kg.SRGAN(g, d)
    with pytest.raises(ValueError, match="d_optimizer"):
        sr.compile(g_optimizer=adam())
    sr.compile(g_optimizer=adam(), d_optimizer=adam(), run_eagerly=True)
    lr, hr = batch()
    with pytest.raises(ValueError, match="high_res height 12 is not 4 x low_res height 4"):
        sr.train_on_batch(lr, hr[:, :12, :12])
    with pytest.raises(ValueError, match="rank 4"):
        sr.train_on_batch(lr[0], hr[0])
    with pytest.raises(ValueError, match="3-channel"):
        sr.upscale(np.zeros((5, 5, 1), np.uint8))


# --------------------------------------------------------------- upscale
def test_tiled_upscale_equals_whole_image_upscale():
    g, d = tiny_pair()
    sr = kg.SRGAN(g, d)
    rng = np.random.default_rng(5)
    image = (rng.random((45, 38, 3)) * 255).astype(np.uint8)
    whole = sr.upscale(image)
    assert whole.dtype == np.uint8 and whole.shape == (180, 152, 3)
    # overlap defaults to the receptive radius (12 LR px here), so each tile
    # sees all the context its centre needs: equal up to float rounding
    tiled = sr.upscale(image, tile=16)  # 9 windows of 40x38 LR px
    diff = np.abs(whole.astype(int) - tiled.astype(int))
    assert diff.max() <= 1 and np.mean(diff == 0) > 0.999
    # too little context changes pixels near tile seams
    narrow = sr.upscale(image, tile=16, overlap=1)
    assert np.abs(whole.astype(int) - narrow.astype(int)).max() > 1
    # float [0, 1] in -> float [0, 1] out; batches; reference = the generator
    f = sr.upscale(image.astype("float32") / 255.0, tile=16)
    assert f.dtype == np.float32 and 0.0 <= f.min() and f.max() <= 1.0
    ref = np.clip((g.predict_on_batch(image[None].astype("float32") / 255.0) + 1) / 2, 0, 1)[0]
    np.testing.assert_allclose(f, ref, atol=1e-4)
    assert sr.upscale(np.stack([image, image])).shape == (2, 180, 152, 3)


# ------------------------------------------------------------- save/load
def test_save_load_round_trip(stepped, tmp_path):
    sr, d = stepped["sr"], stepped["d"]
    path = tmp_path / "srgan.keras"
    sr.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded, kg.SRGAN)
    assert loaded.scale == 4 and loaded.adversarial_weight == 2e-3 and loaded.seed == 7
    assert isinstance(loaded.content_loss, kg.srgan.MSEContentLoss)
    assert int(loaded.d_optimizer.iterations) == 1
    lr, hr = batch(2, seed=9)
    np.testing.assert_allclose(loaded.generator.predict_on_batch(lr), sr.generator.predict_on_batch(lr), atol=1e-6)
    np.testing.assert_allclose(loaded.discriminator.predict_on_batch(hr), d.predict_on_batch(hr), atol=1e-5)
    # a pre-training game without a discriminator round-trips too
    pre = kg.SRGAN(stepped["g"], None, adversarial_weight=0)
    pre.save(tmp_path / "pre.keras")
    back = keras.saving.load_model(tmp_path / "pre.keras")
    assert back.discriminator is None and back.optimizer_names == ("g_optimizer",)


def test_cli_upscale_and_evaluate_with_a_keras_file(tmp_path, capsys):
    from PIL import Image

    from keras_gans.cli import main

    g, _ = tiny_pair()
    model = tmp_path / "pre.keras"
    kg.SRGAN(g, None, adversarial_weight=0).save(model)
    rng = np.random.default_rng(0)
    Image.fromarray((rng.random((10, 7, 3)) * 255).astype(np.uint8)).save(tmp_path / "in.png")
    assert main(["upscale", str(model), str(tmp_path / "in.png"), "-o", str(tmp_path / "out.png"), "--tile", "4"]) == 0
    with Image.open(tmp_path / "out.png") as im:
        assert im.size == (28, 40)
    assert main(["upscale", str(tmp_path / "missing.keras"), str(tmp_path / "in.png"), "-o", "x.png"]) == 1
    hr = (rng.random((24, 20, 3)) * 255).astype(np.uint8)
    data = tmp_path / "data"
    data.mkdir()
    Image.fromarray(hr).save(data / "pic.png")
    capsys.readouterr()
    assert main(["evaluate-sr", str(model), "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "bicubic-downscaled HR" in out and "mean" in out


def test_lattice_mse_penalises_a_grid_not_an_offset_or_noise():
    """The lattice term is the energy of the error's 4x4 phase means: a
    +-a checkerboard over every pixel gives a**2 per phase (16 a**2); a
    constant offset gives 0; white noise gives ~ 16 * var / (pixels per
    phase). It serializes and trains inside SRGAN."""
    rng = np.random.default_rng(0)
    hr = rng.uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
    a = 0.02
    grid = a * np.where((np.add.outer(np.arange(32), np.arange(32)) % 2) == 0, 1.0, -1.0)[None, :, :, None]
    loss = kg.srgan.LatticeMSE(weight=1.0, lattice_weight=1.0, period=4)
    as_float = lambda t: float(keras.ops.convert_to_numpy(t))  # noqa: E731
    np.testing.assert_allclose(as_float(loss.lattice(hr + grid.astype("float32"), hr)), 16 * a**2, rtol=1e-4)
    assert as_float(loss.lattice(hr + 0.3, hr)) < 1e-10
    noise = rng.normal(0, 0.05, hr.shape).astype("float32")
    assert as_float(loss.lattice(hr + noise, hr)) < 3 * 16 * 0.05**2 / 64
    np.testing.assert_allclose(as_float(loss(hr + grid.astype("float32"), hr)), a**2 + 16 * a**2, rtol=1e-4)
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(loss))
    assert isinstance(clone, kg.srgan.LatticeMSE) and clone.get_config() == loss.get_config()
    g = kg.srgan.srresnet(scale=4, blocks=1, filters=8)
    sr = kg.SRGAN(g, None, content_loss=loss, adversarial_weight=0)
    sr.compile(g_optimizer=keras.optimizers.Adam(1e-3))
    logs = sr.train_on_batch(rng.random((2, 8, 8, 3)).astype("float32"), hr, return_dict=True)
    assert np.isfinite(logs["content_loss"])
    with pytest.raises(ValueError, match="period must be an int >= 2"):
        kg.srgan.LatticeMSE(period=1)
