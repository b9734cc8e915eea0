"""kg.data.paired on generated folders (the aligned A|B layout and two folders
of matching names), and ``keras-gans train pix2pix``."""

import csv

import keras
import numpy as np
import pytest

import keras_gans as kg
from keras_gans.cli import main

PIL = pytest.importorskip("PIL")
from PIL import Image  # noqa: E402


def coordinate_image(seed, size=40):
    """An image whose pixels say where they are (R = column, G = row) plus a
    per-image blue, so a crop or flip shows in the pixels."""
    yy, xx = np.mgrid[0:size, 0:size]
    blue = np.full((size, size), 10 * seed, np.int64)
    return np.stack([xx * 5, yy * 5, blue], -1).astype(np.uint8)


def aligned_folder(folder, n=5, size=40):
    """n images A|B side by side, B = 255 - A."""
    folder.mkdir(parents=True)
    for i in range(n):
        a = coordinate_image(i, size)
        Image.fromarray(np.concatenate([a, 255 - a], axis=1)).save(folder / f"{i:03d}.png")


def test_aligned_layout_shares_crop_and_flip_and_is_reproducible(tmp_path):
    aligned_folder(tmp_path / "train")
    # load_size = the images' side: no resampling, so the pixels can be checked exactly
    data = kg.data.paired(tmp_path / "train", image_size=32, load_size=40, batch_size=2, seed=7)
    assert len(data) == 2  # 5 pairs // 2
    again = kg.data.paired(tmp_path / "train", image_size=32, load_size=40, batch_size=2, seed=7)
    np.testing.assert_array_equal(again[1][0], data[1][0])  # a function of (seed, epoch, index)
    again.set_epoch(3)
    assert not np.array_equal(again[1][0], data[1][0])
    flipped, corners = [], set()
    for epoch in range(6):
        data.set_epoch(epoch)
        for i in range(len(data)):
            x, y = data[i]
            assert x.shape == (2, 32, 32, 3) and x.dtype == np.uint8 and y.dtype == np.uint8
            np.testing.assert_array_equal(y, 255 - x)  # one crop and flip for input and target
            for img in x:
                flipped.append(bool(img[0, 0, 0] > img[0, -1, 0]))
                corners.add((min(img[0, 0, 0], img[0, -1, 0]) // 5, img[0, 0, 1] // 5))
    assert 0 < sum(flipped) < len(flipped) and len(corners) > 3
    back = kg.data.paired(tmp_path / "train", image_size=40, load_size=40, batch_size=5, direction="BtoA",
                          flip=False, shuffle=False)
    x, y = back[0]
    np.testing.assert_array_equal(y[2], coordinate_image(2))  # BtoA: the right half is the input
    np.testing.assert_array_equal(x[2], 255 - coordinate_image(2))
    resized = kg.data.paired(tmp_path / "train", image_size=16)  # the authors' 286/256 resize, then crop
    assert resized.inputs.shape == (5, 17, 17, 3) and resized[0][0].shape == (1, 16, 16, 3)


def test_two_folders_of_matching_names(tmp_path):
    (tmp_path / "edges").mkdir()
    (tmp_path / "photos").mkdir()
    for i in range(3):
        a = coordinate_image(i, 32)
        Image.fromarray(a).save(tmp_path / "edges" / f"img{i}.png")
        Image.fromarray(255 - a).save(tmp_path / "photos" / f"img{i}.bmp")  # another ending, the same name
    data = kg.data.paired(tmp_path / "edges", tmp_path / "photos", image_size=32, load_size=32, batch_size=3,
                          shuffle=False, flip=False)
    x, y = data[0]
    np.testing.assert_array_equal(x, np.stack([coordinate_image(i, 32) for i in range(3)]))
    np.testing.assert_array_equal(y, 255 - x)
    Image.fromarray(coordinate_image(9, 32)).save(tmp_path / "edges" / "extra.png")
    with pytest.raises(ValueError, match=r"only in .*edges: extra; only in .*photos: none"):
        kg.data.paired(tmp_path / "edges", tmp_path / "photos", image_size=32)
    Image.fromarray(coordinate_image(9, 32)).save(tmp_path / "photos" / "extra.png")
    Image.fromarray(coordinate_image(9, 32)).save(tmp_path / "photos" / "extra.bmp")
    with pytest.raises(ValueError, match="several images named 'extra'"):
        kg.data.paired(tmp_path / "edges", tmp_path / "photos", image_size=32)


def test_bad_aligned_images_and_arguments(tmp_path):
    (tmp_path / "odd").mkdir()
    Image.fromarray(np.zeros((20, 41, 3), np.uint8)).save(tmp_path / "odd" / "x.png")
    with pytest.raises(ValueError, match=r"x.png is 41 pixels wide, an odd width"):
        kg.data.paired(tmp_path / "odd", image_size=16)
    aligned_folder(tmp_path / "ok", n=2)
    with pytest.raises(ValueError, match="direction must be 'AtoB' or 'BtoA'"):
        kg.data.paired(tmp_path / "ok", image_size=16, direction="a2b")
    with pytest.raises(ValueError, match="fewer than one batch of 4"):
        kg.data.paired(tmp_path / "ok", image_size=16, batch_size=4)
    with pytest.raises(FileNotFoundError, match="No images"):
        kg.data.paired(tmp_path / "odd" / "..", image_size=16, targets=tmp_path / "ok" / "missing")


@pytest.mark.skipif(keras.backend.backend() == "jax", reason="compiles a pix2pix step: the tensorflow and torch passes")
def test_train_pix2pix_from_the_cli_resumes_and_exports(tmp_path):
    aligned_folder(tmp_path / "pairs", n=2, size=32)
    run = tmp_path / "run"
    args = ["train", "pix2pix", "--pairs", str(tmp_path / "pairs"), "--image-size", "32", "--filters", "4",
            "--out", str(run), "--save-every", "1"]
    assert main(args + ["--epochs", "1"]) == 0
    assert main(args + ["--epochs", "2"]) == 0  # goes on from the checkpoint: epoch 2 only
    rows = list(csv.DictReader(open(run / "log.csv")))
    assert [r["epoch"] for r in rows] == ["0", "1"] and all(np.isfinite(float(r["l1_loss"])) for r in rows)
    with Image.open(run / "samples" / "epoch_0002.png") as im:  # [input | output | target] of the first batch (1)
        assert im.size == (3 * 32 + 4 * 2, 32 + 2 * 2)
    game = keras.saving.load_model(run / "game.keras")
    assert isinstance(game, kg.Pix2Pix) and game.image_size == 32 and int(game.g_optimizer.iterations) == 4
    entry = tmp_path / "my_pix2pix"
    assert main(["export", str(run), "--out", str(entry)]) == 0
    assert kg.zoo.load(entry).translate(np.zeros((32, 32, 3), np.uint8), mode="eval").shape == (32, 32, 3)
    assert main(["train", "pix2pix", "--pairs", str(tmp_path / "pairs"), "--image-size", "48",
                 "--out", str(tmp_path / "r2")]) == 1
