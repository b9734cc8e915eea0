"""Layers that mean the same thing on TensorFlow, JAX and PyTorch."""

from keras_gans.layers.spectral_normalization import SpectralNormalization

__all__ = ["SpectralNormalization"]
