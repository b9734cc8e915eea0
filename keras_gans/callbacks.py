"""Keras callbacks for GAN training.

    gan.fit(x, epochs=50, callbacks=[kg.callbacks.SampleGrid("samples", n=64, every=5)])
"""

from pathlib import Path

import keras
import numpy as np


class SampleGrid(keras.callbacks.Callback):
    """Write a PNG grid of ``model.generate(n, seed=seed)`` every ``every``
    epochs (and after the last one) to ``folder/epoch_XXXX.png``.

    The same ``seed`` each time, so the grids show one set of latent vectors
    evolving. For a conditional game pass ``labels`` (an int or one per
    sample); by default samples cycle through the classes. ``value_range``
    maps generator outputs to pixels ([-1, 1] for tanh generators).
    """

    def __init__(self, folder, n=64, every=1, seed=0, labels=None, value_range=(-1.0, 1.0), columns=None):
        super().__init__()
        for what, v in (("n", n), ("every", every)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"SampleGrid: `{what}` must be an int >= 1; got {v!r}.")
        self.folder = Path(folder)
        self.n, self.every, self.seed = n, every, seed
        self.labels, self.value_range, self.columns = labels, tuple(value_range), columns
        self.written = []

    def _generate(self):
        m = self.model
        if not hasattr(m, "generate"):
            raise TypeError(f"SampleGrid needs a game with generate(); got {type(m).__name__}.")
        if getattr(m, "num_classes", None):
            labels = self.labels if self.labels is not None else np.arange(self.n) % m.num_classes
            return m.generate(self.n, labels=labels, seed=self.seed)
        return m.generate(self.n, seed=self.seed)

    def write(self, name):
        from PIL import Image

        from keras_gans.cli.generate import make_grid

        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{name}.png"
        Image.fromarray(make_grid(self._generate(), self.value_range, self.columns)).save(path)
        self.written.append(path)
        return path

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            self.write(f"epoch_{epoch + 1:04d}")

    def on_train_end(self, logs=None):
        last = self.folder / f"epoch_{self.params.get('epochs', 0):04d}.png" if self.params else None
        if last is None or last not in self.written:
            self.write("final")


__all__ = ["SampleGrid"]
