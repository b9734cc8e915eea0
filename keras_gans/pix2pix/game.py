"""pix2pix (Isola, Zhu, Zhou & Efros, CVPR 2017): image-to-image translation
from aligned pairs with a conditional GAN.

    import keras_gans as kg
    p = kg.Pix2Pix.official(num_downs=8, seed=0)     # unet_256 + 70x70 PatchGAN, batch norm
    p.compile(g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
              d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
    p.fit(kg.data.paired("facades/train", direction="BtoA"), epochs=200)   # (inputs, targets)
    photos = p.translate(labels_uint8)                # the authors' test.py default (see translate)

The objective, as in the authors' code (``models/pix2pix_model.py``), with
input ``x``, target ``y``, generator ``G`` and the conditional PatchGAN
``D`` that sees an input and an output concatenated on channels,
``D(x, .) = D(concat(x, .))``, and ``L(t, label)`` the loss's criterion per
patch (the paper's: ``gan_mode='vanilla'``, binary cross-entropy on logits,
``loss="non_saturating"`` here):

- generator: ``L_G = L(D(x, G(x)), 1) + lambda |G(x) - y|_1``, lambda = 100
  (``g_loss`` is the first term, ``l1_loss`` the mean absolute error
  ``|G(x) - y|_1`` in the ``[-1, 1]`` range, unweighted);
- discriminator: ``L_D = 1/2 [L(D(x, G(x)), 0) + L(D(x, y), 1)]``
  (``d_loss``; halved in the authors' code, which the paper explains as
  slowing D's learning relative to G's).

Each train step: one generator forward (training mode: batch statistics,
dropout), the generator update on ``L_G``, then the discriminator update on
that step's outputs (gradients stopped). The authors update D first and
then G against the updated D, reusing one forward; writing the step as G
then D (as CycleGAN's here) keeps one generator forward per step with this
library's functional gradients, and differs from theirs by which of two
consecutive discriminators the generator is scored by. No image pool (the
authors' pix2pix default ``pool_size=0``). Images are in ``[-1, 1]``; uint8
batches (0..255) are converted in the step.
"""

import keras
import numpy as np
from keras import ops

from keras_gans import losses as losses_module
from keras_gans.cyclegan import networks as cyclegan_networks
from keras_gans.cyclegan.losses import l1_loss
from keras_gans.cyclegan.translate import check_mode, size_multiple, translate_images
from keras_gans.games.base import AdversarialGame, serialize, step_images, unpack_pair
from keras_gans.games.checks import check_array, input_shape
from keras_gans.losses.adversarial import gan_loss_scales
from keras_gans.pix2pix import networks as pix2pix_networks


def _float32(t):
    return ops.cast(t, "float32")


def _channels(model, attr):
    try:
        return getattr(model, attr)[0].shape[-1]
    except (AttributeError, IndexError, TypeError, ValueError):
        return None


@keras.saving.register_keras_serializable("keras_gans")
class Pix2Pix(AdversarialGame):
    """A generator trained against a conditional PatchGAN on aligned
    (input, target) pairs, with an L1 term (see the module docstring for the
    formulas and the step).

    Args:
        generator: keras model, input image ``[-1, 1]`` (``C_in`` channels) ->
            output image ``[-1, 1]`` (``C_out``), e.g.
            ``kg.pix2pix.unet_generator``.
        discriminator: keras model judging ``concat(input, image)``
            (``C_in + C_out`` channels) -> logits (a PatchGAN map is
            averaged), e.g. ``kg.cyclegan.patchgan_discriminator(channels=6,
            norm="batch")``.
        l1_weight: lambda, the weight of ``|G(x) - y|_1`` (the paper: 100).
        loss: adversarial loss name or ``kg.losses.AdversarialLoss`` (the
            paper's vanilla GAN: "non_saturating"; "least_squares" also
            follows the authors' ``GANLoss``).
        seed: seed of the game's RNG (unused by the step; kept for API
            uniformity).

    ``fit`` takes ``(inputs, targets)``: ``fit(inputs, targets)`` with
    arrays, or a dataset / ``keras.utils.PyDataset`` / torch DataLoader
    yielding ``(inputs, targets)`` batches (``kg.data.paired``), uint8 or
    floats in ``[-1, 1]``; it logs ``g_loss``, ``l1_loss`` and ``d_loss``.
    """

    #: ``translate``'s default mode: the authors' test.py default (see ``translate``)
    translate_mode = "authors"
    #: one way only: input -> target (``generator_for``)
    directions = ("a2b",)

    def __init__(self, generator, discriminator, l1_weight=100.0, loss="non_saturating", seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        for role, model in (("generator", generator), ("discriminator", discriminator)):
            if not isinstance(model, keras.layers.Layer):
                raise TypeError(f"Pix2Pix: `{role}` must be a keras.Model; got {type(model).__name__}.")
        if generator is discriminator:
            raise ValueError("Pix2Pix needs two distinct models (a generator and a discriminator).")
        if isinstance(l1_weight, bool) or not isinstance(l1_weight, (int, float)) or not np.isfinite(l1_weight) \
                or l1_weight < 0:
            raise ValueError(f"Pix2Pix: l1_weight must be a finite number >= 0; got {l1_weight!r}.")
        c_in, c_out, c_d = _channels(generator, "inputs"), _channels(generator, "outputs"), _channels(
            discriminator, "inputs")
        if None not in (c_in, c_out, c_d) and c_d != c_in + c_out:
            raise ValueError(
                f"Pix2Pix: the discriminator judges (input, output) pairs concatenated on channels, so it must "
                f"take {c_in} + {c_out} = {c_in + c_out} channels; it takes {c_d}. Build it with "
                f"kg.cyclegan.patchgan_discriminator(channels={c_in + c_out}, norm='batch')."
            )
        self.generator = generator
        self.discriminator = discriminator
        self.l1_weight = float(l1_weight)
        self.loss_fn = losses_module.get(loss)
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.l1_tracker = keras.metrics.Mean(name="l1_loss")
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.built = True

    @classmethod
    def official(cls, num_downs=8, filters=64, in_channels=3, out_channels=3, norm="batch", use_dropout=True,
                 image_size=None, seed=None, **kwargs):
        """The paper's networks: ``unet_generator(num_downs, filters)``
        ("generator": ``unet_256`` for 8, ``unet_128`` for 7) and the 70x70
        ``patchgan_discriminator(filters, channels=in + out, norm)``
        ("discriminator"), both with the authors' ``norm`` (pix2pix's:
        "batch"), in a Pix2Pix with ``kwargs`` (``l1_weight``, ``loss``).
        ``image_size`` fixes the networks' input size (None: any multiple
        of ``2**num_downs``)."""
        s = lambda k: None if seed is None else seed + k  # noqa: E731
        return cls(
            pix2pix_networks.unet_generator(num_downs, filters, in_channels, out_channels, norm, use_dropout,
                                            image_size, seed=s(0), name="generator"),
            cyclegan_networks.patchgan_discriminator(filters, 3, in_channels + out_channels, image_size,
                                                     seed=s(100), norm=norm, name="discriminator"),
            seed=seed,
            **kwargs,
        )

    # ------------------------------------------------------------- structure
    @property
    def metrics(self):
        return [self.g_loss_tracker, self.l1_tracker, self.d_loss_tracker]

    def _player_variables(self):
        return {
            "g_optimizer": self.generator.trainable_variables,
            "d_optimizer": self.discriminator.trainable_variables,
        }

    @property
    def image_size(self):
        """The generator's native side, the size its inputs' sides must be
        multiples of (``2**num_downs`` for the U-Net: 256 for ``unet_256``):
        the working size of ``keras-gans translate`` by default."""
        return size_multiple(self.generator)

    # ------------------------------------------------------------------ data
    def check_arrays(self, x, y):
        """Inputs and targets: rank 4 with the generator's channels, as many
        of each and of the same height and width, uint8 or floats in [-1, 1]."""
        a, b, names = self._pair(x, y)
        if b is None:
            raise ValueError("Pix2Pix.fit needs aligned pairs: fit(inputs, targets).")
        out = _channels(self.generator, "outputs")
        for what, images, shape in ((f"{names[0]} (inputs)", a, input_shape(self.generator)),
                                    (f"{names[1]} (targets)", b, (None, None, out))):
            check_array("Pix2Pix", what, images, shape if shape is not None else (None, None, None),
                        (-1.0, 1.0), images=True)
        a, b = np.asarray(a), np.asarray(b)
        if a.shape[:3] != b.shape[:3]:
            raise ValueError(
                f"Pix2Pix.fit: inputs and targets must be aligned pairs, as many and of the same height and "
                f"width; got inputs of shape {a.shape} and targets of shape {b.shape}."
            )

    def _unpack(self, data):
        x, y = unpack_pair(
            data, "Pix2Pix",
            "aligned (input, target) pairs: pass fit(x=inputs, y=targets) or a dataset yielding "
            "(inputs, targets) tuples (kg.data.paired)",
        )
        x = step_images(x, "Pix2Pix", "inputs", dtype=self.compute_dtype)
        y = step_images(y, "Pix2Pix", "targets", dtype=self.compute_dtype)
        if x.shape[1:3] != y.shape[1:3] and None not in (*x.shape[1:3], *y.shape[1:3]):
            raise ValueError(
                f"Pix2Pix: inputs {tuple(x.shape)} and targets {tuple(y.shape)} differ in height or width; "
                "pairs must be aligned."
            )
        return x, y

    # ------------------------------------------------------------------ step
    def judge(self, inputs, images, training=True):
        """``D(concat(inputs, images))``: the discriminator's logits for
        (input, image) pairs, in float32."""
        return _float32(self.discriminator(ops.concatenate([inputs, images], axis=-1), training=training))

    def generator_losses(self, inputs, targets):
        """``(total, (fake, adversarial, l1))`` for the generator, from the
        current weights."""
        _, g_scale = gan_loss_scales(self.loss_fn)
        fake = self.generator(inputs, training=True)
        adversarial = g_scale * self.loss_fn.generator_loss(self.judge(inputs, fake))
        l1 = l1_loss(fake, targets)
        return adversarial + self.l1_weight * l1, (fake, adversarial, l1)

    def discriminator_loss(self, inputs, targets, fake):
        """``L_D`` on real pairs and (gradient-stopped) generated ones; the
        fake pairs are judged first, as the authors do (batch norm's moving
        averages see the two batches in their order)."""
        d_scale, _ = gan_loss_scales(self.loss_fn)
        fake_logits = self.judge(inputs, fake)
        real_logits = self.judge(inputs, targets)
        return d_scale * self.loss_fn.discriminator_loss(real_logits, fake_logits)

    def generator_update(self, inputs, targets):
        g_vars = self.generator.trainable_variables
        _, aux, grads = self._value_and_grad("g_optimizer", lambda: self.generator_losses(inputs, targets), g_vars)
        self._apply("g_optimizer", grads, g_vars)
        return aux

    def discriminator_update(self, inputs, targets, fake):
        d_vars = self.discriminator.trainable_variables
        fake = ops.stop_gradient(fake)
        loss, _, grads = self._value_and_grad(
            "d_optimizer", lambda: (self.discriminator_loss(inputs, targets, fake), None), d_vars)
        self._apply("d_optimizer", grads, d_vars)
        return loss

    def game_step(self, data):
        inputs, targets = self._unpack(data)
        fake, adversarial, l1 = self.generator_update(inputs, targets)
        d_loss = self.discriminator_update(inputs, targets, fake)
        self.g_loss_tracker.update_state(adversarial)
        self.l1_tracker.update_state(l1)
        self.d_loss_tracker.update_state(d_loss)
        return self._logs()

    # ------------------------------------------------------------- inference
    def call(self, inputs, training=False):
        """``pix2pix(x)`` is ``generator(x)`` (uint8 images are mapped to ``[-1, 1]``)."""
        return self.generator(step_images(inputs, "Pix2Pix", "inputs", dtype=self.compute_dtype),
                              training=training)

    def generator_for(self, direction="a2b"):
        """The generator: pix2pix translates one way (input -> target), "a2b"."""
        if direction != "a2b":
            raise ValueError(
                f"pix2pix translates one way (input -> target, direction 'a2b'); got {direction!r}. Train "
                "another model on the pairs the other way round (kg.data.paired(..., direction='BtoA'))."
            )
        return self.generator

    def translate(self, images, mode=None, seed=None, batch_size=8):
        """Translate input images to output images.

        Args:
            images: one image ``(H, W, C)`` or a batch ``(N, H, W, C)``:
                uint8 (0..255) or float in ``[-1, 1]``, sides multiples of
                ``image_size`` (``2**num_downs``: 256 for ``unet_256``;
                ``keras-gans translate`` resizes any image).
            mode: "authors" (the default) or "eval". "authors" is what the
                authors' ``test.py`` does unless given ``--eval``, and so
                what their published results were made with: each image
                run alone in training mode, batch norm normalising it by its
                own statistics and dropout on (pix2pix's only noise, so the
                output varies with ``seed``). It is the default because
                users comparing with the paper expect its images. "eval"
                (their ``--eval``): batch norm's running statistics, no
                dropout: deterministic, the same pixels on every backend.
                Neither mode changes any weight or statistic.
            seed: "authors" mode's dropout masks come from ``(seed, image
                index)``: repeatable on one backend (each backend draws
                its own masks); None draws fresh ones.
            batch_size: images per generator call in "eval" mode.

        Returns a numpy array of the input's shape: uint8 in -> uint8 out;
        float in -> float32 in ``[-1, 1]``.
        """
        mode = check_mode(self.translate_mode if mode is None else mode)
        return translate_images(self.generator, images, batch_size=batch_size, mode=mode, seed=seed)

    # ----------------------------------------------------------------- config
    nested_config = ("generator", "discriminator", "loss")

    def get_config(self):
        return {
            **super().get_config(),
            "generator": serialize(self.generator),
            "discriminator": serialize(self.discriminator),
            "l1_weight": self.l1_weight,
            "loss": serialize(self.loss_fn),
            "seed": self.seed,
        }
