"""The games that need no family of their own: each a keras.Model with its
own train_step (CycleGAN and SRGAN live in ``keras_gans.cyclegan`` and
``keras_gans.srgan``)."""

from keras_gans.games.base import AdversarialGame
from keras_gans.games.conditional import ConditionalGAN
from keras_gans.games.gan import GAN
from keras_gans.games.wgan import WGAN, WGANGP

__all__ = ["AdversarialGame", "GAN", "ConditionalGAN", "WGAN", "WGANGP"]
