"""Adversarial losses, computed from the discriminator's raw outputs (logits).

Every loss is a pair: ``discriminator_loss(real_logits, fake_logits)`` and
``generator_loss(fake_logits)``, each a scalar mean over all elements (a
PatchGAN's map of logits is averaged like a batch). Terms of the form
``log sigmoid(t)`` are written with ``softplus`` so that logits of +-50 (or
+-1e4) give finite values and gradients.

Notation: ``D(x) = sigmoid(t(x))`` where ``t`` is the logit the network
outputs; ``x`` real, ``G(z)`` generated.
"""

import keras
from keras import ops

from keras_gans.serialization import Configurable

_REGISTRY = {}


def _register(name):
    def wrap(cls):
        cls.name = name
        _REGISTRY[name] = cls
        return keras.saving.register_keras_serializable("keras_gans")(cls)

    return wrap


class AdversarialLoss(Configurable):
    """Base class. Subclass it and implement both methods to add a loss."""

    name = "custom"

    def discriminator_loss(self, real_logits, fake_logits):
        raise NotImplementedError

    def generator_loss(self, fake_logits):
        raise NotImplementedError


def _mean(x):
    return ops.mean(ops.cast(x, "float32"))


def _bce_discriminator(real_logits, fake_logits):
    # -log D(x) - log(1 - D(G(z))) = softplus(-t_real) + softplus(t_fake)
    return _mean(ops.softplus(-real_logits)) + _mean(ops.softplus(fake_logits))


@_register("minimax")
class Minimax(AdversarialLoss):
    """The original minimax game (Goodfellow et al. 2014, eq. 1).

    D maximises ``log D(x) + log(1 - D(G(z)))``; as a loss to minimise:
    ``L_D = -log D(x) - log(1 - D(G(z))) = softplus(-t_r) + softplus(t_f)``.

    G minimises ``log(1 - D(G(z))) = -softplus(t_f)``. This saturates when D
    rejects samples confidently; it is here for fidelity to the theory.
    """

    def discriminator_loss(self, real_logits, fake_logits):
        return _bce_discriminator(real_logits, fake_logits)

    def generator_loss(self, fake_logits):
        return -_mean(ops.softplus(fake_logits))


@_register("non_saturating")
class NonSaturating(Minimax):
    """The non-saturating heuristic (Goodfellow et al. 2014, section 3).

    ``L_D`` as in minimax; G minimises ``-log D(G(z)) = softplus(-t_f)``.
    """

    def generator_loss(self, fake_logits):
        return _mean(ops.softplus(-fake_logits))


@_register("max_likelihood")
class MaxLikelihood(Minimax):
    """Maximum-likelihood generator cost (Goodfellow 2014, "On distinguishability
    criteria for estimating generative models"; NIPS 2016 tutorial eq. 16).

    ``L_D`` as in minimax; G minimises
    ``-exp(sigmoid^-1(D(G(z)))) / 2 = -exp(t_f) / 2``, which at the optimal D
    has the gradient of KL(p_data || p_g). Finite for logits up to ~88 in
    float32.
    """

    def generator_loss(self, fake_logits):
        return -0.5 * _mean(ops.exp(ops.cast(fake_logits, "float32")))


@_register("least_squares")
class LeastSquares(AdversarialLoss):
    """Least-squares GAN (Mao et al. 2017, eq. 2 with a=0, b=c=1), on raw outputs.

    ``L_D = 1/2 (t_r - 1)^2 + 1/2 t_f^2``,  ``L_G = 1/2 (t_f - 1)^2``.
    """

    def discriminator_loss(self, real_logits, fake_logits):
        return 0.5 * _mean(ops.square(real_logits - 1.0)) + 0.5 * _mean(
            ops.square(fake_logits)
        )

    def generator_loss(self, fake_logits):
        return 0.5 * _mean(ops.square(fake_logits - 1.0))


@_register("wasserstein")
class Wasserstein(AdversarialLoss):
    """Wasserstein GAN (Arjovsky et al. 2017), critic outputs ``f``.

    ``L_D = E[f(G(z))] - E[f(x)]``,  ``L_G = -E[f(G(z))]``. Needs a
    Lipschitz constraint on f: weight clipping (``kg.WGAN``), a gradient
    penalty (``kg.WGANGP``) or spectral normalisation.
    """

    def discriminator_loss(self, real_logits, fake_logits):
        return _mean(fake_logits) - _mean(real_logits)

    def generator_loss(self, fake_logits):
        return -_mean(fake_logits)


@_register("hinge")
class Hinge(AdversarialLoss):
    """Hinge loss (Lim & Ye 2017; Miyato et al. 2018).

    ``L_D = E[max(0, 1 - t_r)] + E[max(0, 1 + t_f)]``,  ``L_G = -E[t_f]``.
    """

    def discriminator_loss(self, real_logits, fake_logits):
        return _mean(ops.relu(1.0 - real_logits)) + _mean(
            ops.relu(1.0 + fake_logits)
        )

    def generator_loss(self, fake_logits):
        return -_mean(fake_logits)


def gan_loss_scales(loss):
    """``(discriminator, generator)`` factors that turn ``loss`` into the
    ``GANLoss`` of the authors of CycleGAN and pix2pix
    (pytorch-CycleGAN-and-pix2pix): ``L_D = 1/2 [L(D(real), 1) + L(D(fake),
    0)]`` and ``L_G = L(D(fake), 1)``, ``L`` the loss's per-output criterion
    averaged over the patch map. ``LeastSquares`` already halves both of its
    terms (Mao et al.), so its factors are (1, 2); every other loss here is
    written as the sum of the two criteria: (1/2, 1)."""
    if isinstance(loss, LeastSquares):
        return 1.0, 2.0
    return 0.5, 1.0


def names():
    """The loss names accepted by ``get`` and by the games' ``loss=``."""
    return sorted(_REGISTRY)


def get(identifier):
    """A loss object from a name, an ``AdversarialLoss`` or a config dict."""
    if isinstance(identifier, AdversarialLoss):
        return identifier
    if isinstance(identifier, dict):
        return keras.saving.deserialize_keras_object(identifier)
    if isinstance(identifier, str) and identifier in _REGISTRY:
        return _REGISTRY[identifier]()
    raise ValueError(
        f"Unknown adversarial loss {identifier!r}. Expected one of "
        f"{', '.join(repr(n) for n in names())}, or a "
        "keras_gans.losses.AdversarialLoss instance."
    )
