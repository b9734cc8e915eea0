"""Small fully connected players for low-dimensional data (toy problems,
tabular data, tests)."""

import keras

from keras_gans.layers.spectral_normalization import SpectralNormalization


def mlp_generator(latent_dim, output_dim, hidden=(128, 128), activation="relu", name="generator"):
    """z (latent_dim) -> hidden layers -> linear output (output_dim)."""
    z = keras.Input((latent_dim,), name="z")
    h = z
    for i, units in enumerate(hidden):
        h = keras.layers.Dense(units, activation=activation, name=f"dense_{i}")(h)
    out = keras.layers.Dense(output_dim, name="out")(h)
    return keras.Model(z, out, name=name)


def mlp_discriminator(
    input_dim, hidden=(128, 128), activation="leaky_relu", spectral_norm=False, name="discriminator"
):
    """x (input_dim) -> hidden layers -> one logit. ``spectral_norm`` wraps
    every Dense layer in ``kg.layers.SpectralNormalization``."""
    wrap = SpectralNormalization if spectral_norm else (lambda layer: layer)
    x = keras.Input((input_dim,), name="x")
    h = x
    for i, units in enumerate(hidden):
        h = wrap(keras.layers.Dense(units, name=f"dense_{i}"))(h)
        h = keras.layers.Activation(activation)(h)
    out = wrap(keras.layers.Dense(1, name="logit"))(h)
    return keras.Model(x, out, name=name)
