"""Fréchet distance between Gaussian fits of two feature sets (Heusel et al. 2017)."""

import os
import warnings

import numpy as np

from keras_gans.metrics.features import FeatureStream
from keras_gans.paths import keras_models_dir


def frechet_distance(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """``||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2))``.

    Uses ``scipy.linalg.sqrtm``. When the product is singular (the square
    root comes back non-finite) ``eps * I`` is added to both covariances; a
    small imaginary residue from round-off is dropped, a large one is an error.
    """
    from scipy import linalg

    mu1, mu2 = np.atleast_1d(np.asarray(mu1, np.float64)), np.atleast_1d(np.asarray(mu2, np.float64))
    s1, s2 = np.atleast_2d(np.asarray(sigma1, np.float64)), np.atleast_2d(np.asarray(sigma2, np.float64))
    if mu1.shape != mu2.shape:
        raise ValueError(f"mean vectors differ in shape: {mu1.shape} vs {mu2.shape}.")
    d = mu1.shape[0]
    if s1.shape != (d, d) or s2.shape != (d, d):
        raise ValueError(
            f"covariances must be ({d}, {d}) to match the means; got {s1.shape} and {s2.shape}."
        )
    diff = mu1 - mu2
    covmean, _ = _sqrtm(s1 @ s2, linalg)
    if not np.isfinite(covmean).all():
        offset = np.eye(d) * eps
        covmean, _ = _sqrtm((s1 + offset) @ (s2 + offset), linalg)
    if np.iscomplexobj(covmean):
        imag = np.max(np.abs(np.diagonal(covmean).imag)) if d else 0.0
        scale = max(1.0, float(np.max(np.abs(covmean.real))))
        if imag > 1e-3 * scale:
            raise ValueError(f"sqrtm(S1 S2) has a large imaginary component ({imag:.3g}).")
        covmean = covmean.real
    value = float(diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * np.trace(covmean))
    # round-off can leave a tiny negative number for (nearly) identical Gaussians
    scale = max(1.0, float(np.trace(s1) + np.trace(s2)))
    return 0.0 if -1e-9 * scale < value < 0.0 else value


def _sqrtm(a, linalg):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = linalg.sqrtm(a, disp=False)
        except TypeError:  # SciPy versions without disp
            out = (linalg.sqrtm(a), None)
    return out if isinstance(out, tuple) else (out, None)


class FrechetDistance(FeatureStream):
    """Streaming Fréchet distance over the features of any model.

        fd = kg.metrics.FrechetDistance(feature_model)   # keras Model / callable / None
        fd.update_state(real=real_images)                # arrays or iterables of batches
        for batch in fake_batches:
            fd.update_state(fake=batch)
        fd.result()                                      # float

    Means and covariances are accumulated in float64 (sums and sums of outer
    products), so streaming over batches gives the one-shot answer.
    ``statistics("real")`` returns ``(mu, sigma)`` (e.g. to cache a data set's
    statistics); ``set_statistics("real", mu, sigma, n)`` loads them back.

    Args:
        feature_extractor: maps a batch of inputs to (batch, d) features (more
            dims are flattened). None: the inputs are features already.
        batch_size: batch size used when an array is passed.
        eps: the offset added to singular covariances.
    """

    def __init__(self, feature_extractor=None, batch_size=256, eps=1e-6, name="frechet_distance"):
        self.eps = eps
        super().__init__(feature_extractor, batch_size, name)

    def _reset_side(self, side):
        setattr(self, f"_{side}_n", 0)
        setattr(self, f"_{side}_sum", None)
        setattr(self, f"_{side}_outer", None)
        setattr(self, f"_{side}_fixed", None)

    def _count(self, side):
        return getattr(self, f"_{side}_n")

    def _add(self, side, f):
        if getattr(self, f"_{side}_fixed") is not None:
            raise ValueError(f"{side} statistics were set with set_statistics(); reset_state('{side}') first.")
        s, o = getattr(self, f"_{side}_sum"), getattr(self, f"_{side}_outer")
        if s is not None and s.shape[0] != f.shape[1]:
            raise ValueError(f"features of {f.shape[1]} dims after {s.shape[0]} before.")
        setattr(self, f"_{side}_sum", f.sum(0) if s is None else s + f.sum(0))
        setattr(self, f"_{side}_outer", f.T @ f if o is None else o + f.T @ f)
        setattr(self, f"_{side}_n", self._count(side) + f.shape[0])

    def statistics(self, which):
        """``(mu, sigma)`` of one side (sigma: unbiased covariance, as np.cov)."""
        (side,) = self._sides(which)
        fixed = getattr(self, f"_{side}_fixed")
        if fixed is not None:
            return fixed
        n = self._count(side)
        if n < 2:
            raise ValueError(
                f"{self.name}: {side} statistics need at least 2 samples; got {n}. "
                f"Call update_state({side}=...) first."
            )
        s, o = getattr(self, f"_{side}_sum"), getattr(self, f"_{side}_outer")
        mu = s / n
        sigma = (o - n * np.outer(mu, mu)) / (n - 1)
        return mu, sigma

    def set_statistics(self, which, mu, sigma, n=None):
        """Use precomputed ``(mu, sigma)`` for one side."""
        (side,) = self._sides(which)
        setattr(self, f"_{side}_fixed", (np.asarray(mu, np.float64), np.asarray(sigma, np.float64)))
        setattr(self, f"_{side}_n", int(n) if n is not None else 2)

    def result(self):
        mu1, s1 = self.statistics("real")
        mu2, s2 = self.statistics("fake")
        return frechet_distance(mu1, s1, mu2, s2, eps=self.eps)


# ------------------------------------------------------------------- FID
INCEPTION_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
INCEPTION_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/" + INCEPTION_FILE
)


def inception_v3_weights_path():
    """Where Keras caches the InceptionV3 no-top ImageNet weights."""
    return os.path.join(str(keras_models_dir()), INCEPTION_FILE)


def inception_v3_features(value_range=(-1.0, 1.0), weights=None):
    """A function images -> 2048-d InceptionV3 pool features (ImageNet weights).

    Images: (n, h, w, 1 or 3) in ``value_range``; they are resized to 299x299
    (bilinear), grey is repeated to RGB, and values are mapped to [-1, 1] as
    ``keras.applications.inception_v3.preprocess_input`` does.

    Reads the weights only from ``weights`` or the Keras cache; never downloads.
    """
    path = weights or inception_v3_weights_path()
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"FID needs the InceptionV3 ImageNet weights file {INCEPTION_FILE} at {path} "
            f"(the Keras cache, ~/.keras/models/ or $KERAS_HOME/models/). Nothing is "
            f"downloaded at run time: fetch it once from {INCEPTION_URL} and place it there, "
            "or pass weights=PATH."
        )
    import keras
    from keras import ops

    model = keras.applications.InceptionV3(
        include_top=False, pooling="avg", weights=path, input_shape=(299, 299, 3)
    )
    lo, hi = value_range

    def features(x, training=False):
        x = ops.convert_to_tensor(np.asarray(x, np.float32))
        if x.shape[-1] == 1:
            x = ops.repeat(x, 3, axis=-1)
        if x.shape[-1] != 3:
            raise ValueError(f"FID takes images with 1 or 3 channels; got shape {tuple(x.shape)}.")
        x = (x - lo) / (hi - lo) * 2.0 - 1.0
        x = ops.image.resize(x, (299, 299), interpolation="bilinear")
        return model(x, training=False)

    features.model = model
    return features


def FID(value_range=(-1.0, 1.0), weights=None, batch_size=64):
    """``FrechetDistance`` over InceptionV3 (Keras ImageNet weights) pool
    features: FID. Fails at once, naming the file, when the weights are not in
    the Keras cache (nothing is downloaded).

    Note: Keras' InceptionV3 is not the 2015 TF graph of the reference FID
    code, so values are comparable with each other, not with papers.
    """
    return FrechetDistance(inception_v3_features(value_range, weights), batch_size=batch_size, name="fid")
