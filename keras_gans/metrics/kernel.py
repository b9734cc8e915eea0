"""Kernel Inception Distance (Bińkowski et al. 2018): unbiased MMD^2 with the
cubic polynomial kernel ``k(x, y) = (x.y / d + 1)^3``."""

import numpy as np

from keras_gans.metrics.features import FeatureStream


def _kernel(a, b, degree, gamma, coef0):
    return (a @ b.T * gamma + coef0) ** degree


def polynomial_mmd2_unbiased(x, y, degree=3, gamma=None, coef0=1.0):
    """Unbiased MMD^2 between feature sets ``x`` (m, d) and ``y`` (n, d).

    ``sum_{i!=j} k(x_i,x_j)/(m(m-1)) + sum_{i!=j} k(y_i,y_j)/(n(n-1))
    - 2 sum_{i,j} k(x_i,y_j)/(mn)``, with ``gamma = 1/d`` by default.
    """
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[1]:
        raise ValueError(f"features must be (m, d) and (n, d); got {x.shape} and {y.shape}.")
    m, n = len(x), len(y)
    if m < 2 or n < 2:
        raise ValueError(f"unbiased MMD needs at least 2 samples per side; got {m} and {n}.")
    gamma = 1.0 / x.shape[1] if gamma is None else gamma
    kxx = _kernel(x, x, degree, gamma, coef0)
    kyy = _kernel(y, y, degree, gamma, coef0)
    kxy = _kernel(x, y, degree, gamma, coef0)
    return float(
        (kxx.sum() - np.trace(kxx)) / (m * (m - 1))
        + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
        - 2.0 * kxy.mean()
    )


class KernelDistance(FeatureStream):
    """Streaming KID over the features of any model.

        kid = kg.metrics.KernelDistance(feature_model, subsets=100, subset_size=1000)
        kid.update_state(real=real_images, fake=generated)
        kid.result()   # mean over subsets; kid.std holds their standard deviation

    Features are kept (MMD needs every pair). With ``subsets=None`` the
    unbiased MMD^2 of all samples is returned (``std`` is None); otherwise
    the mean over ``subsets`` random subsets of ``subset_size`` per side
    (capped at the number of samples), drawn with ``seed``.
    """

    def __init__(
        self,
        feature_extractor=None,
        subsets=None,
        subset_size=1000,
        degree=3,
        gamma=None,
        coef0=1.0,
        seed=0,
        batch_size=256,
        name="kernel_distance",
    ):
        self.subsets = subsets
        self.subset_size = int(subset_size)
        self.degree, self.gamma, self.coef0 = degree, gamma, coef0
        self.seed = seed
        self.std = None
        super().__init__(feature_extractor, batch_size, name)

    def _reset_side(self, side):
        setattr(self, f"_{side}_feats", [])

    def _count(self, side):
        return sum(len(f) for f in getattr(self, f"_{side}_feats"))

    def _add(self, side, f):
        getattr(self, f"_{side}_feats").append(f)

    def features(self, which):
        (side,) = self._sides(which)
        feats = getattr(self, f"_{side}_feats")
        return np.concatenate(feats, 0) if feats else np.zeros((0, 0))

    def result(self):
        self._need(2)
        x, y = self.features("real"), self.features("fake")
        kw = dict(degree=self.degree, gamma=self.gamma, coef0=self.coef0)
        if not self.subsets:
            self.std = None
            return polynomial_mmd2_unbiased(x, y, **kw)
        rng = np.random.default_rng(self.seed)
        size = min(self.subset_size, len(x), len(y))
        values = [
            polynomial_mmd2_unbiased(
                x[rng.choice(len(x), size, replace=False)], y[rng.choice(len(y), size, replace=False)], **kw
            )
            for _ in range(int(self.subsets))
        ]
        self.std = float(np.std(values))
        return float(np.mean(values))
