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
from keras_gans.data.resumable import ArrayBatches


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
    # numpy arrays are checked before the first step (below); a loader is not read ahead
    data = ArrayBatches(x, None, batch_size=8, shuffle=False)
    m = _gan()
    nan_stop = kg.callbacks.TerminateOnNaN()
    backup = kg.callbacks.BackupAndRestore(tmp_path, save_freq=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m.fit(data, epochs=3, shuffle=False, verbose=0, callbacks=[nan_stop, backup])
    assert nan_stop.stopped is not None
    name, step, epoch = nan_stop.stopped
    assert name in ("d_loss", "g_loss") and step == 6 and epoch == 1
    assert any("became nan at step 6" in str(w.message) for w in caught)
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
    """Peak memory of an upscale in overlapping windows (``overlap`` given):
    the uint8 output plus a tile (no float copy of the whole output); tiled
    and whole agree. (The default, streamed tiles, keeps intermediate maps
    in memory up to a 128 MiB budget and the rest in files: tests/test_streaming.py.)"""
    import tracemalloc

    keras.utils.set_random_seed(0)
    sr = kg.srgan.srresnet(scale=4, blocks=1, filters=4)
    lr = np.random.default_rng(0).integers(0, 256, (96, 128, 3), dtype=np.uint8)
    whole = kg.srgan.upscale_images(sr, lr, 4)
    tracemalloc.start()
    tiled = kg.srgan.upscale_images(sr, lr, 4, tile=32, overlap=kg.srgan.upscale.receptive_radius(sr))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert tiled.dtype == np.uint8 and tiled.shape == (384, 512, 3)
    assert np.abs(tiled.astype(int) - whole.astype(int)).max() <= 1
    out_bytes = tiled.nbytes  # 0.59 MB; a float32 copy of the output alone would be 2.4 MB
    assert peak < 3 * out_bytes + 2_000_000, peak


# ------------------------------------------------------------ arrays into fit
def _image_gan():
    keras.utils.set_random_seed(0)
    g = kg.architectures.dcgan_generator(8, 28, 1, 4, seed=0)
    d = kg.architectures.dcgan_discriminator(28, 1, 4, seed=1)
    m = kg.GAN(g, d, latent_dim=8, seed=0)
    m.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-3))
    return m


def _digits(n=4):
    return np.random.default_rng(0).uniform(-1, 1, (n, 28, 28, 1)).astype("float32")


_NAN = _digits()
_NAN[2, 3, 4, 0] = np.nan


@pytest.mark.parametrize("x, message", [
    (_digits()[..., 0], r"`x` must have rank 4 \(batch, height, width, channels\).*got an array of shape \(4, 28, 28\)"),
    (np.repeat(_digits(), 3, axis=-1), r"channels is 3, expected 1"),
    (_digits()[:, :14], r"axis 1 is 14, expected 28"),
    (_digits()[:0], r"`x` holds no samples"),
    (_digits() * 127.5 + 127.5, r"values run from .* to .*; expected floats in \[-1, 1\].*0\.\.255 pixels"),
    ((_digits() * 1000).astype("int16"), r"holds int16 integers; images are expected as uint8"),
    (_NAN, r"holds 1 NaN/inf value\(s\) \(first in sample 2\)"),
    (_digits().astype(bool), r"has dtype bool"),
])
def test_fit_refuses_bad_image_arrays_before_any_step(x, message):
    m = _image_gan()
    before = [np.array(v) for v in m.generator.get_weights()]
    with pytest.raises(ValueError, match=message):
        m.fit(x, batch_size=2, epochs=1, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, m.generator.get_weights()))


def test_fit_takes_uint8_images_and_a_data_set_smaller_than_a_batch():
    m = _image_gan()
    x = np.random.default_rng(0).integers(0, 256, (3, 28, 28, 1), dtype=np.uint8)
    before = [np.array(v) for v in m.generator.get_weights()]
    history = m.fit(x, batch_size=8, epochs=2, verbose=0)  # 3 samples, batch 8: one partial batch per epoch
    assert len(history.history["g_loss"]) == 2 and all(np.isfinite(history.history["g_loss"]))
    assert not np.array_equal(before[0], m.generator.get_weights()[0])


@pytest.mark.parametrize("labels, message", [
    (np.array([0, 1, 3, 2]), r"`y` must be in \[0, 2\] \(num_classes=3\); got values from 0 to 3"),
    (np.array([0, -1, 1, 2]), r"got values from -1 to 2"),
    (np.array([0.0, 1.5, 1.0, 2.0]), r"non-integer values"),
    (np.eye(3)[[0, 1, 2, 0]], r"one-hot labels: pass labels.argmax\(-1\)"),
    (np.array([0, 1, 2]), r"one label per sample \(4\)"),
])
def test_conditional_fit_refuses_bad_labels(labels, message):
    with pytest.raises(ValueError, match=message):
        _gan(conditional=True).fit(_digits(), labels, batch_size=2, verbose=0)


def test_conditional_fit_takes_whole_number_float_labels():
    h = _gan(conditional=True).fit(_digits(), np.array([0.0, 1.0, 2.0, 1.0]), batch_size=2, verbose=0)
    assert np.isfinite(h.history["g_loss"][0])


def test_cyclegan_and_srgan_fit_name_the_bad_image_set():
    A = kg.cyclegan
    cg = kg.CycleGAN(A.resnet_generator(n_blocks=1, filters=4, name="g_ab"),
                     A.resnet_generator(n_blocks=1, filters=4, name="g_ba"),
                     A.patchgan_discriminator(filters=4, name="d_a"),
                     A.patchgan_discriminator(filters=4, name="d_b"), seed=0)
    cg.compile(g_optimizer=keras.optimizers.Adam(1e-4), d_optimizer=keras.optimizers.Adam(1e-4))
    a = np.zeros((2, 16, 16, 3), np.uint8)
    with pytest.raises(ValueError, match=r"CycleGAN.fit: `y \(images_b\)` samples have shape \(16, 16, 1\).*channels is 1"):
        cg.fit(a, np.zeros((2, 16, 16, 1), np.uint8), verbose=0)
    with pytest.raises(ValueError, match=r"`x\[1\] \(images_b\)` values run from 255 to 255"):
        cg.fit((a, np.full((2, 16, 16, 3), 255.0, np.float32)), verbose=0)
    with pytest.raises(ValueError, match=r"CycleGAN.fit needs two image sets"):
        cg.fit(a, verbose=0)
    g = kg.srgan.srresnet(scale=4, blocks=1, filters=4)
    d = kg.srgan.srgan_discriminator(filters=4, image_size=16, dense=8)
    sr = kg.SRGAN(g, d)
    sr.compile(g_optimizer=keras.optimizers.Adam(1e-4), d_optimizer=keras.optimizers.Adam(1e-4))
    lr = np.random.default_rng(0).uniform(-1, 1, (2, 4, 4, 3)).astype("float32")  # [-1, 1]: wrong for low-res
    with pytest.raises(ValueError, match=r"SRGAN.fit: `x` values run from -.* expected floats in \[0, 1\]"):
        sr.fit(lr, np.zeros((2, 16, 16, 3), np.float32), verbose=0)
    with pytest.raises(ValueError, match=r"SRGAN.fit: `y` samples have shape \(32, 32, 3\).*\(16, 16, 3\)"):
        sr.fit(np.abs(lr), np.zeros((2, 32, 32, 3), np.float32), verbose=0)


# ------------------------------------------------------------------ outputs
def test_cli_refuses_to_overwrite_unless_asked_and_names_unwritable_outputs(tmp_path, capsys):
    from keras_gans.cli import main

    out = tmp_path / "grid.png"
    out.write_bytes(b"an earlier result")
    assert main(["generate", "dcgan_mnist", "-n", "4", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "1 output file(s) exist already" in err and str(out) in err and "--overwrite" in err
    assert out.read_bytes() == b"an earlier result"  # nothing was written
    assert main(["generate", "dcgan_mnist", "-n", "4", "-o", str(out), "--overwrite"]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # an output whose folder is a file, and an output that is a folder
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    assert main(["generate", "dcgan_mnist", "-n", "4", "-o", str(blocker / "grid.png")]) == 1
    assert f"{blocker} exists and is not a folder" in capsys.readouterr().err
    assert main(["generate", "dcgan_mnist", "-n", "4", "-o", str(tmp_path)]) == 1
    assert "is a folder; expected an image file name" in capsys.readouterr().err
    # a folder where nothing can be created (read-only file system, even for root)
    assert main(["generate", "dcgan_mnist", "-n", "4", "-o", "/proc/keras_gans_test/grid.png"]) == 1
    assert "Cannot create the output folder /proc/keras_gans_test" in capsys.readouterr().err
    # paths with spaces and non-ASCII characters
    odd = tmp_path / "mes images" / "grille été.png"
    assert main(["generate", "dcgan_mnist", "-n", "4", "-o", str(odd)]) == 0 and odd.is_file()


def test_folder_batch_checks_every_output_before_any_work(tmp_path, capsys):
    from PIL import Image

    from keras_gans.cli import file_jobs

    src, dst = tmp_path / "in", tmp_path / "out"
    src.mkdir(), dst.mkdir()
    for name in ("a", "b", "c"):
        Image.new("RGB", (8, 8)).save(src / f"{name}.png")
    (dst / "b.png").write_bytes(b"keep me")
    with pytest.raises(FileExistsError, match=r"1 output file\(s\) exist already: .*b\.png"):
        file_jobs(src, dst)
    assert sorted(p.name for p in dst.iterdir()) == ["b.png"]
    assert [d.name for _, d in file_jobs(src, dst, overwrite=True)] == ["a.png", "b.png", "c.png"]


_WRITER = r"""
import sys, numpy as np
from PIL import Image
from keras_gans.cli import save_image
rng = np.random.default_rng(0)
images = [Image.fromarray(rng.integers(0, 256, (1200, 1200, 3), dtype=np.uint8)) for _ in range(2)]
print("ready", flush=True)
i = 0
while True:
    save_image(images[i % 2], sys.argv[1])
    i += 1
"""


@pytest.mark.skipif(keras.backend.backend() != "torch",
                    reason="the PNG writer is the same code on every backend (25-44 s): torch pass")
def test_a_png_writer_killed_at_any_instant_leaves_the_old_file_or_the_new_one(tmp_path):
    """SIGKILL a process that keeps rewriting a 4 MB PNG: the file always
    decodes whole, to one of the two images (never a truncated mix)."""
    import subprocess
    import sys
    import time

    from PIL import Image

    out = tmp_path / "grid.png"
    rng = np.random.default_rng(0)
    expected = [rng.integers(0, 256, (1200, 1200, 3), dtype=np.uint8) for _ in range(2)]
    delays = np.random.default_rng(1).uniform(0.05, 0.6, size=6)
    for delay in delays:
        proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(out)], stdout=subprocess.PIPE)
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        proc.kill()
        proc.wait()
        if out.exists():
            with Image.open(out) as im:
                got = np.asarray(im.convert("RGB"))
            assert any(np.array_equal(got, e) for e in expected)
    assert out.exists()
    # what a kill leaves besides is a hidden temporary file, never the target name
    assert all(p.name.startswith(".grid.png.") for p in tmp_path.iterdir() if p.name != "grid.png")


# ---------------------------------------------------------- weights and entries
@pytest.fixture
def tiny_entry(tmp_path):
    return kg.zoo.save(_gan(), tmp_path / "tiny", card={"task": "test"})


def _edit_config(entry, edit):
    import json

    file = entry / "config.json"
    config = json.loads(file.read_text())
    config = edit(config)
    file.write_text(json.dumps(config))


@pytest.mark.parametrize("edit, message", [
    (lambda c: [c], r"holds a JSON list; expected an object with the keys 'format', 'model' and 'weights'"),
    (lambda c: {**c, "format": "keras_gans.zoo/9"}, r"has format 'keras_gans.zoo/9'; this keras_gans reads 'keras_gans.zoo/1'"),
    (lambda c: {**c, "format": "something/1"}, r"is not a keras_gans zoo config"),
    (lambda c: {**{k: v for k, v in c.items() if k != "weights"}, "weigths": c["weights"]},
     r"has no 'weights' section \(is 'weigths' a misspelling of 'weights'\?\)"),
    (lambda c: {**c, "weights": {**c["weights"], "sha256": None}}, r"records no sha256"),
    (lambda c: {**c, "model": {**c["model"], "class_name": "NoSuchGame", "registered_name": "NoSuchGame"}},
     r"its 'model' section does not rebuild a model"),
    (lambda c: {**c, "model": {**c["model"], "config": {**c["model"]["config"], "latent_dim": "two"}}},
     r"its 'model' section does not rebuild a model"),
])
def test_bad_entry_configs_are_clear_errors(tiny_entry, edit, message):
    _edit_config(tiny_entry, edit)
    with pytest.raises(kg.zoo.ZooIntegrityError, match=message):
        kg.zoo.load(tiny_entry)


def test_unknown_config_keys_are_kept_with_a_warning(tiny_entry):
    _edit_config(tiny_entry, lambda c: {**c, "colour": "blue"})
    with pytest.warns(UserWarning, match=r"unknown key\(s\) \['colour'\] are kept as card fields"):
        info = kg.zoo.info(tiny_entry)
    assert info["colour"] == "blue"
    with pytest.warns(UserWarning):
        assert kg.zoo.load(tiny_entry).generate(2).shape == (2, 2)


def test_weights_of_another_architecture_are_a_clear_error(tiny_entry, tmp_path):

    from keras_gans.files import sha256_file

    other = kg.GAN(kg.architectures.mlp_generator(2, 2, (16, 16)), kg.architectures.mlp_discriminator(2, (16, 16)),
                   latent_dim=2, seed=0)
    other_entry = kg.zoo.save(other, tmp_path / "other")
    weights = tiny_entry / "model.weights.h5"
    weights.write_bytes((other_entry / "model.weights.h5").read_bytes())
    _edit_config(tiny_entry, lambda c: {**c, "weights": {**c["weights"], "sha256": sha256_file(weights),
                                                          "size": weights.stat().st_size}})
    with pytest.raises(kg.zoo.ZooIntegrityError, match=r"does not fit the architecture in .*config.json"):
        kg.zoo.load(tiny_entry)


def test_a_keras_file_with_a_lambda_layer_is_refused_in_safe_mode(tmp_path, capsys):
    from keras_gans.cli import main

    inputs = keras.Input((4, 4, 3))
    model = keras.Model(inputs, keras.layers.Lambda(lambda t: t * 2.0)(inputs))
    path = tmp_path / "lambda.keras"
    model.save(path)
    with pytest.raises(ValueError, match=r"holds a Lambda layer .* safe_mode=False\) \(CLI: --unsafe-load\)"):
        kg.zoo.load_any(path)
    loaded = kg.zoo.load_any(path, safe_mode=False)
    x = np.ones((1, 4, 4, 3), "float32")
    assert np.allclose(keras.ops.convert_to_numpy(loaded(x)), 2.0)
    from PIL import Image

    Image.new("RGB", (4, 4)).save(tmp_path / "in.png")
    assert main(["upscale", str(path), str(tmp_path / "in.png"), "-o", str(tmp_path / "o.png")]) == 1
    assert "holds a Lambda layer" in capsys.readouterr().err


def test_a_missing_weights_file_is_named(tiny_entry):
    (tiny_entry / "model.weights.h5").unlink()
    with pytest.raises(kg.zoo.ZooIntegrityError, match=r"Weights file missing: .*model.weights.h5 \(named in .*config.json\)"):
        kg.zoo.load(tiny_entry)


def test_input_paths_with_spaces_and_non_ascii_characters(tmp_path):
    from PIL import Image

    from keras_gans.cli import main

    folder = tmp_path / "mes photos été"
    folder.mkdir()
    Image.fromarray(np.full((8, 8, 3), 128, np.uint8)).save(folder / "pomme rouge é.png")
    keras.utils.set_random_seed(0)
    model = kg.srgan.srresnet(scale=4, blocks=1, filters=4)
    model.save(tmp_path / "sr model.keras")
    out = tmp_path / "sortie dossier"
    assert main(["upscale", str(tmp_path / "sr model.keras"), str(folder), "-o", str(out)]) == 0
    with Image.open(out / "pomme rouge é.png") as im:
        assert im.size == (32, 32)
