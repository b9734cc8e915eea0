"""Adversarial losses. A family's own terms live with it: CycleGAN's cycle
and identity losses in ``kg.cyclegan``, SRGAN's content losses in
``kg.srgan``."""

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
]
