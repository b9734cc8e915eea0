"""Goodfellow et al. (2014), Proposition 1 and Theorem 1, numerically.

For a fixed generator with p_g = N(1, 0.5^2) and data p_data = N(0, 1), a
discriminator trained to convergence with the minimax loss approaches
D*(x) = p_data(x) / (p_data(x) + p_g(x)), and the value of the game at D*
is V(D*, G) = -log 4 + 2 JSD(p_data || p_g).
"""

import keras
import numpy as np
import pytest
from keras import ops

import keras_gans as kg

MU_G, SD_G = 1.0, 0.5


def log_normal(x, mu, sd):
    return -0.5 * ((x - mu) / sd) ** 2 - np.log(sd * np.sqrt(2 * np.pi))


def d_star(x):
    return 1.0 / (1.0 + np.exp(log_normal(x, MU_G, SD_G) - log_normal(x, 0.0, 1.0)))


def jsd():
    x = np.linspace(-12, 12, 400001)
    p, q = np.exp(log_normal(x, 0, 1)), np.exp(log_normal(x, MU_G, SD_G))
    m = 0.5 * (p + q)
    with np.errstate(divide="ignore", invalid="ignore"):
        kl_pm = np.where(p > 0, p * np.log(p / m), 0.0)
        kl_qm = np.where(q > 0, q * np.log(q / m), 0.0)
    dx = x[1] - x[0]
    return 0.5 * kl_pm.sum() * dx + 0.5 * kl_qm.sum() * dx


@pytest.fixture(scope="module")
def trained():
    keras.utils.set_random_seed(0)
    z = keras.Input((1,))
    generator = keras.Model(z, keras.layers.Dense(1, kernel_initializer=keras.initializers.Constant(SD_G),
                                                  bias_initializer=keras.initializers.Constant(MU_G))(z))
    generator.trainable = False  # a fixed G: only D learns
    discriminator = kg.architectures.mlp_discriminator(1, hidden=(32, 32), activation="tanh")
    gan = kg.GAN(generator, discriminator, latent_dim=1, loss="minimax", seed=0)
    steps = 1500
    lr = keras.optimizers.schedules.CosineDecay(3e-3, steps, alpha=0.02)
    gan.compile(g_optimizer=keras.optimizers.SGD(0.0), d_optimizer=keras.optimizers.Adam(lr))
    data = np.random.default_rng(0).standard_normal((steps * 512, 1)).astype("float32")
    history = gan.fit(data, batch_size=512, epochs=1, verbose=0)
    return gan, history


def test_generator_is_frozen_and_only_d_learned(trained):
    gan, _ = trained
    assert int(gan.g_optimizer.iterations) == 0
    assert int(gan.d_optimizer.iterations) == 1500
    w = [ops.convert_to_numpy(v) for v in gan.generator.weights]
    assert w[0][0, 0] == pytest.approx(SD_G) and w[1][0] == pytest.approx(MU_G)


def test_discriminator_matches_optimal_d(trained):
    gan, _ = trained
    x = np.linspace(-2.0, 2.0, 81, dtype="float32")[:, None]
    d = ops.convert_to_numpy(ops.sigmoid(gan.discriminator(x)))[:, 0]
    err = np.abs(d - d_star(x[:, 0]))
    assert err.max() < 0.05, f"max |D - D*| = {err.max():.3f}"
    assert err.mean() < 0.02


def test_value_at_optimum_is_minus_log4_plus_2jsd(trained):
    gan, _ = trained
    rng = np.random.default_rng(1)
    real = rng.standard_normal((200_000, 1)).astype("float32")
    fake = (MU_G + SD_G * rng.standard_normal((200_000, 1))).astype("float32")
    loss = kg.losses.get("minimax")
    # V(D, G) = E log D(x) + E log(1 - D(G(z))) = -L_D
    value = -float(ops.convert_to_numpy(loss.discriminator_loss(gan.discriminator(real), gan.discriminator(fake))))
    expected = -np.log(4.0) + 2.0 * jsd()
    # V at the optimum on the same samples, from D* itself, checks the estimator
    d_opt = d_star(np.concatenate([real, fake])[:, 0].astype("float64"))
    value_star = np.mean(np.log(d_opt[:200_000])) + np.mean(np.log(1 - d_opt[200_000:]))
    assert value_star == pytest.approx(expected, abs=0.01)
    assert value == pytest.approx(expected, abs=0.02), (value, expected)
    assert value <= value_star + 0.01  # D* maximises V
