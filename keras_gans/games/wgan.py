"""Wasserstein GANs: weight clipping (WGAN) and gradient penalty (WGAN-GP)."""

import keras

from keras_gans.constraints import WeightClip
from keras_gans.games.base import serialize
from keras_gans.games.gan import GAN
from keras_gans.regularizers.gradient_penalty import GradientPenalty


@keras.saving.register_keras_serializable("keras_gans")
class WGAN(GAN):
    """WGAN (Arjovsky et al. 2017, Algorithm 1): Wasserstein loss, 5 critic
    updates per generator update, every critic weight clipped to
    ``[-c, c]`` after each critic update. ``compile()`` with no optimizers uses
    the paper's RMSprop(5e-5) for both players.
    """

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim,
        clip=None,
        d_steps=5,
        loss="wasserstein",
        **kwargs,
    ):
        super().__init__(generator, discriminator, latent_dim, loss=loss, d_steps=d_steps, **kwargs)
        clip = WeightClip(0.01) if clip is None else clip
        if isinstance(clip, (int, float)):
            clip = WeightClip(float(clip))
        self.clip = clip

    def _after_discriminator_update(self):
        for v in self.discriminator.trainable_variables:
            v.assign(self.clip(v))

    def compile(self, g_optimizer=None, d_optimizer=None, **kwargs):
        g_optimizer = g_optimizer or keras.optimizers.RMSprop(5e-5)
        d_optimizer = d_optimizer or keras.optimizers.RMSprop(5e-5)
        super().compile(g_optimizer=g_optimizer, d_optimizer=d_optimizer, **kwargs)

    nested_config = GAN.nested_config + ("clip",)

    def get_config(self):
        config = super().get_config()
        config["clip"] = serialize(self.clip)
        return config


@keras.saving.register_keras_serializable("keras_gans")
class WGANGP(GAN):
    """WGAN-GP (Gulrajani et al. 2017, Algorithm 1): Wasserstein loss plus a
    gradient penalty of weight ``gp_weight`` (10) on interpolates, 5 critic
    updates per generator update. ``compile()`` with no optimizers uses the
    paper's Adam(1e-4, beta_1=0, beta_2=0.9).
    """

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim,
        gp_weight=10.0,
        d_steps=5,
        loss="wasserstein",
        regularizers=None,
        **kwargs,
    ):
        if regularizers is None:
            regularizers = [GradientPenalty(gp_weight)]
        self.gp_weight = gp_weight
        super().__init__(
            generator, discriminator, latent_dim, loss=loss, d_steps=d_steps,
            regularizers=regularizers, **kwargs
        )

    def compile(self, g_optimizer=None, d_optimizer=None, **kwargs):
        g_optimizer = g_optimizer or keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9)
        d_optimizer = d_optimizer or keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9)
        super().compile(g_optimizer=g_optimizer, d_optimizer=d_optimizer, **kwargs)

    def get_config(self):
        config = super().get_config()
        config["gp_weight"] = self.gp_weight
        return config
