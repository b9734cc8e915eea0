"""The WGAN-GP gradient penalty (Gulrajani et al. 2017, eq. 3)."""

from keras import ops

from keras_gans import backend
from keras_gans.regularizers.base import (
    DiscriminatorRegularizer,
    gradient_norms,
    register,
)


@register
class GradientPenalty(DiscriminatorRegularizer):
    """``weight * E[(||grad_x D(x_hat)||_2 - target)^2]`` on random
    interpolates ``x_hat = a * x + (1 - a) * G(z)``, ``a ~ U[0, 1]`` per sample.

    Args:
        weight: lambda; 10 in the paper.
        target: the norm the gradient is pulled to (1 for 1-Lipschitz).
    """

    name = "gp"
    needs_double_backward = True

    def __init__(self, weight=10.0, target=1.0):
        if weight < 0:
            raise ValueError(f"GradientPenalty weight must be >= 0, got {weight}.")
        self.weight = float(weight)
        self.target = float(target)

    def interpolate(self, real, fake, seed):
        shape = (ops.shape(real)[0],) + (1,) * (len(real.shape) - 1)
        alpha = backend.replica_draw(lambda s: backend.random_uniform(s, real.dtype, seed), shape)
        return alpha * real + (1.0 - alpha) * fake

    def penalty(self, critic, x_hat):
        norms = gradient_norms(critic, x_hat)
        return self.weight * ops.mean(ops.square(norms - self.target))

    def __call__(self, critic, real, fake, seed):
        return self.penalty(critic, self.interpolate(real, fake, seed))

    def get_config(self):
        return {"weight": self.weight, "target": self.target}
