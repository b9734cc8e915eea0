"""SRGAN (Ledig et al., CVPR 2017): photo-realistic single-image super-resolution.

Value ranges (the paper's): low-resolution (LR) inputs in ``[0, 1]``,
high-resolution (HR) targets and generator outputs in ``[-1, 1]``. Batches of
uint8 pairs (0..255) are converted to these ranges inside the step.

The two-stage recipe of the paper (section 3.2):

1. **SRResNet**: train the generator alone on the pixel MSE
   (``adversarial_weight=0``; the discriminator may be None, ``compile`` then
   needs only ``g_optimizer``). The paper: 10^6 updates, Adam(1e-4, beta_1=0.9),
   batch 16, 96x96 HR crops.
2. **SRGAN**: initialise the generator from stage 1 and train it against the
   discriminator with the perceptual loss ``content + 1e-3 * adversarial``
   (the paper: VGG54 content loss, 10^5 updates at 1e-4 then 10^5 at 1e-5).

    g = kg.srgan.srresnet(scale=4)
    pre = kg.SRGAN(g, None, content_loss="mse", adversarial_weight=0)
    pre.compile(g_optimizer=keras.optimizers.Adam(1e-4))
    pre.fit(pairs)                                # (lr, hr) batches
    d = kg.srgan.srgan_discriminator(image_size=96)
    sr = kg.SRGAN(g, d, content_loss="mse", adversarial_weight=1e-3)
    sr.compile(g_optimizer=keras.optimizers.Adam(1e-4), d_optimizer=keras.optimizers.Adam(1e-4))
    sr.fit(pairs)
    hr = sr.upscale(uint8_image, tile=192)        # uint8 in -> uint8 out
"""

import math
import warnings

import keras
from keras import ops

from keras_gans import losses as losses_module
from keras_gans.games.base import AdversarialGame, serialize, step_images, unpack_pair
from keras_gans.games.checks import check_array, check_translator, input_shape
from keras_gans.srgan.losses import get_content_loss
from keras_gans.srgan.upscale import infer_scale, upscale_images


# ----------------------------------------------------------------------- game
@keras.saving.register_keras_serializable("keras_gans")
class SRGAN(AdversarialGame):
    """SRGAN: a super-resolution generator against an HR/SR discriminator.

    Each step performs one generator update on the perceptual loss
    ``content_loss(G(lr), hr) + adversarial_weight * L_G(D(G(lr)))``, then
    (when ``adversarial_weight > 0``) one discriminator update on ``hr``
    against the same, gradient-stopped SR batch (one generator forward per
    step).

    Args:
        generator: keras model, LR ``(N, h, w, C)`` in ``[0, 1]`` -> HR
            ``(N, h*scale, w*scale, C)`` in ``[-1, 1]`` (e.g.
            ``kg.srgan.srresnet``).
        discriminator: keras model, HR in ``[-1, 1]`` -> logits (e.g.
            ``kg.srgan.srgan_discriminator``), or None when
            ``adversarial_weight=0``.
        content_loss: "mse" (pixel MSE, in the ``[-1, 1]`` range), "vgg54" /
            "vgg22" (``kg.srgan.VGGFeatureLoss``, needs the cached VGG19
            weights), a ``kg.srgan.FeatureLoss``, or a callable
            ``(sr, hr) -> scalar``.
        adversarial_weight: weight of the generator's adversarial loss (the
            paper: 1e-3). 0 is SRResNet training: the discriminator is
            neither used nor updated.
        loss: adversarial loss name or ``kg.losses.AdversarialLoss`` (the
            paper's: "non_saturating", i.e. ``-log D(G(lr))``).
        scale: upscaling factor; None infers it from the generator.
        seed: seed of the game's RNG (unused by the default step; kept for
            subclasses and for API uniformity).

    Batches: ``(low_res, high_res)`` pairs, float (LR in ``[0, 1]``, HR in
    ``[-1, 1]``) or uint8 (both 0..255, converted in the step).

    ``fit`` logs ``content_loss``, ``psnr`` (training batch, RGB, dB, on the
    clipped output; a progress indicator, not the benchmark metric) and, when
    adversarial, ``g_adv_loss``, ``g_loss`` (the total perceptual loss) and
    ``d_loss``.
    """

    def __init__(
        self,
        generator,
        discriminator=None,
        content_loss="mse",
        adversarial_weight=1e-3,
        loss="non_saturating",
        scale=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(seed=seed, **kwargs)
        if not isinstance(generator, keras.layers.Layer):
            raise TypeError(f"SRGAN: `generator` must be a keras.Model; got {type(generator).__name__}.")
        if isinstance(adversarial_weight, bool) or not isinstance(adversarial_weight, (int, float)):
            raise TypeError(f"adversarial_weight must be a number >= 0; got {adversarial_weight!r}.")
        if adversarial_weight < 0 or not math.isfinite(adversarial_weight):
            raise ValueError(f"adversarial_weight must be a finite number >= 0; got {adversarial_weight!r}.")
        self.adversarial_weight = float(adversarial_weight)
        if discriminator is None and self.adversarial_weight > 0:
            raise ValueError(
                f"SRGAN: adversarial_weight={adversarial_weight} needs a discriminator; pass one "
                "(kg.srgan.srgan_discriminator) or use adversarial_weight=0 for SRResNet "
                "(MSE) pre-training without one."
            )
        if discriminator is not None and not isinstance(discriminator, keras.layers.Layer):
            raise TypeError(
                f"SRGAN: `discriminator` must be a keras.Model or None; got {type(discriminator).__name__}."
            )
        self.generator = generator
        self.discriminator = discriminator
        if discriminator is not None:
            check_translator(generator, discriminator, "SRGAN")
        self.content_loss = get_content_loss(content_loss)
        self.loss_fn = losses_module.get(loss)
        inferred = infer_scale(generator)
        if scale is None:
            if inferred is None:
                raise ValueError(
                    "SRGAN: could not infer the generator's upscaling factor from its output shape; "
                    "pass scale=."
                )
            scale = inferred
        if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
            raise ValueError(f"SRGAN: scale must be a positive int; got {scale!r}.")
        if inferred is not None and inferred != scale:
            raise ValueError(
                f"SRGAN: scale={scale} but the generator upscales x{inferred} (12x12 -> "
                f"{12 * inferred}x{12 * inferred})."
            )
        self.scale = scale
        self.content_tracker = keras.metrics.Mean(name="content_loss")
        self.g_adv_tracker = keras.metrics.Mean(name="g_adv_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.psnr_tracker = keras.metrics.Mean(name="psnr")
        self.built = True

    # ------------------------------------------------------------- structure
    @property
    def adversarial(self):
        return self.adversarial_weight > 0

    @property
    def optimizer_names(self):
        return ("g_optimizer", "d_optimizer") if self.adversarial else ("g_optimizer",)

    @property
    def metrics(self):
        if self.adversarial:
            return [
                self.content_tracker,
                self.g_adv_tracker,
                self.g_loss_tracker,
                self.d_loss_tracker,
                self.psnr_tracker,
            ]
        return [self.content_tracker, self.psnr_tracker]

    def _player_variables(self):
        players = {"g_optimizer": self.generator.trainable_variables}
        if self.adversarial:
            players["d_optimizer"] = self.discriminator.trainable_variables
        return players

    def compile(self, g_optimizer=None, d_optimizer=None, **kwargs):
        """Optimizers: ``g_optimizer`` always; ``d_optimizer`` only when
        ``adversarial_weight > 0`` (with 0 it is not needed, and ignored with
        a warning if given)."""
        if not self.adversarial and d_optimizer is not None:
            warnings.warn(
                "SRGAN with adversarial_weight=0 (SRResNet training) does not update the "
                "discriminator; d_optimizer is ignored.",
                stacklevel=2,
            )
            d_optimizer = None
        super().compile(g_optimizer=g_optimizer, d_optimizer=d_optimizer, **kwargs)

    # ------------------------------------------------------------------ data
    def check_arrays(self, x, y):
        """Low-res images (uint8, or floats in [0, 1]) and high-res images
        (uint8, or floats in [-1, 1]), rank 4."""
        lr, hr, names = self._pair(x, y)
        if hr is None:
            raise ValueError("SRGAN.fit needs (low_res, high_res) pairs: fit(low_res, high_res).")
        for what, images, model, rng in ((names[0], lr, self.generator, (0.0, 1.0)),
                                         (names[1], hr, self.discriminator, (-1.0, 1.0))):
            shape = input_shape(model)
            check_array("SRGAN", what, images, shape if shape is not None else (None, None, None), rng, images=True)

    def _unpack(self, data):
        x, y = unpack_pair(
            data, "SRGAN",
            "(low_res, high_res) pairs: pass fit(x=low_res, y=high_res) or a dataset yielding "
            "(low_res, high_res) tuples",
        )
        lr = step_images(x, "SRGAN", "low_res", (0.0, 1.0), self.compute_dtype)
        hr = step_images(y, "SRGAN", "high_res", (-1.0, 1.0), self.compute_dtype)
        self._check_pair_shapes(lr, hr)
        return lr, hr

    def _check_pair_shapes(self, lr, hr):
        s = self.scale
        for axis, name in ((1, "height"), (2, "width")):
            a, b = lr.shape[axis], hr.shape[axis]
            if a is not None and b is not None and b != a * s:
                raise ValueError(
                    f"SRGAN (x{s}): high_res {name} {b} is not {s} x low_res {name} {a} "
                    f"(shapes {tuple(lr.shape)} and {tuple(hr.shape)})."
                )
        if lr.shape[-1] != hr.shape[-1]:
            raise ValueError(
                f"SRGAN: low_res has {lr.shape[-1]} channels, high_res {hr.shape[-1]}."
            )

    # ------------------------------------------------------------------ step
    def batch_psnr(self, sr, hr):
        """Mean over the batch of per-image PSNR (dB) of ``sr`` (clipped)
        against ``hr``, both in ``[-1, 1]`` (peak-to-peak 2)."""
        sr = ops.clip(ops.cast(sr, "float32"), -1.0, 1.0)
        err = ops.mean(ops.square(sr - ops.cast(hr, "float32")), axis=(1, 2, 3))
        return ops.mean(10.0 * ops.log10(4.0 / ops.maximum(err, 1e-10)))

    def generator_update(self, lr, hr):
        """One generator update; returns (sr, content, adversarial, total)."""
        g_vars = self.generator.trainable_variables
        adversarial = self.adversarial

        def fn():
            sr = self.generator(lr, training=True)
            # losses in float32 under a mixed precision policy
            content = self.content_loss(ops.cast(sr, "float32"), ops.cast(hr, "float32"))
            if adversarial:
                adv = self.loss_fn.generator_loss(ops.cast(self.discriminator(sr, training=True), "float32"))
                total = content + self.adversarial_weight * adv
            else:
                adv = ops.zeros((), "float32")
                total = content
            return total, (sr, content, adv)

        total, (sr, content, adv), grads = self._value_and_grad("g_optimizer", fn, g_vars)
        self._apply("g_optimizer", grads, g_vars)
        return sr, content, adv, total

    def discriminator_update(self, hr, sr):
        d_vars = self.discriminator.trainable_variables
        fake = ops.stop_gradient(sr)

        def fn():
            real_logits = ops.cast(self.discriminator(hr, training=True), "float32")
            fake_logits = ops.cast(self.discriminator(fake, training=True), "float32")
            return self.loss_fn.discriminator_loss(real_logits, fake_logits), None

        d_loss, _, grads = self._value_and_grad("d_optimizer", fn, d_vars)
        self._apply("d_optimizer", grads, d_vars)
        return d_loss

    def game_step(self, data):
        lr, hr = self._unpack(data)
        sr, content, adv, total = self.generator_update(lr, hr)
        self.content_tracker.update_state(content)
        self.psnr_tracker.update_state(self.batch_psnr(ops.stop_gradient(sr), hr))
        if self.adversarial:
            d_loss = self.discriminator_update(hr, sr)
            self.g_adv_tracker.update_state(adv)
            self.g_loss_tracker.update_state(total)
            self.d_loss_tracker.update_state(d_loss)
        return self._logs()

    # ------------------------------------------------------------- inference
    def call(self, low_res, training=False):
        """``srgan(lr)`` is ``generator(lr)``: LR ``[0, 1]`` -> HR ``[-1, 1]``."""
        return self.generator(low_res, training=training)

    def upscale(self, images, tile=None, overlap=None, progress=None):
        """Super-resolve images of any size; see ``upscale_images``.

        uint8 (0..255) in -> uint8 out; float in ``[0, 1]`` in -> float32 in
        ``[0, 1]`` out. ``tile`` (LR pixels) bounds memory for large images;
        ``overlap`` defaults to the generator's receptive radius;
        ``progress(done, total)`` is called after each tile.
        """
        return upscale_images(self.generator, images, self.scale, tile=tile, overlap=overlap, progress=progress)

    # ----------------------------------------------------------------- config
    nested_config = ("generator", "discriminator", "content_loss", "loss")

    def get_config(self):
        return {
            **super().get_config(),
            "generator": serialize(self.generator),
            "discriminator": serialize(self.discriminator),
            "content_loss": serialize(self.content_loss),
            "adversarial_weight": self.adversarial_weight,
            "loss": serialize(self.loss_fn),
            "scale": self.scale,
            "seed": self.seed,
        }
