"""Data loaders: MNIST IDX files, the fixed 8,000/2,000 split, image folders."""

import gzip

import numpy as np
import pytest

import keras_gans as kg
from conftest import shared_data


def _write_idx(folder, images, labels):
    folder.mkdir(parents=True, exist_ok=True)
    header = (0x0803).to_bytes(4, "big") + len(images).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2
    with gzip.open(folder / "t10k-images-idx3-ubyte.gz", "wb") as f:
        f.write(header + images.astype(np.uint8).tobytes())
    with gzip.open(folder / "t10k-labels-idx1-ubyte.gz", "wb") as f:
        f.write((0x0801).to_bytes(4, "big") + len(labels).to_bytes(4, "big") + labels.astype(np.uint8).tobytes())


def test_mnist_from_idx_files_and_value_range(tmp_path):
    rng = np.random.default_rng(0)
    images, labels = rng.integers(0, 256, (30, 28, 28)), rng.integers(0, 10, 30)
    _write_idx(tmp_path / "m", images, labels)
    x, y = kg.data.load_mnist(tmp_path / "m")
    assert x.dtype == np.uint8 and x.shape == (30, 28, 28) and np.array_equal(x, images)
    assert y.dtype == np.int32 and np.array_equal(y, labels)
    xf, _ = kg.data.load_mnist(tmp_path / "m", value_range=(-1, 1))
    assert xf.shape == (30, 28, 28, 1) and xf.dtype == np.float32
    np.testing.assert_allclose(xf[..., 0], images / 127.5 - 1, atol=1e-6)


def test_real_mnist_split_is_fixed_and_disjoint():
    shared_data("mnist")
    x, y = kg.data.load_mnist()
    assert x.shape == (10000, 28, 28) and np.bincount(y).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    xt, yt = kg.data.load_mnist(split="train")
    xh, yh = kg.data.load_mnist(split="heldout")
    assert len(xt) == 8000 and len(xh) == 2000
    (xt2, yt2), (xh2, yh2) = kg.data.train_heldout_split(x, y, n_heldout=2000, seed=0)
    assert np.array_equal(xt, xt2) and np.array_equal(yh, yh2)
    # disjoint: no held-out image is a training image (by index of the permutation)
    _, held_idx = kg.data.train_heldout_split(np.arange(10000))
    train_idx, _ = kg.data.train_heldout_split(np.arange(10000))
    assert not set(held_idx[0]) & set(train_idx[0])
    assert held_idx[0][:5].tolist() == sorted(held_idx[0][:5].tolist())


def test_missing_data_is_a_clear_error(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match="Nothing is downloaded"):
        kg.data.load_mnist(tmp_path / "nowhere")
    monkeypatch.setenv("KERAS_GANS_DATA", str(tmp_path))
    assert kg.data.data_dir() == tmp_path
    with pytest.raises(FileNotFoundError, match="KERAS_GANS_DATA"):
        kg.data.load_mnist()
    (tmp_path / "mnist").mkdir()
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte.gz"):
        kg.data.load_mnist()
    with pytest.raises(ValueError, match="split must be"):
        kg.data.load_mnist(split="test")


def test_image_folder(tmp_path):
    from PIL import Image

    for cls, color in (("a", (255, 0, 0)), ("b", (0, 0, 255))):
        (tmp_path / cls).mkdir()
        for i in range(3):
            im = np.zeros((40, 60, 3), np.uint8)
            im[:, 10:50] = color  # the centre square (cols 10..49) is all `color`
            Image.fromarray(im).save(tmp_path / cls / f"{i}.png")
    x, y, names = kg.data.load_image_folder(tmp_path, 8, with_labels=True)
    assert x.shape == (6, 8, 8, 3) and names == ["a", "b"] and y.tolist() == [0, 0, 0, 1, 1, 1]
    np.testing.assert_allclose(x[0, ..., 0], 1.0, atol=1e-6)  # red after the centre crop
    np.testing.assert_allclose(x[5, ..., 2], 1.0, atol=1e-6)
    np.testing.assert_allclose(x[5, ..., 0], -1.0, atol=1e-6)
    raw = kg.data.load_image_folder(tmp_path, 4, value_range=None, limit=2)
    assert raw.dtype == np.uint8 and raw.shape == (2, 4, 4, 3)
    assert raw[0, 0, 0, 0] == 255 and raw[1, 0, 0, 2] == 255  # limit spreads over both classes
    grey = kg.data.load_image_folder(tmp_path, 4, channels=1)
    assert grey.shape == (6, 4, 4, 1)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="No images"):
        kg.data.load_image_folder(tmp_path / "empty", 4)


# --------------------------------------------------- folders -> batches for fit
def _folder_of_images(folder, n, size=(40, 30), seed=0, bad=()):
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for i in range(n):
        Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)).save(folder / f"{i}.png")
    for name in bad:
        (folder / name).write_text("not an image")


def _assert_a_conditional_gan_trains_on(data):
    """One epoch of a tiny 28 px, 3-class conditional DCGAN on ``data``: finite losses."""
    import keras

    A = kg.architectures
    keras.utils.set_random_seed(0)
    cgan = kg.ConditionalGAN(A.dcgan_generator(4, 28, 1, 4, num_classes=3, seed=0),
                             A.dcgan_discriminator(28, 1, 4, num_classes=3, seed=1), latent_dim=4, num_classes=3)
    cgan.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-3))
    h = cgan.fit(data, epochs=1, verbose=0)
    assert np.isfinite(h.history["d_loss"][0]) and np.isfinite(h.history["g_loss"][0])


def test_image_folder_labels_skips_bad_files_and_trains_a_conditional_gan(tmp_path):

    for k, cls in enumerate(("cats", "dogs", "owls")):
        _folder_of_images(tmp_path / cls, 3, seed=k, bad=("broken.jpg",) if cls == "dogs" else ())
    with pytest.warns(UserWarning, match=r"skipped 1 of 10 file\(s\): .*dogs/broken.jpg: not a readable image"):
        data = kg.data.image_folder(tmp_path, 28, batch_size=4, labels=True, channels=1, seed=0)
    assert data.class_names == ["cats", "dogs", "owls"] and len(data.skipped) == 1 and len(data) == 3
    x, y = data[0]
    assert x.shape == (4, 28, 28, 1) and x.dtype == np.uint8 and y.dtype == np.int32
    assert sorted(np.concatenate([data[i][1] for i in range(3)]).tolist()) == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    first = [data[i][1].tolist() for i in range(3)]
    data.set_epoch(1)
    assert [data[i][1].tolist() for i in range(3)] != first  # reshuffled per epoch...
    data.set_epoch(0)
    assert [data[i][1].tolist() for i in range(3)] == first  # ...from (seed, epoch)
    data.on_epoch_end()  # what a plain Keras fit calls between epochs
    assert data.epoch == 1 and [data[i][1].tolist() for i in range(3)] != first
    data.set_epoch(0)
    _assert_a_conditional_gan_trains_on(data)


def test_unpaired_batches_train_a_cyclegan(tmp_path):
    import keras

    _folder_of_images(tmp_path / "trainA", 3, seed=1)
    _folder_of_images(tmp_path / "trainB", 5, seed=2)
    data = kg.data.unpaired(tmp_path / "trainA", tmp_path / "trainB", 32, batch_size=2, seed=0)
    assert len(data) == 2 and data.a.shape == (3, 35, 35, 3)  # load size 32 * 286 // 256
    a, b = data[1]
    assert a.shape == b.shape == (2, 32, 32, 3) and a.dtype == np.uint8
    assert np.array_equal(data[1][0], a)  # a batch is a function of (seed, epoch, index)
    S = kg.cyclegan
    cg = kg.CycleGAN(S.resnet_generator(n_blocks=1, filters=4, name="g_ab"), S.resnet_generator(n_blocks=1, filters=4, name="g_ba"),
                     S.patchgan_discriminator(filters=4, name="d_a"), S.patchgan_discriminator(filters=4, name="d_b"), seed=0)
    cg.compile(g_optimizer=keras.optimizers.Adam(1e-4), d_optimizer=keras.optimizers.Adam(1e-4))
    h = cg.fit(data, epochs=1, verbose=0)
    assert np.isfinite(h.history["cycle_loss"][0])
    with pytest.raises(ValueError, match="fewer than one batch of 8"):
        kg.data.unpaired(tmp_path / "trainA", tmp_path / "trainB", 32, batch_size=8)


def test_sr_pairs_patches_and_errors(tmp_path):
    _folder_of_images(tmp_path / "hr", 2, size=(50, 40))
    _folder_of_images(tmp_path / "hr" / "small", 0)
    from PIL import Image

    Image.new("RGB", (20, 20)).save(tmp_path / "hr" / "tiny.png")
    with pytest.warns(UserWarning, match=r"tiny.png: 20x20 is smaller than 32 px"):
        data = kg.data.sr_pairs(tmp_path / "hr", scale=4, patch_size=32, batch_size=3, steps_per_epoch=5)
    lr, hr = data[4]
    assert lr.shape == (3, 8, 8, 3) and hr.shape == (3, 32, 32, 3) and len(data) == 5
    with pytest.raises(ValueError, match=r"`patch_size` \(30\) must be a multiple of `scale` \(4\)"):
        kg.data.sr_pairs(tmp_path / "hr", patch_size=30)
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "x.jpg").write_bytes(b"")
    with pytest.warns(UserWarning), pytest.raises(FileNotFoundError, match=r"No usable image in .*empty \(1 file\(s\) skipped"):
        kg.data.sr_pairs(tmp_path / "empty")


def test_sr_pairs_draws_the_srresnet_recipes_batches():
    """The zoo recipe's T91 batches (its own T91 loader) and kg.data.sr_pairs on
    the folder are the same draws. (Before the recipe used kg.data's SRPairs,
    this compared its own pair sampler: equal, so the run resumed unchanged.)"""
    import importlib.util

    t91 = shared_data("T91")
    from conftest import REPO

    spec = importlib.util.spec_from_file_location("sr_recipe", REPO / "zoo" / "srresnet_x4" / "recipe.py")
    recipe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(recipe)
    theirs = recipe.t91_pairs(recipe.load_t91(t91), steps=3, batch_size=2, crop=96, seed=7)
    ours = kg.data.sr_pairs(t91 / "Train" if (t91 / "Train").is_dir() else t91, 4, 96, 2, 3, seed=7)
    for i in range(3):
        for a, b in zip(theirs[i], ours[i]):
            assert np.array_equal(a, b)


# ------------------------------------------------------------------- tfds
def test_tfds_not_prepared_fails_at_once_naming_the_folder_and_the_alternative(tmp_path):
    import time

    pytest.importorskip("tensorflow_datasets")
    t = time.perf_counter()
    with pytest.raises(FileNotFoundError, match=r"TFDS data set 'cycle_gan/apple2orange' is not prepared in .*nowhere.*kg.data.image_folder"):
        kg.data.tfds("cycle_gan/apple2orange", data_dir=tmp_path / "nowhere")
    assert time.perf_counter() - t < 5


def test_tfds_prepared_locally_trains_a_gan(tmp_path):
    """A tiny TFDS builder prepared into a temporary data_dir (no network)."""

    tfds = pytest.importorskip("tensorflow_datasets")

    class TinyDigits(tfds.core.GeneratorBasedBuilder):
        VERSION = tfds.core.Version("1.0.0")

        def _info(self):
            return tfds.core.DatasetInfo(builder=self, features=tfds.features.FeaturesDict({
                "image": tfds.features.Image(shape=(20, 20, 1)), "label": tfds.features.ClassLabel(num_classes=3)}))

        def _split_generators(self, dl_manager):
            return {"train": self._generate_examples()}

        def _generate_examples(self):
            rng = np.random.default_rng(0)
            for i in range(12):
                yield i, {"image": rng.integers(0, 256, (20, 20, 1), dtype=np.uint8), "label": i % 3}

    TinyDigits(data_dir=str(tmp_path)).download_and_prepare()
    ds = kg.data.tfds("tiny_digits", image_size=28, batch_size=4, labels=True, data_dir=tmp_path)
    x, y = next(iter(ds))
    assert tuple(x.shape) == (4, 28, 28, 1) and x.dtype.name == "uint8" and set(np.asarray(y)) <= {0, 1, 2}
    _assert_a_conditional_gan_trains_on(ds)
