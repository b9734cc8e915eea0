"""The same weights give the same outputs, losses and one-step update on
TensorFlow, JAX and PyTorch (tolerance 1e-4). Weights are created and saved
under the active backend, then loaded by a fresh interpreter per backend."""

import pathlib

import numpy as np
import pytest

from conftest import BACKENDS, run_in_backend

WORKER = pathlib.Path(__file__).with_name("cross_backend_worker.py")


@pytest.fixture(scope="module")
def results(tmp_path_factory, request):
    import keras

    folder = tmp_path_factory.mktemp("xb")
    here = keras.backend.backend()
    run_in_backend(here, f"import sys; sys.argv=['w','build',{str(folder)!r}]; exec(open({str(WORKER)!r}).read())")
    out = {}
    for b in BACKENDS:
        path = folder / f"{b}.npz"
        run_in_backend(b, f"import sys; sys.argv=['w','run',{str(folder)!r},{str(path)!r}]; exec(open({str(WORKER)!r}).read())")
        out[b] = dict(np.load(path))
    return out


def test_same_keys(results):
    keys = {b: set(r) for b, r in results.items()}
    assert keys["tensorflow"] == keys["jax"] == keys["torch"]
    # outputs, losses, the penalty, logs of the step and every weight
    sample = keys["jax"]
    for needed in ("ns/g_out", "ns/d_out", "ns/d_loss", "gp/gp", "cg/step_g_loss", "gp/w00"):
        assert needed in sample


@pytest.mark.parametrize("other", ["jax", "torch"])
def test_outputs_losses_and_update_match(results, other):
    ref = results["tensorflow"]
    bad = []
    for key, value in ref.items():
        got = results[other][key]
        if value.shape != got.shape or not np.allclose(got, value, rtol=1e-4, atol=1e-4):
            diff = np.max(np.abs(got - value)) if value.shape == got.shape else "shape"
            bad.append(f"{key}: max diff {diff}")
    assert not bad, f"{other} vs tensorflow:\n" + "\n".join(bad)


def test_training_step_changed_the_weights(results, tmp_path):
    # the comparison above is meaningful only if the step moved the weights
    import keras  # noqa: F401

    r = results["jax"]
    assert float(r["ns/step_d_loss"]) > 0 and np.isfinite(float(r["gp/step_gp"]))
