"""Ready-made generator and discriminator networks."""

from keras_gans.architectures.cyclegan import patchgan_discriminator, resnet_generator
from keras_gans.architectures.dcgan import dcgan_discriminator, dcgan_generator
from keras_gans.architectures.mlp import mlp_discriminator, mlp_generator
from keras_gans.architectures.srgan import srgan_discriminator, srresnet

__all__ = ["mlp_generator", "mlp_discriminator", "dcgan_generator", "dcgan_discriminator", "srresnet", "srgan_discriminator", "resnet_generator", "patchgan_discriminator"]
