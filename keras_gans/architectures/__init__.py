"""Ready-made generator and discriminator networks."""

from keras_gans.architectures.mlp import mlp_discriminator, mlp_generator

__all__ = ["mlp_generator", "mlp_discriminator"]
