"""The pix2pix_edges2flowers recipe: its edge detector, and ``--smoke`` end to end."""

import importlib.util

import keras
import numpy as np
import pytest

from conftest import REPO, shared_data

HERE = REPO / "zoo" / "pix2pix_edges2flowers"


def module(name):
    spec = importlib.util.spec_from_file_location(f"pix2pix_{name}", HERE / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def recipe():
    return module("recipe")


def test_edges_outline_a_square_and_leave_flat_images_blank(recipe):
    img = np.full((48, 48, 3), 30, np.uint8)
    img[12:36, 12:36] = 220  # a bright square on a dark ground
    e = recipe.edges(img)
    assert e.shape == img.shape and e.dtype == np.uint8 and set(np.unique(e)) == {0, 255}
    assert (e[..., 0] == e[..., 1]).all() and (e[..., 1] == e[..., 2]).all()
    line = e[..., 0] == 0
    # a closed one-pixel-wide outline near the square's border, nothing inside or far outside
    assert line[10:38, 10:38].sum() == line.sum() and not line[16:32, 16:32].any()
    rows, cols = np.nonzero(line)
    assert rows.min() in (11, 12) and rows.max() in (35, 36) and cols.min() in (11, 12) and cols.max() in (35, 36)
    assert 80 <= line.sum() <= 110  # ~4 x 24: thin (non-maximum suppression), closed (hysteresis)
    np.testing.assert_array_equal(recipe.edges(img), e)  # deterministic
    assert (recipe.edges(np.full((32, 32, 3), 90, np.uint8)) == 255).all()  # flat: no edge (the absolute floor)
    noise = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    assert 0.02 < (recipe.edges(noise)[..., 0] == 0).mean() < 0.4


def test_heldout_split_is_every_tenth_file(recipe):
    shared_data("flowers_ccby_128")
    split = recipe.load_split(32, limit=30)
    assert len(split["heldout"][2]) == 3 and len(split["train"][2]) == 27
    everything = sorted(split["heldout"][2] + split["train"][2])
    assert split["heldout"][2] == [everything[i] for i in (0, 10, 20)]
    assert split["train"][0].shape == (27, 32, 32, 3) and split["train"][1].dtype == np.uint8
    np.testing.assert_array_equal(split["heldout"][0][1], recipe.edges(split["heldout"][1][1]))


@pytest.mark.skipif(keras.backend.backend() == "jax", reason="compiles a pix2pix step: the tensorflow and torch passes")
def test_recipe_smoke_trains_exports_and_evaluates(recipe, capsys):
    """2 steps at 32 px on 20 photos, the entry written and loaded, then
    evaluate.measure: every metric finite, samples.png written."""
    shared_data("flowers_ccby_128")
    assert recipe.main(["--smoke"]) == 0
    out = capsys.readouterr().out
    assert "smoke OK" in out
    saved = out.split("saved ")[1].split(":")[0]
    import json
    from pathlib import Path

    config = json.loads((Path(saved) / "config.json").read_text())
    assert config["training"]["steps"] == 2 and config["preprocessing"]["image_size"] == 32
    assert (Path(saved) / "samples.png").is_file() and (Path(saved) / "ATTRIBUTION.txt").is_file()
    metrics = eval(out.split("smoke OK: ")[1].strip().splitlines()[0])  # the printed dict
    assert set(metrics) == {"ours_authors", "ours_eval", "mean_training_photo", "grey_128", "fd_floor_training_photos"}
    assert all(np.isfinite(v) for k, m in metrics.items() if isinstance(m, dict) for v in m.values())
