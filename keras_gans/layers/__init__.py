"""Layers that mean the same thing on TensorFlow, JAX and PyTorch."""

from keras_gans.layers.spectral_normalization import SpectralNormalization
from keras_gans.layers.pixel_shuffle import CropToScaledSize, PixelShuffle, PixelUnshuffle
from keras_gans.layers.reflection_padding import ReflectionPadding2D
from keras_gans.layers.instance_normalization import InstanceNormalization
from keras_gans.layers.upsampling import BilinearUpSampling2D

__all__ = [
    "SpectralNormalization",
    "PixelShuffle",
    "PixelUnshuffle",
    "CropToScaledSize",
    "ReflectionPadding2D",
    "InstanceNormalization",
    "BilinearUpSampling2D",
]
