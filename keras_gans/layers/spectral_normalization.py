"""Spectral normalisation (Miyato et al. 2018) as a reparametrisation."""

import keras
from keras import ops

from keras_gans.backend.scopes import inherited_scope


def _l2_normalize(x, eps=1e-12):
    return x / ops.sqrt(ops.maximum(ops.sum(ops.square(x)), eps))


@keras.saving.register_keras_serializable("keras_gans")
class SpectralNormalization(keras.layers.Wrapper):
    """Wraps a layer with a ``kernel`` (Dense, Conv*, Conv*Transpose) and
    calls it with ``W / sigma(W)``, where ``sigma`` is the largest singular
    value of the kernel reshaped to ``(-1, out_channels)``.

    Unlike ``keras.layers.SpectralNormalization``, the wrapped kernel is never
    overwritten: gradients flow through ``W / sigma`` to ``W`` (the
    reparametrisation of the paper), and the only state is the power-iteration
    vector ``u``. One power iteration on a stopped-gradient ``W`` per training
    call (``power_iterations``); in inference ``u`` is not updated. The layer
    can be called any number of times before a backward pass on every backend.

    Args:
        layer: the layer to wrap.
        power_iterations: power-iteration steps per training call.
        eps: floor for norms.
    """

    def __init__(self, layer, power_iterations=1, eps=1e-12, **kwargs):
        super().__init__(layer, **kwargs)
        if power_iterations < 1:
            raise ValueError(
                f"power_iterations must be >= 1, got {power_iterations}."
            )
        self.power_iterations = int(power_iterations)
        self.eps = float(eps)

    def build(self, input_shape):
        if not self.layer.built:
            self.layer.build(input_shape)
        if not hasattr(self.layer, "kernel"):
            raise ValueError(
                "SpectralNormalization wraps layers that have a `kernel` "
                f"(Dense, Conv, ConvTranspose); {type(self.layer).__name__} "
                "has none."
            )
        kernel = self.layer.kernel
        self._out_axis = self._output_axis(kernel)
        self.u = self.add_weight(
            name="u",
            shape=(1, kernel.shape[self._out_axis]),
            initializer=keras.initializers.RandomNormal(stddev=1.0),
            trainable=False,
        )
        self.built = True

    def _output_axis(self, kernel):
        # Conv*Transpose kernels are (..., out, in); the rest are (..., in, out).
        if isinstance(
            self.layer,
            (
                keras.layers.Conv1DTranspose,
                keras.layers.Conv2DTranspose,
                keras.layers.Conv3DTranspose,
            ),
        ):
            return len(kernel.shape) - 2
        return len(kernel.shape) - 1

    def _matrix(self, kernel):
        """The kernel as a (fan_in, out) matrix."""
        rank = len(kernel.shape)
        if self._out_axis != rank - 1:
            perm = [i for i in range(rank) if i != self._out_axis] + [
                self._out_axis
            ]
            kernel = ops.transpose(kernel, perm)
        return ops.reshape(kernel, (-1, kernel.shape[-1]))

    def _sigma(self, kernel, training):
        w = self._matrix(kernel)
        w_sg = ops.stop_gradient(w)
        u = ops.stop_gradient(ops.convert_to_tensor(self.u))
        for _ in range(self.power_iterations if training else 1):
            v = _l2_normalize(ops.matmul(u, ops.transpose(w_sg)), self.eps)
            u = _l2_normalize(ops.matmul(v, w_sg), self.eps)
        if training:
            self.u.assign(u)
        v = ops.stop_gradient(v)
        u = ops.stop_gradient(u)
        return ops.sum(ops.matmul(v, w) * u)

    def normalized_kernel(self, training=False):
        """The effective kernel ``W / sigma`` the layer computes with."""
        kernel = ops.convert_to_tensor(self.layer.kernel)
        return kernel / ops.cast(self._sigma(kernel, training), kernel.dtype)

    def call(self, inputs, training=False):
        w_sn = self.normalized_kernel(training=training)
        with inherited_scope([(self.layer.kernel, w_sn)]):
            return self.layer(inputs)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {"power_iterations": self.power_iterations, "eps": self.eps}
        )
        return config
