"""Sample-quality metrics for generative models.

- ``FrechetDistance(feature_extractor)``: Fréchet distance between Gaussians
  fitted to the features of real and generated samples (FID when the
  features are Inception's; ``FID()`` builds that one from a cached file).
- ``KernelDistance(feature_extractor)``: KID, the unbiased MMD^2 with the
  cubic polynomial kernel ``(x.y / d + 1)^3``, optionally over random subsets.
- ``classifier_score(probs)``: Inception-Score-style
  ``exp(E_x KL(p(y|x) || p(y)))`` from a classifier's probabilities.
- ``frechet_distance(mu1, sigma1, mu2, sigma2)``: the closed form in NumPy/SciPy.
- ``psnr`` / ``ssim`` (SR papers' convention) and ``gradient_ratio`` /
  ``high_frequency_ratio`` (how much of the ground truth's detail an SR output
  carries), ``grid_ratio`` (how much of that is an upsampler's periodic grid
  texture): NumPy, per image.

Streaming: ``update_state(real=..., fake=...)`` any number of times (either or
both), then ``result()``; ``reset_state()`` starts over.
"""

from keras_gans.metrics.classifier import classifier_score
from keras_gans.metrics.frechet import FID, FrechetDistance, frechet_distance, inception_v3_features
from keras_gans.metrics.image_quality import gradient_ratio, grid_ratio, high_frequency_ratio, psnr, rgb_to_y, ssim
from keras_gans.metrics.kernel import KernelDistance, polynomial_mmd2_unbiased

__all__ = [
    "FrechetDistance",
    "KernelDistance",
    "FID",
    "classifier_score",
    "frechet_distance",
    "polynomial_mmd2_unbiased",
    "inception_v3_features",
    "psnr",
    "ssim",
    "rgb_to_y",
    "gradient_ratio",
    "grid_ratio",
    "high_frequency_ratio",
]
