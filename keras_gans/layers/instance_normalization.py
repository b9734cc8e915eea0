"""Instance normalization (Ulyanov et al. 2016), PyTorch's ``nn.InstanceNorm2d``."""

import keras
from keras import ops

from keras_gans import backend


@keras.saving.register_keras_serializable("keras_gans")
class InstanceNormalization(keras.layers.Layer):
    """Normalizes each sample's each channel over its spatial positions.

    For channels-last input ``x`` of shape ``(N, *spatial, C)``:

        mu[n, c]     = mean over spatial positions of x[n, ..., c]
        var[n, c]    = mean over spatial positions of (x[n, ..., c] - mu[n, c])**2   (biased)
        y[n, ..., c] = gamma[c] * (x[n, ..., c] - mu[n, c]) / sqrt(var[n, c] + epsilon) + beta[c]

    The statistics are always those of the current input (train and
    inference alike): this is ``torch.nn.InstanceNorm2d(C, eps=1e-5,
    affine=..., track_running_stats=False)``, the normalization of the
    official CycleGAN/pix2pix code (which uses ``affine=False``, i.e.
    ``center=False, scale=False``). With ``scale``/``center`` the layer owns
    ``gamma`` (init 1) and ``beta`` (init 0) of shape ``(C,)``, like
    ``affine=True``. Statistics are computed in float32.

    Args:
        epsilon: added to the variance (PyTorch's default 1e-5).
        center: learn the offset ``beta``.
        scale: learn the scale ``gamma``.
    """

    def __init__(self, epsilon=1e-5, center=True, scale=True, **kwargs):
        super().__init__(**kwargs)
        if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float)) or epsilon < 0:
            raise ValueError(f"InstanceNormalization: epsilon must be a number >= 0; got {epsilon!r}.")
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.supports_masking = True

    def build(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError(
                "InstanceNormalization expects input of rank >= 3 (batch, *spatial, channels), "
                f"channels-last; got shape {tuple(input_shape)}."
            )
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(
                f"InstanceNormalization: the channel axis (last) must be known; got shape {tuple(input_shape)}."
            )
        self.gamma = (
            self.add_weight(shape=(channels,), initializer="ones", name="gamma") if self.scale else None
        )
        self.beta = (
            self.add_weight(shape=(channels,), initializer="zeros", name="beta") if self.center else None
        )
        self.built = True

    def call(self, inputs):
        dtype = inputs.dtype
        x = ops.cast(inputs, "float32")
        if backend.instance_norm is not None:
            y = backend.instance_norm(x, self.epsilon)
        else:
            axes = tuple(range(1, len(x.shape) - 1))
            mean = ops.mean(x, axis=axes, keepdims=True)
            centered = x - mean
            var = ops.mean(ops.square(centered), axis=axes, keepdims=True)
            y = centered * ops.rsqrt(var + self.epsilon)
        if self.gamma is not None:
            y = y * ops.cast(self.gamma, "float32")
        if self.beta is not None:
            y = y + ops.cast(self.beta, "float32")
        return ops.cast(y, dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
        }
