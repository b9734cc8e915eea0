"""``keras-gans generate`` and ``keras-gans zoo`` called in-process."""

import json

import keras
import numpy as np
import pytest

import keras_gans as kg
from keras_gans import cli
from keras_gans.images import grid_shape, make_grid

PIL = pytest.importorskip("PIL.Image")


def _grid_size(n, cell, pad=2):
    rows, cols = grid_shape(n)
    return cols * cell + (cols + 1) * pad, rows * cell + (rows + 1) * pad  # (width, height)


def test_generate_writes_a_png_grid(tmp_path, capsys):
    out = tmp_path / "not" / "yet" / "grid.png"  # missing folders are created
    assert cli.main(["generate", "dcgan_mnist", "-n", "10", "-o", str(out), "--seed", "1"]) == 0
    with PIL.open(out) as im:
        assert im.format == "PNG" and im.mode == "L"
        assert im.size == _grid_size(10, 28) == (4 * 28 + 5 * 2, 3 * 28 + 4 * 2)
        grid = np.asarray(im)
    assert grid[:2].max() == 0  # padding is black
    assert grid.max() > 200  # digits are drawn (white strokes)
    assert "wrote" in capsys.readouterr().out
    # same seed, same picture; another seed, another one
    out2 = tmp_path / "grid2.png"
    cli.main(["generate", "dcgan_mnist", "-n", "10", "-o", str(out2), "--seed", "1"])
    assert np.array_equal(np.asarray(PIL.open(out2)), grid)


def _cells(grid, n, cell=28, pad=2):
    rows, cols = grid_shape(n)
    out = []
    for i in range(n):
        r, c = divmod(i, cols)
        y, x = pad + r * (cell + pad), pad + c * (cell + pad)
        out.append(grid[y : y + cell, x : x + cell])
    return np.stack(out)[..., None].astype("float32") / 127.5 - 1.0


def test_generate_label_for_the_conditional_entry(tmp_path):
    out = tmp_path / "threes.png"
    assert cli.main(["generate", "cdcgan_mnist", "-n", "16", "-o", str(out), "--label", "3"]) == 0
    grid = np.asarray(PIL.open(out))
    assert grid.shape[::-1] == _grid_size(16, 28)
    probs = keras.ops.convert_to_numpy(kg.zoo.load("lenet_mnist")(_cells(grid, 16), training=False))
    assert (probs.argmax(1) == 3).mean() >= 0.9


def test_generate_errors(tmp_path, capsys):
    assert cli.main(["generate", "dcgan_mnst", "-o", str(tmp_path / "x.png")]) == 1
    err = capsys.readouterr().err
    assert "Unknown zoo entry 'dcgan_mnst'" in err and "Did you mean 'dcgan_mnist'?" in err
    assert cli.main(["generate", "dcgan_mnist", "--label", "3", "-o", str(tmp_path / "x.png")]) == 1
    assert "unconditional" in capsys.readouterr().err
    assert cli.main(["generate", "lenet_mnist", "-o", str(tmp_path / "x.png")]) == 1
    assert "not a generator" in capsys.readouterr().err
    assert cli.main(["generate", "cdcgan_mnist", "--label", "12", "-o", str(tmp_path / "x.png")]) == 1
    assert "labels must be in [0, 9]" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_make_grid_layout():
    imgs = np.stack([np.full((3, 3, 3), v, "float32") for v in (-1.0, 0.0, 1.0)])
    g = make_grid(imgs, columns=3, padding=1)
    assert g.shape == (5, 13, 3)
    assert g[1, 1, 0] == 0 and g[1, 5, 0] == 128 and g[1, 9, 0] == 255 and g[0].max() == 0


def test_zoo_list_and_info(capsys):
    assert cli.main(["zoo", "list"]) == 0
    listed = capsys.readouterr().out.split("\n")
    names = [line.split()[0] for line in listed if line.strip()]
    assert {"dcgan_mnist", "cdcgan_mnist", "lenet_mnist"} <= set(names)
    assert cli.main(["zoo", "info", "dcgan_mnist"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["name"] == "dcgan_mnist" and len(info["sha256"]) == 64 and info["metrics"]
    assert cli.main(["zoo", "info", "nope"]) == 1


@pytest.mark.skipif(__import__("keras").backend.backend() != "tensorflow", reason="the main job, end to end: tensorflow pass")
def test_demo_writes_every_output_and_can_run_twice(tmp_path):
    for _ in range(2):  # it rewrites its own files
        assert cli.main(["demo", "--out", str(tmp_path)]) == 0
    names = {p.name for p in tmp_path.iterdir()}
    assert {"dcgan_mnist.png", "cdcgan_mnist_3.png", "dcgan_flowers64.png"} <= names
    if "astronaut_lr.png" in names:
        with PIL.open(tmp_path / "astronaut_x4.png") as im:
            assert im.size == (512, 512)
