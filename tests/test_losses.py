"""Each adversarial loss equals a NumPy reference of its formula, also at
extreme logits, on the active backend."""

import keras
import numpy as np
import pytest
from keras import ops

import keras_gans as kg

REAL = np.array([-50.0, -3.0, -0.5, 0.0, 0.7, 2.0, 50.0, 12.0], "float32")
FAKE = np.array([50.0, 1.5, -2.0, 0.0, -0.3, -50.0, 8.0, -12.0], "float32")


def log_sigmoid(t):
    t = t.astype("float64")
    return -np.logaddexp(0.0, -t)


def log_one_minus_sigmoid(t):
    t = t.astype("float64")
    return -np.logaddexp(0.0, t)


REFERENCE = {
    # name: (discriminator loss, generator loss) as in the literature
    "minimax": (
        lambda r, f: -np.mean(log_sigmoid(r)) - np.mean(log_one_minus_sigmoid(f)),
        lambda f: np.mean(log_one_minus_sigmoid(f)),
    ),
    "non_saturating": (
        lambda r, f: -np.mean(log_sigmoid(r)) - np.mean(log_one_minus_sigmoid(f)),
        lambda f: -np.mean(log_sigmoid(f)),
    ),
    "max_likelihood": (
        lambda r, f: -np.mean(log_sigmoid(r)) - np.mean(log_one_minus_sigmoid(f)),
        lambda f: -0.5 * np.mean(np.exp(f.astype("float64"))),
    ),
    "least_squares": (
        lambda r, f: 0.5 * np.mean((r - 1.0) ** 2) + 0.5 * np.mean(f**2),
        lambda f: 0.5 * np.mean((f - 1.0) ** 2),
    ),
    "wasserstein": (lambda r, f: np.mean(f) - np.mean(r), lambda f: -np.mean(f)),
    "hinge": (
        lambda r, f: np.mean(np.maximum(0, 1 - r)) + np.mean(np.maximum(0, 1 + f)),
        lambda f: -np.mean(f),
    ),
}


def test_registry_is_complete():
    assert kg.losses.names() == sorted(REFERENCE)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_loss_matches_numpy_formula(name):
    loss = kg.losses.get(name)
    d_ref, g_ref = REFERENCE[name]
    d = float(ops.convert_to_numpy(loss.discriminator_loss(ops.convert_to_tensor(REAL), ops.convert_to_tensor(FAKE))))
    g = float(ops.convert_to_numpy(loss.generator_loss(ops.convert_to_tensor(FAKE))))
    assert np.isfinite(d) and np.isfinite(g)
    np.testing.assert_allclose(d, d_ref(REAL, FAKE), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(g, g_ref(FAKE), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_loss_on_patch_maps_averages_all_elements(name):
    loss = kg.losses.get(name)
    r = np.linspace(-3, 3, 2 * 4 * 4, dtype="float32").reshape(2, 4, 4, 1)
    f = np.linspace(2, -2, 2 * 4 * 4, dtype="float32").reshape(2, 4, 4, 1)
    d_ref, g_ref = REFERENCE[name]
    d = float(ops.convert_to_numpy(loss.discriminator_loss(r, f)))
    np.testing.assert_allclose(d, d_ref(r.ravel(), f.ravel()), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(float(ops.convert_to_numpy(loss.generator_loss(f))), g_ref(f.ravel()), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["minimax", "non_saturating", "hinge", "least_squares", "wasserstein"])
def test_gradients_finite_at_extreme_logits(name):
    """The generator loss' gradient w.r.t. the logits is finite at +-50."""
    loss = kg.losses.get(name)
    logits = np.array([-50.0, 50.0, 0.0], "float32")
    grad = kg.backend.input_gradient(lambda t: loss.generator_loss(t), logits)
    grad = ops.convert_to_numpy(grad)
    assert np.all(np.isfinite(grad))
    if name == "non_saturating":
        # d/dt softplus(-t)/n = -sigmoid(-t)/n: -1/3 at t=-50, ~0 at t=50
        np.testing.assert_allclose(grad, [-1 / 3, 0.0, -1 / 6], atol=1e-6)
    if name == "minimax":
        # d/dt -softplus(t)/n = -sigmoid(t)/n: saturates (~0) where D rejects (t=-50)
        np.testing.assert_allclose(grad, [0.0, -1 / 3, -1 / 6], atol=1e-6)


def test_unknown_loss_lists_valid_names():
    with pytest.raises(ValueError) as e:
        kg.losses.get("nonsaturating")
    for name in REFERENCE:
        assert repr(name) in str(e.value)


def test_loss_objects_serialize():
    for name in REFERENCE:
        obj = kg.losses.get(name)
        again = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(obj))
        assert type(again) is type(obj)
