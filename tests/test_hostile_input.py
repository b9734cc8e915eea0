"""Bad input gets a clear error (or a documented conversion), and a bad run
never eats a good checkpoint. (More cases of the hostile-input issue live
beside the modules they guard: tests/test_resume.py for checkpoints,
tests/test_zoo.py for weight files.)"""

import math
import warnings

import keras
import numpy as np
import pytest

import keras_gans as kg
from keras_gans import checkpoint


def _gan(conditional=False):
    keras.utils.set_random_seed(0)
    if conditional:
        g = kg.architectures.dcgan_generator(8, 28, 1, 4, num_classes=3, seed=0)
        d = kg.architectures.dcgan_discriminator(28, 1, 4, num_classes=3, seed=1)
        m = kg.ConditionalGAN(g, d, latent_dim=8, num_classes=3, seed=0)
    else:
        m = kg.GAN(kg.architectures.mlp_generator(2, 2, (8,)), kg.architectures.mlp_discriminator(2, (8,)),
                   latent_dim=2, seed=0)
    m.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-3))
    return m


@pytest.mark.parametrize("n, batch_size, what", [(2.5, 256, "`n`"), (-1, 256, "`n`"), ("4", 256, "`n`"),
                                                 (4, -1, "`batch_size`"), (4, 0, "`batch_size`")])
def test_generate_rejects_bad_counts(n, batch_size, what):
    with pytest.raises(ValueError, match=f"generate: {what} must be an int"):
        _gan().generate(n, batch_size=batch_size)


def test_generate_zero_is_an_empty_batch_of_the_right_shape():
    out = _gan().generate(0)
    assert out.shape == (0, 2) and out.dtype == np.float32


def test_conditional_labels_must_be_integer_classes_in_range():
    m = _gan(conditional=True)
    with pytest.raises(ValueError, match="integer class indices"):
        m.generate(2, labels=[0.5, 1.0])
    with pytest.raises(ValueError, match=r"labels must be in \[0, 2\]"):
        m.generate(2, labels=3)
    assert m.generate(2, labels=[1.0, 2.0]).shape == (2, 28, 28, 1)  # whole floats are accepted


def test_a_nan_in_the_data_stops_training_naming_the_loss_and_keeps_the_last_good_checkpoint(tmp_path):
    x = np.random.default_rng(0).normal(size=(64, 2)).astype("float32")
    x[40] = np.nan  # batch 6 of 8 (batch size 8, no shuffle)
    m = _gan()
    nan_stop = kg.callbacks.TerminateOnNaN()
    backup = kg.callbacks.BackupAndRestore(tmp_path, save_freq=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m.fit(x, batch_size=8, epochs=3, shuffle=False, verbose=0, callbacks=[nan_stop, backup])
    assert nan_stop.stopped is not None
    name, step, epoch = nan_stop.stopped
    assert name in ("d_loss", "g_loss") and step == 6 and epoch == 1
    assert any(f"became nan at step 6" in str(w.message) for w in caught)
    assert backup.refused is not None  # the NaN state was not written
    # the newest checkpoint is the state after step 5: finite, loadable, resumable
    fresh = _gan()
    meta = checkpoint.restore(fresh, tmp_path)
    assert (meta["epoch"], meta["step"]) == (0, 5)
    assert checkpoint.first_nonfinite(fresh) is None
    assert all(math.isfinite(float(np.sum(keras.ops.convert_to_numpy(v)))) for v in fresh.generator.weights)


# ------------------------------------------------------------------ image files
def _write_cases(folder):
    """Odd but valid images (converted) and broken files (named, skipped)."""
    from PIL import Image

    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (12, 20, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(folder / "plain.png")
    Image.fromarray((rgb[..., 0].astype(np.uint16) * 257)).save(folder / "sixteen.png")  # I;16
    Image.fromarray(rgb[..., 0].astype(np.float32) / 255.0, "F").save(folder / "float.tif")
    Image.fromarray(rgb).convert("P").save(folder / "palette.png")
    Image.fromarray(rgb).convert("CMYK").save(folder / "cmyk.jpg")
    Image.fromarray(np.dstack([rgb, rng.integers(0, 256, (12, 20), dtype=np.uint8)])).save(folder / "rgba.png")
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 CW to display
    Image.fromarray(rgb).save(folder / "rotated.jpg", exif=exif, quality=95)
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "text.jpg").write_text("not an image")
    data = (folder / "plain.png").read_bytes()
    (folder / "truncated.png").write_bytes(data[: len(data) // 2])
    return rgb


def test_odd_images_are_converted_not_clipped_or_rotated_wrong(tmp_path):
    rgb = _write_cases(tmp_path)
    grey = rgb[..., 0]
    a, _, was_grey = kg.images.read_rgb(tmp_path / "sixteen.png")
    assert was_grey and a.shape == (12, 20, 3) and np.abs(a[..., 0].astype(int) - grey).max() <= 1  # not white
    a, _, _ = kg.images.read_rgb(tmp_path / "float.tif")
    assert np.abs(a[..., 0].astype(int) - grey).max() <= 1  # not black
    a, _, _ = kg.images.read_rgb(tmp_path / "rotated.jpg")
    assert a.shape == (20, 12, 3)  # turned upright
    for name in ("palette.png", "cmyk.jpg"):
        assert kg.images.read_rgb(tmp_path / name)[0].shape == (12, 20, 3)
    a, alpha, _ = kg.images.read_rgb(tmp_path / "rgba.png")
    assert a.shape == (12, 20, 3) and alpha.shape == (12, 20)
    for name in ("empty.jpg", "text.jpg", "truncated.png"):
        with pytest.raises(kg.images.ImageReadError, match=name):
            kg.images.read_rgb(tmp_path / name)


def test_cli_upscale_of_a_folder_skips_and_names_bad_files(tmp_path, capsys):
    from PIL import Image

    from keras_gans.cli import main

    keras.utils.set_random_seed(0)
    sr = kg.SRGAN(kg.srgan.srresnet(scale=2, blocks=1, filters=4), None, adversarial_weight=0)
    sr.compile(g_optimizer=keras.optimizers.Adam())
    sr.save(tmp_path / "sr.keras")
    src = tmp_path / "in dir é"  # spaces and non-ASCII
    src.mkdir()
    _write_cases(src)
    out = tmp_path / "out"
    assert main(["upscale", str(tmp_path / "sr.keras"), str(src), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    for bad in ("empty.jpg", "text.jpg", "truncated.png"):
        assert bad in err
    done = sorted(p.name for p in out.iterdir())
    assert done == ["cmyk.png", "float.png", "palette.png", "plain.png", "rgba.png", "rotated.png", "sixteen.png"]
    assert Image.open(out / "rotated.png").size == (24, 40)  # upright, x2
    assert Image.open(out / "rgba.png").mode == "RGBA" and Image.open(out / "sixteen.png").mode == "L"


# --------------------------------------------------------------- arrays in
def test_translate_and_upscale_refuse_nan_and_out_of_range_floats():
    keras.utils.set_random_seed(0)
    g = kg.cyclegan.resnet_generator(1, 4, seed=0)
    x = np.zeros((1, 8, 8, 3), np.float32)
    x[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="1 NaN/inf"):
        kg.cyclegan.translate_images(g, x)
    with pytest.raises(ValueError, match=r"translate takes float images in \[-1, 1\].*from 255 to 255"):
        kg.cyclegan.translate_images(g, np.full((1, 8, 8, 3), 255.0, np.float32))
    sr = kg.srgan.srresnet(scale=2, blocks=1, filters=4)
    with pytest.raises(ValueError, match=r"upscale takes float images in \[0, 1\]"):
        kg.srgan.upscale_images(sr, np.full((8, 8, 3), -0.5, np.float32), 2)
    with pytest.raises(TypeError, match="uint8"):
        kg.srgan.upscale_images(sr, np.zeros((8, 8, 3), np.int32), 2)


def test_tiled_upscale_writes_uint8_tiles_into_a_uint8_output():
    """Peak memory of a tiled upscale: the uint8 output plus a tile (no float
    copy of the whole output); tiled and whole agree."""
    import tracemalloc

    keras.utils.set_random_seed(0)
    sr = kg.srgan.srresnet(scale=4, blocks=1, filters=4)
    lr = np.random.default_rng(0).integers(0, 256, (96, 128, 3), dtype=np.uint8)
    whole = kg.srgan.upscale_images(sr, lr, 4)
    tracemalloc.start()
    tiled = kg.srgan.upscale_images(sr, lr, 4, tile=32)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert tiled.dtype == np.uint8 and tiled.shape == (384, 512, 3)
    assert np.abs(tiled.astype(int) - whole.astype(int)).max() <= 1
    out_bytes = tiled.nbytes  # 0.59 MB; a float32 copy of the output alone would be 2.4 MB
    assert peak < 3 * out_bytes + 2_000_000, peak
