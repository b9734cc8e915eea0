"""The history of generated images (Shrivastava et al. 2017, section 2.3; used
by CycleGAN, Zhu et al. 2017, section 4): the discriminator sees a mix of the
current generator's samples and older ones, which damps oscillation.
"""

import keras
from keras import ops

from keras_gans import backend


def _image_shape(shape, what="image_shape"):
    try:
        shape = tuple(int(s) for s in shape)
    except (TypeError, ValueError):
        shape = None
    if shape is None or len(shape) != 3 or min(shape) < 1:
        raise ValueError(f"ImagePool: {what} must be (height, width, channels) of positive ints.")
    return shape


@keras.saving.register_keras_serializable("keras_gans")
class ImagePool(keras.layers.Layer):
    """A buffer of up to ``pool_size`` previously generated images.

    ``query(images)`` processes the batch's images in order, as the official
    ``ImagePool.query`` does; for each image ``x``:

    - while the pool holds fewer than ``pool_size`` images: store ``x`` and
      return ``x``;
    - afterwards, with probability 1/2: return a uniformly chosen stored image
      and store ``x`` in its place; otherwise return ``x`` (pool unchanged).

    With ``pool_size=0`` the pool is disabled: ``query`` returns its input.

    The state lives in Keras variables (``buffer`` of shape ``(pool_size, H,
    W, C)`` and the fill ``count``) and ``query`` is written with
    ``keras.ops`` (a ``fori_loop`` over the batch, ``take`` and
    ``scatter_update``), so it runs inside a compiled train step on
    TensorFlow, JAX and PyTorch. Variables cannot be created inside a step:
    the image shape is fixed when the pool is built (``image_shape=`` or
    ``build_for(image_shape)``), before training.

    The buffer is not saved with the model (``save_own_variables`` writes
    nothing): a reloaded game starts with an empty history, as the official
    code does on resume.

    Args:
        pool_size: images kept (the paper: 50); 0 disables the pool.
        image_shape: ``(H, W, C)`` to build now, or None to build later.
        seed: seed of the pool's own RNG, used when ``query`` is given no
            ``seed_generator``.
    """

    def __init__(self, pool_size=50, image_shape=None, seed=None, **kwargs):
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)
        if isinstance(pool_size, bool) or not isinstance(pool_size, int) or pool_size < 0:
            raise ValueError(f"ImagePool: pool_size must be an int >= 0; got {pool_size!r}.")
        self.pool_size = int(pool_size)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed) if self.pool_size else None
        self.image_shape = None
        self.built = self.pool_size == 0
        if image_shape is not None:
            self.build_for(image_shape)

    def build_for(self, image_shape):
        """Create the buffer for images of shape ``(H, W, C)``."""
        image_shape = _image_shape(image_shape)
        if self.image_shape is not None:
            if image_shape != self.image_shape:
                raise ValueError(
                    f"ImagePool was built for images of shape {self.image_shape}; got {image_shape}."
                )
            return
        self.image_shape = image_shape
        if self.pool_size:
            self.buffer = self.add_weight(
                shape=(self.pool_size, *image_shape), initializer="zeros", trainable=False,
                name="buffer", dtype="float32",
            )
            self.count = self.add_weight(
                shape=(), initializer="zeros", trainable=False, name="count", dtype="int32"
            )
        self.built = True

    def build(self, input_shape):
        self.build_for(tuple(input_shape)[1:])

    @property
    def ready(self):
        """Whether ``query`` can run (disabled, or built)."""
        return self.pool_size == 0 or self.image_shape is not None

    def call(self, images):
        return self.query(images)

    def query(self, images, seed_generator=None):
        """Images for the discriminator: see the class docstring.

        Args:
            images: a batch ``(N, H, W, C)`` of generated images (their
                gradient is not needed: they are stored and returned as
                values).
            seed_generator: a ``keras.random.SeedGenerator`` (a game passes
                its own), or None for the pool's.
        """
        if self.pool_size == 0:
            return images
        if self.image_shape is None:
            raise RuntimeError(
                "ImagePool was not built: it needs the image shape before the train step. Pass "
                "image_shape=(H, W, C) or call build_for(image_shape) first."
            )
        if len(images.shape) != 4:
            raise ValueError(f"ImagePool.query takes a batch (N, H, W, C); got shape {tuple(images.shape)}.")
        static = tuple(images.shape[1:])
        if any(s is not None and s != t for s, t in zip(static, self.image_shape)):
            raise ValueError(
                f"ImagePool holds images of shape {self.image_shape}; got a batch of {static}."
            )
        seed = self.seed_generator if seed_generator is None else seed_generator
        dtype = images.dtype
        # data-parallel (tf.distribute, torch.distributed): every replica updates the pool from the global batch
        x, rows = backend.replica_gather(ops.cast(ops.stop_gradient(images), "float32"))
        n = ops.shape(x)[0]
        size = self.pool_size
        u = backend.random_uniform((n,), "float32", seed)
        r = keras.random.randint((n,), 0, size, seed=seed, dtype="int32")

        def body(i, state):
            buffer, count, out = state
            image = ops.take(out, i, axis=0)  # out[i] is still the input image
            filling = ops.less(count, size)
            swap = ops.logical_and(ops.logical_not(filling), ops.greater(ops.take(u, i), 0.5))
            slot = ops.where(filling, count, ops.take(r, i))
            stored = ops.take(buffer, slot, axis=0)
            returned = ops.where(swap, stored, image)
            kept = ops.where(ops.logical_or(filling, swap), image, stored)
            buffer = ops.scatter_update(buffer, ops.reshape(slot, (1, 1)), ops.expand_dims(kept, 0))
            out = ops.scatter_update(
                out, ops.reshape(ops.cast(i, "int32"), (1, 1)), ops.expand_dims(returned, 0)
            )
            count = count + ops.cast(filling, "int32")
            return buffer, count, out

        buffer, count, out = ops.fori_loop(
            0, n, body, (ops.convert_to_tensor(self.buffer.value), ops.convert_to_tensor(self.count.value), x)
        )
        self.buffer.assign(buffer)
        self.count.assign(count)
        return ops.cast(rows(out), dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    # The history is training state, not a model weight.
    def save_own_variables(self, store):
        pass

    def load_own_variables(self, store):
        pass

    def get_config(self):
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "image_shape": None if self.image_shape is None else list(self.image_shape),
            "seed": self.seed,
        }
