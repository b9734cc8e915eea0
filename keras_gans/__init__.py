"""keras_gans: GAN games, building blocks and pretrained models for Keras 3.

Runs unchanged on the TensorFlow, JAX and PyTorch backends (``KERAS_BACKEND``).

    import keras_gans as kg
    gan = kg.GAN(generator, discriminator, latent_dim=128, loss="non_saturating")
    gan.compile(g_optimizer=..., d_optimizer=...)
    gan.fit(images, epochs=10)
"""

import importlib

from keras_gans import backend as _backend  # noqa: F401  (fails fast on an unsupported backend)
from keras_gans import constraints, cyclegan, esrgan, layers, losses, pix2pix, regularizers, srgan
from keras_gans.cyclegan import CycleGAN
from keras_gans.games import GAN, WGAN, WGANGP, AdversarialGame, ConditionalGAN
from keras_gans.pix2pix import Pix2Pix
from keras_gans.srgan import SRGAN

__version__ = "0.1.0"

# Heavier or optional parts load on first use, so that `import keras_gans`
# stays light (no Pillow, no tfds, no CLI machinery).
_LAZY = {"architectures", "convert", "zoo", "metrics", "data", "callbacks", "schedules", "cli", "checkpoint", "files", "images", "paths"}


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'keras_gans' has no attribute {name!r}")


__all__ = [
    "GAN",
    "ConditionalGAN",
    "WGAN",
    "WGANGP",
    "SRGAN",
    "CycleGAN",
    "Pix2Pix",
    "AdversarialGame",
    "losses",
    "regularizers",
    "constraints",
    "layers",
    "cyclegan",
    "esrgan",
    "pix2pix",
    "srgan",
    *sorted(_LAZY),
]
