"""Data whose batch ``i`` of epoch ``e`` is a function of ``(e, i)``.

Exact mid-epoch resume (``kg.callbacks.BackupAndRestore``) needs to replay
an epoch from its ``k``-th batch. That is possible when the order of the
batches is decided by the epoch number, not by a hidden RNG:

- ``ArrayBatches``: numpy arrays cut into batches, shuffled per epoch with
  ``default_rng([seed, epoch])`` (what ``fit(x, shuffle=True)`` does, made
  reproducible);
- any ``keras.utils.PyDataset`` with a ``set_epoch(epoch)`` method (the
  zoo recipes' data sets have one): it is told the epoch before each epoch
  starts, and must make ``__getitem__`` depend only on it and the index.

``EpochData`` lays such epochs end to end so that each batch is a function
of its position alone, and skips the batches of an interrupted epoch that
were already trained on.
"""

import threading

import keras
import numpy as np


class ArrayBatches(keras.utils.PyDataset):
    """Batches of numpy arrays (``x`` and optional ``y``, each an array or a
    tuple of arrays of equal length), the last one partial, reshuffled every
    epoch from ``(seed, epoch)`` when ``shuffle``."""

    def __init__(self, x, y=None, batch_size=32, shuffle=True, seed=0):
        super().__init__()
        self.x, self.y = x, y
        n = {len(a) for a in self._arrays()}
        if len(n) != 1:
            raise ValueError(f"fit: x and y must have the same number of samples; got lengths {sorted(n)}.")
        self.n = n.pop()
        if self.n == 0:
            raise ValueError("fit: the data holds no samples (length 0).")
        self.batch_size = int(batch_size or 32)
        self.shuffle, self.seed = shuffle, 0 if seed is None else int(seed)
        self.order = None
        self.set_epoch(0)

    def _arrays(self):
        out = []
        for part in (self.x, self.y):
            if part is None:
                continue
            out.extend(part if isinstance(part, (tuple, list)) else [part])
        return out

    def set_epoch(self, epoch):
        self.epoch = int(epoch)
        if self.shuffle:
            self.order = np.random.default_rng([self.seed, self.epoch]).permutation(self.n)
        else:
            self.order = np.arange(self.n)

    def __len__(self):
        return -(-self.n // self.batch_size)

    def __getitem__(self, i):
        idx = self.order[i * self.batch_size : (i + 1) * self.batch_size]

        def take(part):
            if isinstance(part, (tuple, list)):
                return tuple(np.asarray(a)[idx] for a in part)
            return np.asarray(part)[idx]

        xb = take(self.x)
        return (xb,) if self.y is None else (xb, take(self.y))


class EpochData(keras.utils.PyDataset):
    """Epochs ``first_epoch, first_epoch + 1, ...`` of an epoch-indexed data
    set laid end to end, starting at batch ``skip`` of the first: item ``g``
    is batch ``(skip + g) % n`` of epoch ``first_epoch + (skip + g) // n``.
    Every item is a function of its index alone, so Keras' prefetching (which
    reads ahead across epoch boundaries) cannot mix epochs up. ``fit`` runs
    it with ``steps_per_epoch=n``."""

    def __init__(self, inner, epochs, first_epoch=0, skip=0, steps_per_epoch=None):
        super().__init__(
            workers=getattr(inner, "workers", 1),
            use_multiprocessing=False,
            max_queue_size=getattr(inner, "max_queue_size", 10),
        )
        self.inner, self.first_epoch, self.skip = inner, int(first_epoch), int(skip)
        self.steps_per_epoch = int(steps_per_epoch or len(inner))
        self.total = int(epochs) * self.steps_per_epoch - self.skip
        self._lock = threading.Lock()

    def __len__(self):
        return self.total

    def __getitem__(self, g):
        epoch, i = divmod(self.skip + int(g), self.steps_per_epoch)
        with self._lock:  # set_epoch + getitem as one step when workers > 1
            self.inner.set_epoch(self.first_epoch + epoch)
            return self.inner[i]


def first_batch(x):
    """The first batch of ``x`` without consuming it (a PyDataset, a tf.data
    Dataset, a torch DataLoader or any re-iterable), or None for an iterator
    or a Python generator."""
    if isinstance(x, keras.utils.PyDataset):
        return x[0]
    if hasattr(x, "__iter__") and not hasattr(x, "shape") and not isinstance(x, (tuple, list, dict)):
        it = iter(x)
        return None if it is x else next(it)
    return None


def epoch_indexed(x):
    """Whether ``x`` can replay any batch of any epoch."""
    return isinstance(x, keras.utils.PyDataset) and callable(getattr(x, "set_epoch", None))


def is_arrays(x):
    parts = x if isinstance(x, (tuple, list)) else [x]
    return len(parts) > 0 and all(isinstance(p, np.ndarray) for p in parts)


__all__ = ["ArrayBatches", "EpochData", "epoch_indexed", "is_arrays"]
