"""Instance noise (Sønderby et al. 2017; Arjovsky & Bottou 2017)."""

from keras import ops

from keras_gans import backend
from keras_gans.regularizers.base import register


@register
class InstanceNoise:
    """Adds N(0, sigma_t^2) noise to every sample the discriminator sees, real
    and generated, in both players' steps. ``sigma_t`` anneals linearly from
    ``stddev`` to 0 over ``decay_steps`` discriminator updates (constant if
    ``decay_steps`` is None).
    """

    def __init__(self, stddev=0.1, decay_steps=None):
        if stddev < 0:
            raise ValueError(f"InstanceNoise stddev must be >= 0, got {stddev}.")
        if decay_steps is not None and decay_steps <= 0:
            raise ValueError(
                f"InstanceNoise decay_steps must be a positive int or None, got {decay_steps}."
            )
        self.stddev = float(stddev)
        self.decay_steps = decay_steps

    def stddev_at(self, step):
        """The noise standard deviation after ``step`` discriminator updates."""
        if self.decay_steps is None:
            return ops.convert_to_tensor(self.stddev, "float32")
        frac = ops.cast(step, "float32") / float(self.decay_steps)
        return self.stddev * ops.maximum(0.0, 1.0 - frac)

    def __call__(self, x, step, seed):
        noise = backend.replica_draw(lambda s: backend.random_normal(s, x.dtype, seed), ops.shape(x))
        return x + ops.cast(self.stddev_at(step), x.dtype) * noise

    def get_config(self):
        return {"stddev": self.stddev, "decay_steps": self.decay_steps}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"InstanceNoise(stddev={self.stddev}, decay_steps={self.decay_steps})"
