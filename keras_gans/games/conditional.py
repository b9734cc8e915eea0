"""The conditional GAN (Mirza & Osindero 2014)."""

import keras
import numpy as np
from keras import ops

from keras_gans.games.checks import check_array, check_labels, input_shape
from keras_gans.games.base import unpack_pair
from keras_gans.games.gan import GAN


@keras.saving.register_keras_serializable("keras_gans")
class ConditionalGAN(GAN):
    """A GAN whose players both see the class label.

    ``generator([z, labels])`` and ``discriminator([x, labels])``, with
    integer labels of shape (batch,) or (batch, 1). ``fit`` takes
    ``(images, labels)``; the generator's step uses the batch's labels, so
    generated classes follow the data's class frequencies.

    Args: as ``GAN``, plus ``num_classes``.
    """

    def __init__(self, generator, discriminator, latent_dim, num_classes, **kwargs):
        if not isinstance(num_classes, int) or num_classes < 2:
            raise ValueError(f"num_classes must be an int >= 2, got {num_classes!r}.")
        self.num_classes = num_classes
        super().__init__(generator, discriminator, latent_dim, **kwargs)

    conditional = True

    def _unpack(self, data):
        x, y = unpack_pair(
            data, type(self).__name__,
            "(images, labels): fit(images, labels) or a dataset yielding (images, labels) batches",
        )
        return ops.cast(x, self.compute_dtype), ops.cast(y, "int32")

    def check_arrays(self, x, y):
        """Images as for ``GAN``; one integer label in [0, num_classes) each."""
        x, y, names = self._pair(x, y)
        if y is None:
            raise ValueError(
                "ConditionalGAN.fit needs labels: fit(images, labels) with one class index per image."
            )
        shape = input_shape(self.discriminator)
        rank = len(shape) + 1 if shape is not None else np.ndim(x)
        check_array("ConditionalGAN", names[0], x, shape, (-1.0, 1.0) if rank == 4 else None, images=rank == 4)
        check_labels("ConditionalGAN", names[1], y, self.num_classes, n=len(x))

    def _generate(self, z, cond, training):
        return self.generator([ops.convert_to_tensor(z), ops.convert_to_tensor(cond)], training=training)

    def _critic(self, x, cond, training):
        return self.discriminator([ops.convert_to_tensor(x), ops.convert_to_tensor(cond)], training=training)

    def call(self, inputs, training=False):
        """``cgan([z, labels])`` is ``generator([z, labels])``."""
        return self.generator(inputs, training=training)

    def generate(self, n, labels=None, seed=None, batch_size=256):
        """``n`` samples of the given class(es) as numpy.

        Args:
            labels: an int (all samples of that class), a sequence of ``n``
                ints, or None (classes drawn uniformly with ``seed``).
        """
        n, batch_size = self._check_count(n, batch_size)
        rng = np.random.default_rng(seed)
        if labels is None:
            labels = rng.integers(0, self.num_classes, size=n)
        labels = np.asarray(labels)
        if labels.size and not (np.issubdtype(labels.dtype, np.integer) or np.all(np.mod(labels, 1) == 0)):
            raise ValueError(f"generate: labels must be integer class indices; got {labels.reshape(-1)[:5]}.")
        if labels.ndim == 0:
            labels = np.full((n,), int(labels))
        labels = labels.reshape(-1)
        if labels.shape[0] != n:
            raise ValueError(f"generate(n={n}) got {labels.shape[0]} labels; pass one int or n ints.")
        if labels.size and (labels.min() < 0 or labels.max() >= self.num_classes):
            raise ValueError(
                f"labels must be in [0, {self.num_classes - 1}]; got values from "
                f"{labels.min()} to {labels.max()}."
            )
        z = self._numpy_normal(n, self.latent_dim, seed)
        labels = labels.astype("int32")
        return self._predict_batches(
            lambda zb, lb: self.generator([zb, lb], training=False), z, labels, batch_size
        )

    def get_config(self):
        config = super().get_config()
        config["num_classes"] = self.num_classes
        return config
