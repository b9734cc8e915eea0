"""CycleGAN's reconstruction terms (Zhu et al., ICCV 2017, eqs. 2 and 3 and
section 5.2 / the authors' code).

With generators ``G: A -> B`` (``generator_ab``) and ``F: B -> A``
(``generator_ba``), real images ``a`` and ``b``, and ``|.|_1`` the mean
absolute difference over every element (PyTorch's ``nn.L1Loss()``):

- cycle consistency:
  ``L_cyc = lambda * (|F(G(a)) - a|_1 + |G(F(b)) - b|_1)``, lambda = 10;
- identity (section 5.2, "photo generation from paintings"):
  ``L_idt = lambda_idt * lambda * (|G(b) - b|_1 + |F(a) - a|_1)``,
  lambda_idt = 0.5: the official code's ``lambda_identity`` scales the
  identity loss relative to the cycle weight, so its weight is
  ``identity_weight * cycle_weight``.
"""

from keras import ops


def l1_loss(x, y):
    """``mean(|x - y|)`` over every element, in float32 (``nn.L1Loss()``)."""
    return ops.mean(ops.abs(ops.cast(x, "float32") - ops.cast(y, "float32")))


def cycle_consistency_loss(real_a, reconstructed_a, real_b, reconstructed_b, cycle_weight=10.0):
    """``cycle_weight * (|F(G(a)) - a|_1 + |G(F(b)) - b|_1)``.

    Args:
        real_a, real_b: the real images of the two domains.
        reconstructed_a: ``F(G(a))``; ``reconstructed_b``: ``G(F(b))``.
        cycle_weight: lambda (the paper: 10).
    """
    return cycle_weight * (l1_loss(reconstructed_a, real_a) + l1_loss(reconstructed_b, real_b))


def identity_loss(real_a, same_a, real_b, same_b, cycle_weight=10.0, identity_weight=0.5):
    """``identity_weight * cycle_weight * (|F(a) - a|_1 + |G(b) - b|_1)``.

    Args:
        real_a, real_b: the real images of the two domains.
        same_a: ``F(a)`` (the B->A generator fed an A image); ``same_b``:
            ``G(b)``.
        cycle_weight: lambda (the paper: 10).
        identity_weight: lambda_idt, relative to ``cycle_weight`` (the
            official code: 0.5, i.e. an absolute weight of 5).
    """
    weight = identity_weight * cycle_weight
    return weight * (l1_loss(same_a, real_a) + l1_loss(same_b, real_b))
