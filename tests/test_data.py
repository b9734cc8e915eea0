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
