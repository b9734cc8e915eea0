"""The GAN game (Goodfellow et al. 2014) with pluggable losses and regularizers."""

import keras
import numpy as np
from keras import ops

from keras_gans import backend
from keras_gans import losses as losses_module
from keras_gans.games.base import AdversarialGame, serialize, unpack_batch
from keras_gans.games.checks import check_array, check_models, input_shape
from keras_gans.regularizers.base import DiscriminatorRegularizer
from keras_gans.regularizers.instance_noise import InstanceNoise


@keras.saving.register_keras_serializable("keras_gans")
class GAN(AdversarialGame):
    """An unconditional GAN: ``generator(z)`` against ``discriminator(x)``.

    Each ``train_step`` performs ``d_steps`` discriminator updates (k in
    Goodfellow et al.'s Algorithm 1), each with fresh noise against the
    batch's real samples, then one generator update with fresh noise.

    Args:
        generator: a keras model mapping ``(batch, latent_dim)`` noise to samples.
        discriminator: a keras model mapping samples to logits (any shape per
            sample, e.g. a PatchGAN map; losses average over it).
        latent_dim: size of the noise vector z ~ N(0, I).
        loss: an adversarial loss name (see ``kg.losses.names()``) or a
            ``kg.losses.AdversarialLoss``.
        d_steps: discriminator updates per generator update.
        regularizers: ``kg.regularizers`` terms added to the discriminator's
            loss (``GradientPenalty``, ``R1Penalty``); each is logged by name.
        instance_noise: a ``kg.regularizers.InstanceNoise`` or None.
        seed: seed of the game's RNG (noise, interpolation, instance noise).

    ``fit`` logs ``d_loss`` (the adversarial term), ``g_loss`` and one entry
    per regularizer, as running means over the epoch.
    """

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim,
        loss="non_saturating",
        d_steps=1,
        regularizers=(),
        instance_noise=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(seed=seed, **kwargs)
        if not isinstance(latent_dim, int) or latent_dim < 1:
            raise ValueError(f"latent_dim must be a positive int, got {latent_dim!r}.")
        if not isinstance(d_steps, int) or d_steps < 1:
            raise ValueError(f"d_steps must be a positive int, got {d_steps!r}.")
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = latent_dim
        self.loss_fn = losses_module.get(loss)
        self.d_steps = d_steps
        self.regularizers = list(regularizers or ())
        for reg in self.regularizers:
            if not isinstance(reg, DiscriminatorRegularizer):
                raise TypeError(
                    "regularizers must be keras_gans.regularizers objects such as "
                    f"GradientPenalty(10.0) or R1Penalty(1.0); got {reg!r}."
                )
        names = [r.name for r in self.regularizers]
        if len(set(names)) != len(names):
            raise ValueError(f"Two regularizers share a log name: {names}.")
        if instance_noise is not None and not isinstance(instance_noise, InstanceNoise):
            raise TypeError(
                "instance_noise must be a keras_gans.regularizers.InstanceNoise or "
                f"None; got {instance_noise!r}."
            )
        self.instance_noise = instance_noise
        self._check_models()
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.reg_trackers = [keras.metrics.Mean(name=n) for n in names]
        self.built = True

    # ------------------------------------------------------------- structure
    #: whether both players take ``[input, labels]`` (ConditionalGAN)
    conditional = False

    def _check_models(self):
        check_models(
            self.generator,
            self.discriminator,
            latent_dim=self.latent_dim,
            conditional=self.conditional,
            game=type(self).__name__,
        )

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker, *self.reg_trackers]

    @property
    def needs_double_backward(self):
        return any(r.needs_double_backward for r in self.regularizers)

    def _player_variables(self):
        return {
            "g_optimizer": self.generator.trainable_variables,
            "d_optimizer": self.discriminator.trainable_variables,
        }

    # --------------------------------------------------- conditioning hooks
    def _unpack(self, data):
        """(real, condition) from a batch; condition is None here."""
        x, _, _ = unpack_batch(data, type(self).__name__)
        if isinstance(x, (tuple, list)):
            x = x[0]
        return ops.cast(x, self.compute_dtype), None

    def _generate(self, z, cond, training):
        return self.generator(z, training=training)

    def check_arrays(self, x, y):
        """Samples shaped like the discriminator's input; images (rank 4) as
        uint8 or floats in [-1, 1], the generator's range."""
        if isinstance(x, (tuple, list)):
            x = x[0]
        shape = input_shape(self.discriminator)
        rank = len(shape) + 1 if shape is not None else np.ndim(x)
        check_array(type(self).__name__, "x", x, shape, (-1.0, 1.0) if rank == 4 else None, images=rank == 4)

    def _critic(self, x, cond, training):
        return self.discriminator(x, training=training)

    # ----------------------------------------------------------------- noise
    def sample_latent(self, batch_size):
        """Noise for one player's step: ``N(0, I)`` of shape (batch, latent_dim).
        Override to change the prior."""
        return backend.replica_draw(
            lambda shape: backend.random_normal(shape, self.compute_dtype, self.seed_generator),
            (batch_size, self.latent_dim),
        )

    def _noisy(self, x):
        if self.instance_noise is None:
            return x
        return self.instance_noise(x, self.d_optimizer.iterations, self.seed_generator)

    # ------------------------------------------------------------------ step
    def discriminator_loss(self, real, fake, cond=None):
        """(total loss, adversarial loss, {regularizer name: value})."""
        # losses and penalties in float32 whatever the policy (mixed_bfloat16 critics output bf16)
        critic = lambda x: ops.cast(self._critic(x, cond, True), "float32")  # noqa: E731
        real_in, fake_in = self._noisy(real), self._noisy(fake)
        adv = self.loss_fn.discriminator_loss(critic(real_in), critic(fake_in))
        terms = {r.name: r(critic, real_in, fake_in, self.seed_generator) for r in self.regularizers}
        total = adv
        for value in terms.values():
            total = total + value
        return total, adv, terms

    def generator_loss(self, z, cond=None):
        fake = self._generate(z, cond, True)
        return self.loss_fn.generator_loss(ops.cast(self._critic(self._noisy(fake), cond, True), "float32"))

    def discriminator_update(self, real, z, cond=None):
        """One discriminator update; returns (adversarial loss, terms)."""
        fake = ops.stop_gradient(self._generate(z, cond, True))
        d_vars = self.discriminator.trainable_variables

        def fn():
            total, adv, terms = self.discriminator_loss(real, fake, cond)
            return total, (adv, terms)

        _, (adv, terms), grads = self._value_and_grad("d_optimizer", fn, d_vars)
        self._apply("d_optimizer", grads, d_vars)
        self._after_discriminator_update()
        return adv, terms

    def _after_discriminator_update(self):
        pass

    def generator_update(self, z, cond=None):
        g_vars = self.generator.trainable_variables

        def fn():
            return self.generator_loss(z, cond), None

        g_loss, _, grads = self._value_and_grad("g_optimizer", fn, g_vars)
        self._apply("g_optimizer", grads, g_vars)
        return g_loss

    def game_step(self, data):
        real, cond = self._unpack(data)
        batch_size = ops.shape(real)[0]
        for _ in range(self.d_steps):
            adv, terms = self.discriminator_update(real, self.sample_latent(batch_size), cond)
            self.d_loss_tracker.update_state(adv)
            for tracker in self.reg_trackers:
                tracker.update_state(terms[tracker.name])
        g_loss = self.generator_update(self.sample_latent(batch_size), cond)
        self.g_loss_tracker.update_state(g_loss)
        return self._logs()

    # ------------------------------------------------------------- inference
    def call(self, z, training=False):
        """``gan(z)`` is ``generator(z)``."""
        return self.generator(z, training=training)

    def generate(self, n, seed=None, batch_size=256):
        """``n`` samples as a numpy array. The noise comes from NumPy's
        ``default_rng(seed)``, so a seed gives the same samples on every
        backend."""
        n, batch_size = self._check_count(n, batch_size)
        z = self._numpy_normal(n, self.latent_dim, seed)
        return self._predict_batches(lambda zb, _: self.generator(zb, training=False), z, None, batch_size)

    def _predict_batches(self, fn, z, cond, batch_size):
        import numpy as np

        out = []
        for i in range(0, len(z), batch_size):
            c = None if cond is None else cond[i : i + batch_size]
            # samples in the variables' dtype (float32 under a mixed precision policy)
            out.append(ops.convert_to_numpy(ops.cast(fn(z[i : i + batch_size], c), self.dtype)))
        if out:
            return np.concatenate(out, axis=0)
        shape = tuple(d or 0 for d in getattr(self.generator, "output_shape", (None,))[1:])
        return np.zeros((0, *shape), np.float32)

    # ----------------------------------------------------------------- config
    nested_config = ("generator", "discriminator", "loss", "instance_noise", "regularizers")

    def get_config(self):
        return {
            **super().get_config(),
            "generator": serialize(self.generator),
            "discriminator": serialize(self.discriminator),
            "latent_dim": self.latent_dim,
            "loss": serialize(self.loss_fn),
            "d_steps": self.d_steps,
            "regularizers": [serialize(r) for r in self.regularizers],
            "instance_noise": serialize(self.instance_noise),
            "seed": self.seed,
        }
