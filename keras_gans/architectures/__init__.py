"""Ready-made generator and discriminator networks of the plain games (the
CycleGAN and SRGAN networks live in their families: ``kg.cyclegan``,
``kg.srgan``)."""

from keras_gans.architectures.dcgan import dcgan_discriminator, dcgan_generator
from keras_gans.architectures.mlp import mlp_discriminator, mlp_generator

__all__ = ["mlp_generator", "mlp_discriminator", "dcgan_generator", "dcgan_discriminator"]
