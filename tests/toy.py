"""Toy data and small players shared by the tests (and examples)."""

import keras
import numpy as np

import keras_gans as kg


def ring_of_gaussians(n, modes=8, radius=2.0, std=0.05, seed=0):
    rng = np.random.default_rng(seed)
    k = rng.integers(0, modes, size=n)
    angles = 2 * np.pi * k / modes
    centers = np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=1)
    return (centers + std * rng.standard_normal((n, 2))).astype("float32")


def ring_centers(modes=8, radius=2.0):
    angles = 2 * np.pi * np.arange(modes) / modes
    return np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=1)


def mode_stats(samples, modes=8, radius=2.0, std=0.05):
    """(number of modes holding at least 1% of the samples, fraction of samples
    within 3 std of their nearest mode)."""
    centers = ring_centers(modes, radius)
    d = np.linalg.norm(samples[:, None, :] - centers[None], axis=-1)
    nearest = d.argmin(axis=1)
    good = d.min(axis=1) < 3 * std
    counts = np.bincount(nearest[good], minlength=modes)
    covered = int((counts >= 0.01 * len(samples)).sum())
    return covered, float(good.mean())


def mlp_pair(latent_dim=2, data_dim=2, width=64, depth=2, spectral_norm=False, seed=0, g_activation="relu", g_width=None):
    keras.utils.set_random_seed(seed)
    g = kg.architectures.mlp_generator(latent_dim, data_dim, (g_width or width,) * depth, activation=g_activation)
    d = kg.architectures.mlp_discriminator(data_dim, (width,) * depth, spectral_norm=spectral_norm)
    return g, d
