"""jit_compile="auto" for games: XLA on TensorFlow even on a CPU-only machine (where Keras' own
"auto" is off), because it is the faster step there (benchmarks/RESULTS.md), and an XLA step
computes what the plain step computes. (Random draws are not compared: TF's stateless random
ops pick another algorithm under XLA, so the same seed gives other noise with and without it;
a run keeps one mode, and resuming it keeps the mode too.)"""


import keras
import numpy as np
import pytest

import keras_gans as kg


def _wgan_gp():
    keras.utils.set_random_seed(0)  # the same initial weights for every build
    g = kg.architectures.mlp_generator(4, 2, hidden=(16,))
    d = kg.architectures.mlp_discriminator(2, hidden=(16,))
    return kg.WGANGP(g, d, latent_dim=4, d_steps=2, seed=0)


def _cyclegan():
    c = kg.cyclegan
    return kg.CycleGAN(
        c.resnet_generator(1, 4, seed=0), c.resnet_generator(1, 4, seed=1),
        c.patchgan_discriminator(filters=4, seed=2), c.patchgan_discriminator(filters=4, seed=3),
        pool_size=0, image_shape=(64, 64, 3), seed=0,  # no pool: no random draws
    )


def _optimizers():
    return dict(g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5), d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5))


def test_auto_means_xla_on_tensorflow(backend_name, monkeypatch):
    monkeypatch.setenv("KERAS_GANS_TF_AUTO_XLA", "1")
    game = _wgan_gp()
    game.compile(**_optimizers())
    expected = {"tensorflow": True, "jax": True, "torch": False}[backend_name]
    assert game.jit_compile is expected
    monkeypatch.setenv("KERAS_GANS_TF_AUTO_XLA", "0")  # Keras' own rule: no XLA on a CPU-only TF
    game = _wgan_gp()
    game.compile(**_optimizers())
    if backend_name == "tensorflow":
        import tensorflow as tf

        cpu_only = all(d.device_type == "CPU" for d in tf.config.list_physical_devices())
        assert game.jit_compile is (not cpu_only)
    else:
        assert game.jit_compile is expected
    game = _wgan_gp()
    game.compile(**_optimizers(), run_eagerly=True)
    assert game.jit_compile is False


def _srgan():
    keras.utils.set_random_seed(0)
    return kg.SRGAN(kg.srgan.srresnet(scale=2, blocks=1, filters=8),
                    kg.srgan.srgan_discriminator(filters=4, image_size=16, dense=8), adversarial_weight=1e-3)


def update_difference(make, data, steps=2):
    """||dW_xla - dW_plain|| / ||dW_plain|| over all trainable weights after ``steps`` SGD steps."""
    updates = []
    for jit in (True, False):
        game = make()
        before = [np.asarray(v) for v in game.trainable_weights]
        game.compile(g_optimizer=keras.optimizers.SGD(1e-3), d_optimizer=keras.optimizers.SGD(1e-3),
                     jit_compile=jit)
        assert game.jit_compile is jit
        for _ in range(steps):
            game.train_on_batch(*data)
        updates.append(np.concatenate([(np.asarray(v) - w).ravel() for v, w in zip(game.trainable_weights, before)]))
    return float(np.linalg.norm(updates[0] - updates[1]) / np.linalg.norm(updates[1]))


@pytest.mark.parametrize("make", [_cyclegan, _srgan], ids=["cyclegan", "srgan"])
def test_xla_steps_equal_plain_steps(backend_name, make):
    """Same updates to float32 rounding: XLA fuses and reorders sums (instance/batch norm
    statistics), so the measure is relative, over all weights, not bit equality. Measured
    (AMD EPYC): 3.9e-6 CycleGAN, 8.2e-6 SRGAN. At 32 px the PatchGAN's instance norms see 2x2
    maps and amplify float rounding to 1e-2 whether or not XLA is on: hence 64 px."""
    if backend_name != "tensorflow":
        pytest.skip("XLA vs tf.function: TensorFlow only (JAX always compiles; torch has no XLA)")
    rng = np.random.default_rng(0)
    if make is _srgan:
        hr = rng.integers(0, 256, (4, 16, 16, 3), dtype=np.uint8)
        data = (hr[:, ::2, ::2], hr)
    else:
        data = tuple(rng.uniform(-1, 1, (2, 64, 64, 3)).astype("float32") for _ in range(2))
    diff = update_difference(make, data)
    assert diff < 1e-4, f"XLA and plain updates differ by {diff:.2e} (relative)"


def test_xla_gradient_penalty_equals_plain(backend_name):
    """The penalty's double backward compiles under XLA and gives the plain values and gradients."""
    if backend_name != "tensorflow":
        pytest.skip("XLA vs tf.function: TensorFlow only")
    import tensorflow as tf

    game = _wgan_gp()
    critic = lambda x: game.discriminator(x, training=True)  # noqa: E731
    penalty = kg.regularizers.GradientPenalty(10.0)
    x_hat = tf.constant(np.random.default_rng(0).normal(size=(8, 2)), tf.float32)
    d_vars = game.discriminator.trainable_variables

    def fn():
        with tf.GradientTape() as tape:
            value = penalty.penalty(critic, x_hat)
        return value, tape.gradient(value, d_vars)

    results = [tf.function(fn, jit_compile=jit)() for jit in (True, False)]
    (v_xla, g_xla), (v_plain, g_plain) = results
    assert float(v_plain) > 0
    np.testing.assert_allclose(float(v_xla), float(v_plain), rtol=1e-5)
    assert sum(g is not None for g in g_plain) >= 2
    for a, b in zip(g_xla, g_plain):
        assert (a is None) == (b is None)  # the output bias has no part in an input gradient
        if a is None:
            continue
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-6)
