"""Discriminator regularizers and instance noise."""

from keras_gans.regularizers.base import DiscriminatorRegularizer, gradient_norms
from keras_gans.regularizers.gradient_penalty import GradientPenalty
from keras_gans.regularizers.instance_noise import InstanceNoise
from keras_gans.regularizers.r1 import R1Penalty

__all__ = [
    "DiscriminatorRegularizer",
    "GradientPenalty",
    "R1Penalty",
    "InstanceNoise",
    "gradient_norms",
]
