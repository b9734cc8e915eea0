"""The R1 penalty (Mescheder et al. 2018, eq. 9)."""

from keras import ops

from keras_gans.regularizers.base import (
    DiscriminatorRegularizer,
    gradient_norms,
    register,
)


@register
class R1Penalty(DiscriminatorRegularizer):
    """``gamma / 2 * E_x~p_data[||grad_x D(x)||^2]``, on real samples only.

    Args:
        gamma: the penalty weight (10 in StyleGAN for FFHQ, 0.1 to 10 common).
    """

    name = "r1"
    needs_double_backward = True

    def __init__(self, gamma=10.0):
        if gamma < 0:
            raise ValueError(f"R1Penalty gamma must be >= 0, got {gamma}.")
        self.gamma = float(gamma)

    def __call__(self, critic, real, fake, seed):
        norms = gradient_norms(critic, real, eps=0.0)
        return 0.5 * self.gamma * ops.mean(ops.square(norms))

    def get_config(self):
        return {"gamma": self.gamma}
