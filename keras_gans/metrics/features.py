"""Shared plumbing: run a feature extractor over a stream of batches."""

import numpy as np

SIDES = ("real", "fake")


def as_extractor(feature_extractor):
    """A function numpy batch -> numpy (n, d) float64 features."""
    if feature_extractor is None:
        fn = None
    elif callable(feature_extractor):
        fn = feature_extractor
    else:
        raise TypeError(
            "feature_extractor must be a keras Model, a callable mapping a batch to "
            f"features, or None (inputs are features already); got {type(feature_extractor).__name__}."
        )

    def extract(x):
        if fn is None:
            f = x
        else:
            try:
                f = fn(x, training=False)
            except TypeError:
                f = fn(x)
        if not isinstance(f, np.ndarray):
            from keras import ops

            f = ops.convert_to_numpy(f)
        f = np.asarray(f, np.float64)
        return f.reshape(f.shape[0], -1)

    return extract


def batches(x, batch_size):
    """Yield numpy batches from an array, or pass through an iterable of batches."""
    if hasattr(x, "shape") and hasattr(x, "__getitem__") and not isinstance(x, (list, tuple)):
        x = np.asarray(x)
        for i in range(0, len(x), batch_size):
            yield x[i : i + batch_size]
    else:
        for b in x:
            if isinstance(b, (tuple, list)):  # (images, labels) batches
                b = b[0]
            yield np.asarray(b)


class FeatureStream:
    """Base of the streaming metrics: holds the extractor and per-side state."""

    def __init__(self, feature_extractor=None, batch_size=256, name=None):
        self.feature_extractor = feature_extractor
        self._extract = as_extractor(feature_extractor)
        self.batch_size = int(batch_size)
        self.name = name or type(self).__name__
        self.reset_state()

    def reset_state(self, which=None):
        """Forget the accumulated samples of one side ("real"/"fake") or both."""
        for side in self._sides(which):
            self._reset_side(side)

    @staticmethod
    def _sides(which):
        if which is None:
            return SIDES
        if which not in SIDES:
            raise ValueError(f"which must be 'real', 'fake' or None; got {which!r}.")
        return (which,)

    def update_state(self, real=None, fake=None):
        """Add samples: ``real`` and/or ``fake``, each an array of inputs for
        the feature extractor (or an iterable of such batches). Returns the
        number of samples seen so far on each side."""
        if real is None and fake is None:
            raise ValueError("update_state() needs real=... and/or fake=... samples.")
        for side, x in (("real", real), ("fake", fake)):
            if x is None:
                continue
            for b in batches(x, self.batch_size):
                if len(b) == 0:
                    continue
                self._add(side, self._extract(b))
        return self.counts()

    def counts(self):
        return {side: self._count(side) for side in SIDES}

    def _need(self, minimum):
        for side in SIDES:
            if self._count(side) < minimum:
                raise ValueError(
                    f"{self.name}.result() needs at least {minimum} {side} samples; "
                    f"got {self._count(side)}. Call update_state({side}=...) first."
                )
