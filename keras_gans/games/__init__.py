"""The games: each a keras.Model with its own train_step."""

from keras_gans.games.base import AdversarialGame
from keras_gans.games.conditional import ConditionalGAN
from keras_gans.games.cyclegan import CycleGAN
from keras_gans.games.image_pool import ImagePool
from keras_gans.games.gan import GAN
from keras_gans.games.srgan import SRGAN
from keras_gans.games.wgan import WGAN, WGANGP

__all__ = ["AdversarialGame", "GAN", "ConditionalGAN", "WGAN", "WGANGP", "SRGAN", "CycleGAN", "ImagePool"]
