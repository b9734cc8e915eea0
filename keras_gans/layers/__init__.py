"""Layers that mean the same thing on TensorFlow, JAX and PyTorch."""

from keras_gans.layers.spectral_normalization import SpectralNormalization
from keras_gans.layers.pixel_shuffle import PixelShuffle

__all__ = ["SpectralNormalization", "PixelShuffle"]
