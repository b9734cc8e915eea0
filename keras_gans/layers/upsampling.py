"""Bilinear upsampling by integer factors that runs with unknown image sizes."""

import keras
from keras import ops


def _upsample_axis(x, r, axis):
    """``x`` upsampled ``r`` times along ``axis`` (1: height, 2: width) with
    half-pixel centres, the edge pixel repeated beyond the border."""
    if r == 1:
        return x
    first = x[:, :1] if axis == 1 else x[:, :, :1]
    last = x[:, -1:] if axis == 1 else x[:, :, -1:]
    prev = ops.concatenate([first, x[:, :-1] if axis == 1 else x[:, :, :-1]], axis=axis)
    nxt = ops.concatenate([x[:, 1:] if axis == 1 else x[:, :, 1:], last], axis=axis)
    phases = []
    for p in range(r):
        # output r*k + p samples the input at k + t: between k and its next (t > 0) or previous pixel
        t = (p + 0.5) / r - 0.5
        phases.append(x * (1.0 - abs(t)) + (nxt if t >= 0 else prev) * abs(t))
    y = ops.stack(phases, axis=axis + 1)  # (n, h, r, w, c) or (n, h, w, r, c)
    shape = ops.shape(x)
    n, h, w, c = shape[0], shape[1], shape[2], x.shape[-1]
    return ops.reshape(y, (n, h * r, w, c) if axis == 1 else (n, h, w * r, c))


@keras.saving.register_keras_serializable("keras_gans")
class BilinearUpSampling2D(keras.layers.UpSampling2D):
    """``keras.layers.UpSampling2D(size, interpolation="bilinear")`` for integer
    factors, channels-last, written with slices so that it also runs where
    the image size is unknown until run time (a TensorFlow graph traced for
    any size, which Keras' bilinear resize refuses).

    Half-pixel centres, the border pixel repeated: PyTorch's
    ``F.interpolate(x, scale_factor=r, mode="bilinear", align_corners=False)``
    and ``jax.image.resize`` / ``tf.image.resize`` (bilinear) when enlarging.

    Args:
        size: the factor, an int or ``(height, width)`` ints.
    """

    def __init__(self, size=(2, 2), **kwargs):
        kwargs.pop("interpolation", None)
        super().__init__(size, interpolation="bilinear", **kwargs)
        if self.data_format != "channels_last":
            raise ValueError("BilinearUpSampling2D supports channels_last only.")

    def call(self, inputs):
        return _upsample_axis(_upsample_axis(inputs, self.size[0], 1), self.size[1], 2)
