"""CycleGAN (Zhu, Park, Isola & Efros, ICCV 2017): unpaired image-to-image
translation between two domains A and B.

    import keras_gans as kg
    g_ab = kg.cyclegan.resnet_generator(n_blocks=9, name="g_ab")
    g_ba = kg.cyclegan.resnet_generator(n_blocks=9, name="g_ba")
    d_a = kg.cyclegan.patchgan_discriminator(name="d_a")
    d_b = kg.cyclegan.patchgan_discriminator(name="d_b")
    cg = kg.CycleGAN(g_ab, g_ba, d_a, d_b, loss="least_squares",
                     cycle_weight=10.0, identity_weight=0.5, pool_size=50)
    lr = kg.schedules.LinearDecay(2e-4, constant_steps=100 * n, decay_steps=100 * n)
    cg.compile(g_optimizer=keras.optimizers.Adam(lr, beta_1=0.5),
               d_optimizer=keras.optimizers.Adam(lr, beta_1=0.5))
    cg.fit(dataset)                      # batches (images_a, images_b), unaligned
    oranges = cg.translate(apples_uint8, direction="a2b")

The objective, as in the authors' code (``models/cycle_gan_model.py``) with
``G = generator_ab`` (A -> B), ``F = generator_ba`` (B -> A), ``D_A`` judging
domain A and ``D_B`` domain B, and ``L(t, y)`` the loss's per-output
criterion (least squares: ``mean((t - y)^2)``):

- generators (one optimizer for both):
  ``L_G = L(D_B(G(a)), 1) + L(D_A(F(b)), 1)``                      (``g_loss``)
  ``    + lambda (|F(G(a)) - a|_1 + |G(F(b)) - b|_1)``              (``cycle_loss``)
  ``    + lambda_idt lambda (|G(b) - b|_1 + |F(a) - a|_1)``         (``identity_loss``)
- discriminators (one optimizer for both), on images ``~a = pool_A(F(b))``,
  ``~b = pool_B(G(a))`` from the generators *before* their update:
  ``L_DA = 1/2 [L(D_A(a), 1) + L(D_A(~a), 0)]``                    (``d_a_loss``)
  ``L_DB = 1/2 [L(D_B(b), 1) + L(D_B(~b), 0)]``                    (``d_b_loss``)

With ``loss="least_squares"`` (the paper's): ``L_DA = 1/2 mean((D_A(a)-1)^2)
+ 1/2 mean(D_A(~a)^2)``, which is ``kg.losses.LeastSquares``' discriminator
loss, and the generator term ``mean((D_B(G(a)) - 1)^2)``, twice
``LeastSquares.generator_loss`` (whose 1/2 follows Mao et al.). For every
other ``kg.losses`` loss (written as sums of the two criteria) the
discriminator loss is halved and the generator loss used as is.

Each train step: one generator update, then one discriminator update.
Images are in ``[-1, 1]``; uint8 batches (0..255) are converted in the step.
"""

import keras
import numpy as np
from keras import ops

from keras_gans import losses as losses_module
from keras_gans import schedules  # noqa: F401  (kg.schedules.LinearDecay, the paper's schedule)
# The builders' layers and weight initializer must be registered whenever a
# saved CycleGAN (or generator) is deserialized, i.e. on `import keras_gans`.
from keras_gans.cyclegan import networks as cyclegan_networks
from keras_gans.cyclegan.image_pool import ImagePool
from keras_gans.cyclegan.losses import cycle_consistency_loss, identity_loss
from keras_gans.cyclegan.translate import static_image_shape, translate_images
from keras_gans.games.base import AdversarialGame, serialize, step_images, unpack_pair
from keras_gans.games.checks import check_array, check_translator, input_shape
from keras_gans.losses.adversarial import gan_loss_scales

DIRECTIONS = ("a2b", "b2a")


def _number(value, what, positive=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value) or value < 0:
        raise ValueError(f"CycleGAN: {what} must be a finite number >= 0; got {value!r}.")
    if positive and value == 0:
        raise ValueError(f"CycleGAN: {what} must be > 0; got {value!r}.")
    return float(value)


def _float32(t):
    return ops.cast(t, "float32")


@keras.saving.register_keras_serializable("keras_gans")
class CycleGAN(AdversarialGame):
    """Two generators and two discriminators trained with adversarial,
    cycle-consistency and identity losses (see the module docstring for the
    formulas).

    Args:
        generator_ab: keras model, domain-A image ``[-1, 1]`` -> domain-B image
            (``kg.cyclegan.resnet_generator``).
        generator_ba: keras model, B -> A.
        discriminator_a: keras model judging domain-A images (logits; a
            PatchGAN map is averaged), e.g. ``kg.cyclegan.patchgan_discriminator``.
        discriminator_b: judges domain-B images.
        loss: adversarial loss name or ``kg.losses.AdversarialLoss``
            (the paper: "least_squares").
        cycle_weight: lambda (the paper: 10).
        identity_weight: lambda_idt, relative to ``cycle_weight`` (the
            official default 0.5; 0 disables the identity loss and saves two
            generator passes).
        pool_size: images in each history pool (the paper: 50; 0 disables).
        image_shape: ``(H, W, C)`` of the training images, or a pair of such
            (domain A, domain B). Needed by the pools; None takes it from the
            discriminators' input shapes when they are fixed, else from the
            first batch of the data given to ``fit``.
        seed: seed of the game's RNG (the pools' choices).

    ``fit`` logs ``g_loss`` (adversarial terms of both generators),
    ``cycle_loss`` and ``identity_loss`` (weighted: the generators minimise
    their sum), ``d_a_loss`` and ``d_b_loss``.
    """

    def __init__(
        self,
        generator_ab,
        generator_ba,
        discriminator_a,
        discriminator_b,
        loss="least_squares",
        cycle_weight=10.0,
        identity_weight=0.5,
        pool_size=50,
        image_shape=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(seed=seed, **kwargs)
        models = {
            "generator_ab": generator_ab,
            "generator_ba": generator_ba,
            "discriminator_a": discriminator_a,
            "discriminator_b": discriminator_b,
        }
        for role, model in models.items():
            if not isinstance(model, keras.layers.Layer):
                raise TypeError(f"CycleGAN: `{role}` must be a keras.Model; got {type(model).__name__}.")
        if len({id(m) for m in models.values()}) != 4:
            raise ValueError(
                "CycleGAN needs four distinct models (two generators, two discriminators); "
                "the same object was passed twice."
            )
        check_translator(generator_ab, discriminator_b, "CycleGAN", ("generator_ab", "discriminator_b"))
        check_translator(generator_ba, discriminator_a, "CycleGAN", ("generator_ba", "discriminator_a"))
        self.generator_ab = generator_ab
        self.generator_ba = generator_ba
        self.discriminator_a = discriminator_a
        self.discriminator_b = discriminator_b
        self.loss_fn = losses_module.get(loss)
        self.cycle_weight = _number(cycle_weight, "cycle_weight")
        self.identity_weight = _number(identity_weight, "identity_weight")
        if isinstance(pool_size, bool) or not isinstance(pool_size, int) or pool_size < 0:
            raise ValueError(f"CycleGAN: pool_size must be an int >= 0; got {pool_size!r}.")
        self.pool_size = pool_size
        self.pool_a = ImagePool(pool_size, name="pool_a")
        self.pool_b = ImagePool(pool_size, name="pool_b")
        shape_a, shape_b = self._split_shapes(image_shape)
        self._build_pools(
            shape_a or static_image_shape(discriminator_a),
            shape_b or static_image_shape(discriminator_b),
        )
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.cycle_tracker = keras.metrics.Mean(name="cycle_loss")
        self.identity_tracker = keras.metrics.Mean(name="identity_loss")
        self.d_a_tracker = keras.metrics.Mean(name="d_a_loss")
        self.d_b_tracker = keras.metrics.Mean(name="d_b_loss")
        # built once the pools know their image shape (here, or in build() from the first batch)
        self.built = self.pool_a.ready and self.pool_b.ready

    @classmethod
    def official(cls, n_blocks=9, filters=64, channels=3, image_size=None, seed=None, upsample="transpose",
                 **kwargs):
        """The paper's networks: two ``resnet_generator(n_blocks, filters)``
        ("g_ab", "g_ba") and two 70x70 ``patchgan_discriminator(filters)``
        ("d_a", "d_b"), in a CycleGAN with ``kwargs`` (loss, weights, pool).
        ``image_size`` fixes the networks' input size (None: any size; the
        pools then take it from ``image_shape=`` or the data); ``upsample``:
        the generators' (``"nearest"``: resize-convolution, no checkerboard)."""
        nets = cyclegan_networks
        s = lambda k: None if seed is None else seed + k  # noqa: E731
        return cls(
            nets.resnet_generator(n_blocks, filters, channels, image_size, seed=s(0), upsample=upsample, name="g_ab"),
            nets.resnet_generator(n_blocks, filters, channels, image_size, seed=s(100), upsample=upsample,
                                  name="g_ba"),
            nets.patchgan_discriminator(filters, 3, channels, image_size, seed=s(200), name="d_a"),
            nets.patchgan_discriminator(filters, 3, channels, image_size, seed=s(300), name="d_b"),
            seed=seed,
            **kwargs,
        )

    # ------------------------------------------------------------- structure
    @staticmethod
    def _split_shapes(image_shape):
        if image_shape is None:
            return None, None
        shape = list(image_shape)
        if len(shape) == 2 and all(isinstance(s, (list, tuple)) for s in shape):
            return tuple(shape[0]), tuple(shape[1])
        if len(shape) == 3:
            return tuple(shape), tuple(shape)
        raise ValueError(
            "CycleGAN: image_shape must be (height, width, channels) or a pair of such "
            f"(domain A, domain B); got {image_shape!r}."
        )

    def _build_pools(self, shape_a, shape_b):
        if shape_a is not None:
            self.pool_a.build_for(shape_a)
        if shape_b is not None:
            self.pool_b.build_for(shape_b)

    @property
    def image_shape(self):
        """``[shape_a, shape_b]`` of the pools once known, else None."""
        a, b = self.pool_a.image_shape, self.pool_b.image_shape
        if a is None or b is None:
            return None
        return [list(a), list(b)]

    @property
    def metrics(self):
        return [
            self.g_loss_tracker,
            self.cycle_tracker,
            self.identity_tracker,
            self.d_a_tracker,
            self.d_b_tracker,
        ]

    def _player_variables(self):
        return {
            "g_optimizer": self.generator_ab.trainable_variables + self.generator_ba.trainable_variables,
            "d_optimizer": self.discriminator_a.trainable_variables
            + self.discriminator_b.trainable_variables,
        }

    @property
    def _loss_scales(self):
        """(discriminator, generator) factors applied to ``loss_fn`` to get the
        official ``1/2 [L(real, 1) + L(fake, 0)]`` and ``L(fake, 1)``."""
        return gan_loss_scales(self.loss_fn)

    # ------------------------------------------------------------- pools
    def _missing_pool_message(self):
        return (
            f"CycleGAN: the image pools (pool_size={self.pool_size}) need the training images' "
            "shape before the first train step (they are Keras variables, which cannot be "
            "created inside the step). fit() and train_on_batch() size them from the first batch; "
            "otherwise pass image_shape=(H, W, C) to CycleGAN, call cyclegan.build((None, H, W, C)), "
            "build the discriminators with a fixed image_size, or use pool_size=0."
        )

    def build(self, input_shape):
        """Size the image pools where Keras sizes state: from the shape of a
        batch of domain-A images (Keras calls this with the first batch in
        ``fit`` / ``train_on_batch``, or call ``build((None, H, W, C))``).
        Domain-B images are taken to have the shape ``generator_ab`` gives
        them; pass ``image_shape=(shape_a, shape_b)`` when they differ."""
        if not (self.pool_a.ready and self.pool_b.ready):
            shape = tuple(input_shape)
            if len(shape) != 4 or any(s is None for s in shape[1:]):
                raise ValueError(
                    f"CycleGAN.build takes the shape of a batch of images (batch, height, width, "
                    f"channels) with known sizes; got {shape}. {self._missing_pool_message()}"
                )
            out = tuple(self.generator_ab.compute_output_shape(shape))
            self._build_pools(shape[1:], out[1:])
        self.built = True

    # ------------------------------------------------------------------ data
    def check_arrays(self, x, y):
        """Two image sets (rank 4, the generators' channels), uint8 or floats in [-1, 1]."""
        a, b, names = self._pair(x, y)
        if b is None:
            raise ValueError("CycleGAN.fit needs two image sets: fit(images_a, images_b).")
        for what, images, g in ((f"{names[0]} (images_a)", a, self.generator_ab),
                                (f"{names[1]} (images_b)", b, self.generator_ba)):
            shape = input_shape(g)
            check_array("CycleGAN", what, images, shape if shape is not None else (None, None, None),
                        (-1.0, 1.0), images=True)

    def _unpack(self, data):
        a, b = unpack_pair(
            data, "CycleGAN",
            "unaligned pairs of batches: pass a dataset yielding (images_a, images_b) tuples, or "
            "fit(x=images_a, y=images_b)",
        )
        return (
            step_images(a, "CycleGAN", "images_a", dtype=self.compute_dtype),
            step_images(b, "CycleGAN", "images_b", dtype=self.compute_dtype),
        )

    # ------------------------------------------------------------------ step
    def generator_losses(self, real_a, real_b):
        """``(total, (fake_a, fake_b, adversarial, cycle, identity))`` for the
        generators, from the current weights (see the module docstring)."""
        g_ab, g_ba = self.generator_ab, self.generator_ba
        _, g_scale = self._loss_scales
        fake_b = g_ab(real_a, training=True)
        rec_a = g_ba(fake_b, training=True)
        fake_a = g_ba(real_b, training=True)
        rec_b = g_ab(fake_a, training=True)
        f32 = _float32  # losses in float32 under a mixed precision policy
        adversarial = g_scale * (
            self.loss_fn.generator_loss(f32(self.discriminator_b(fake_b, training=True)))
            + self.loss_fn.generator_loss(f32(self.discriminator_a(fake_a, training=True)))
        )
        cycle = cycle_consistency_loss(f32(real_a), f32(rec_a), f32(real_b), f32(rec_b), self.cycle_weight)
        if self.identity_weight > 0:
            same_b = g_ab(real_b, training=True)
            same_a = g_ba(real_a, training=True)
            idt = identity_loss(f32(real_a), f32(same_a), f32(real_b), f32(same_b), self.cycle_weight,
                                self.identity_weight)
        else:
            idt = ops.zeros((), "float32")
        total = adversarial + cycle + idt
        return total, (fake_a, fake_b, adversarial, cycle, idt)

    def discriminator_losses(self, real_a, real_b, fake_a, fake_b):
        """``(L_DA, L_DB)`` on real images and (pooled) generated ones."""
        d_scale, _ = self._loss_scales
        d_a, d_b = self.discriminator_a, self.discriminator_b
        f32 = _float32
        loss_a = d_scale * self.loss_fn.discriminator_loss(f32(d_a(real_a, training=True)), f32(d_a(fake_a, training=True)))
        loss_b = d_scale * self.loss_fn.discriminator_loss(f32(d_b(real_b, training=True)), f32(d_b(fake_b, training=True)))
        return loss_a, loss_b

    def generator_update(self, real_a, real_b):
        g_vars = self._player_variables()["g_optimizer"]

        def fn():
            return self.generator_losses(real_a, real_b)

        _, aux, grads = self._value_and_grad("g_optimizer", fn, g_vars)
        self._apply("g_optimizer", grads, g_vars)
        return aux

    def discriminator_update(self, real_a, real_b, fake_a, fake_b):
        d_vars = self._player_variables()["d_optimizer"]
        fake_a = self.pool_a.query(ops.stop_gradient(fake_a), self.seed_generator)
        fake_b = self.pool_b.query(ops.stop_gradient(fake_b), self.seed_generator)

        def fn():
            loss_a, loss_b = self.discriminator_losses(real_a, real_b, fake_a, fake_b)
            return loss_a + loss_b, (loss_a, loss_b)

        _, (loss_a, loss_b), grads = self._value_and_grad("d_optimizer", fn, d_vars)
        self._apply("d_optimizer", grads, d_vars)
        return loss_a, loss_b

    def game_step(self, data):
        if not (self.pool_a.ready and self.pool_b.ready):
            raise RuntimeError(self._missing_pool_message())
        real_a, real_b = self._unpack(data)
        fake_a, fake_b, adversarial, cycle, idt = self.generator_update(real_a, real_b)
        loss_a, loss_b = self.discriminator_update(real_a, real_b, fake_a, fake_b)
        self.g_loss_tracker.update_state(adversarial)
        self.cycle_tracker.update_state(cycle)
        self.identity_tracker.update_state(idt)
        self.d_a_tracker.update_state(loss_a)
        self.d_b_tracker.update_state(loss_b)
        return self._logs()

    # ------------------------------------------------------------- inference
    def call(self, images_a, training=False):
        """``cyclegan(a)`` is ``generator_ab(a)`` (uint8 images are mapped to ``[-1, 1]``)."""
        return self.generator_ab(step_images(images_a, "CycleGAN", "images_a", dtype=self.compute_dtype),
                                 training=training)

    def generator_for(self, direction):
        """The generator of ``direction``: "a2b" (``generator_ab``) or "b2a"."""
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be 'a2b' or 'b2a'; got {direction!r}.")
        return self.generator_ab if direction == "a2b" else self.generator_ba

    def translate(self, images, direction="a2b", batch_size=8, tile=None, progress=None):
        """Translate images with ``generator_ab`` ("a2b") or ``generator_ba`` ("b2a").

        Args:
            images: one image ``(H, W, C)`` or a batch ``(N, H, W, C)``:
                uint8 (0..255) or float in the model's range ``[-1, 1]``.
                Any height and width the generator accepts (multiples of 4
                for ``resnet_generator``; resize or pad others first, as the
                ``keras-gans translate`` command does).
            direction: "a2b" or "b2a".
            batch_size: images per generator call.
            tile: None runs the images whole; an int (e.g. 512) runs each
                through ``kg.streaming`` in tiles of that side: the same
                result (the instance norms use whole-image statistics), with
                memory bounded by the tile, for photos of any size.
            progress: ``callable(done, total)`` after each tile.

        Returns a numpy array of the input's shape: uint8 in -> uint8 out
        (``round((y + 1) * 127.5)``, clipped to 0..255); float in -> float32
        in ``[-1, 1]``.
        """
        generator = self.generator_for(direction)
        return translate_images(generator, images, batch_size=batch_size, tile=tile, progress=progress)

    # ----------------------------------------------------------------- config
    nested_config = ("generator_ab", "generator_ba", "discriminator_a", "discriminator_b", "loss")

    def get_config(self):
        return {
            **super().get_config(),
            "generator_ab": serialize(self.generator_ab),
            "generator_ba": serialize(self.generator_ba),
            "discriminator_a": serialize(self.discriminator_a),
            "discriminator_b": serialize(self.discriminator_b),
            "loss": serialize(self.loss_fn),
            "cycle_weight": self.cycle_weight,
            "identity_weight": self.identity_weight,
            "pool_size": self.pool_size,
            "image_shape": self.image_shape,
            "seed": self.seed,
        }
