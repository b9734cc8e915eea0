"""The trained pix2pix_edges2flowers entry (once its recipe has run): the
same pixels on every backend, and a card that beats its baselines."""

import json

import keras
import numpy as np
import pytest

from conftest import BACKENDS, REPO, run_in_backend, shared_data

ENTRY = REPO / "zoo" / "pix2pix_edges2flowers"
CODE = """
import sys, numpy as np, keras_gans as kg
x = np.load(sys.argv[1])
np.save(sys.argv[2], kg.zoo.load(sys.argv[3]).translate(x, mode="eval"))
"""


def entry():
    if not (ENTRY / "config.json").is_file():
        pytest.skip("zoo/pix2pix_edges2flowers has not been trained yet (its recipe.py writes it)")
    return ENTRY


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="spawns every backend: runs in the tensorflow pass")
def test_entry_translates_to_the_same_pixels_on_every_backend(tmp_path):
    import importlib.util

    folder = entry()
    shared_data("flowers_ccby_128")
    spec = importlib.util.spec_from_file_location("p2p_recipe", folder / "recipe.py")
    recipe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(recipe)
    edges = recipe.load_split(128, limit=40)["heldout"][0]  # 4 held-out edge maps
    np.save(tmp_path / "x.npy", edges)
    out = {}
    for b in BACKENDS:
        argv = ["worker", str(tmp_path / "x.npy"), str(tmp_path / f"{b}.npy"), str(folder)]
        run_in_backend(b, f"import sys; sys.argv = {argv!r}" + CODE)
        out[b] = np.load(tmp_path / f"{b}.npy").astype(int)
    for b in BACKENDS[1:]:
        assert np.max(np.abs(out[b] - out[BACKENDS[0]])) <= 2, b  # uint8 levels, mode="eval"


def test_card_beats_the_trivial_baselines():
    card = json.loads((entry() / "config.json").read_text())
    m = card["metrics"]
    for mode in ("ours_authors", "ours_eval"):
        for base in ("mean_training_photo", "grey_128"):
            assert m[mode]["fd"] < m[base]["fd"], (mode, base)
    assert "Not measured" not in " ".join(card.get("limits", []))
