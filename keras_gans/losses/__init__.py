"""Losses: adversarial losses (``adversarial``) and, per game, their
reconstruction terms."""

from keras_gans.losses.adversarial import (
    AdversarialLoss,
    Hinge,
    LeastSquares,
    MaxLikelihood,
    Minimax,
    NonSaturating,
    Wasserstein,
    get,
    names,
)
from keras_gans.losses.cycle import cycle_consistency_loss, identity_loss, l1_loss
from keras_gans.losses.content import FeatureLoss, MSEContentLoss, VGGFeatureLoss

__all__ = [
    "AdversarialLoss",
    "Minimax",
    "NonSaturating",
    "MaxLikelihood",
    "LeastSquares",
    "Wasserstein",
    "Hinge",
    "get",
    "names",
    "FeatureLoss",
    "MSEContentLoss",
    "VGGFeatureLoss",
    "l1_loss",
    "cycle_consistency_loss",
    "identity_loss",
]
