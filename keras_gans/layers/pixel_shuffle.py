"""Sub-pixel convolution's rearrangement (Shi et al. 2016), channels-last."""

import keras
from keras import ops


@keras.saving.register_keras_serializable("keras_gans")
class PixelShuffle(keras.layers.Layer):
    """``(N, H, W, C * r * r) -> (N, H * r, W * r, C)``, channels-last.

    The channel ordering is PyTorch's ``torch.nn.PixelShuffle(r)``: input
    channel ``c * r * r + i * r + j`` becomes output channel ``c`` at
    sub-pixel offset ``(i, j)``, i.e. ``out[n, h*r + i, w*r + j, c] =
    in[n, h, w, c*r*r + i*r + j]``. A convolution ported from PyTorch (kernel
    transposed OIHW -> HWIO, channel order unchanged) followed by this layer
    therefore gives the same image as in PyTorch. Note that this differs from
    ``tf.nn.depth_to_space``, whose channel index is ``(i*r + j)*C + c``.

    Args:
        scale: the upscaling factor ``r`` (an int >= 1).
    """

    def __init__(self, scale, **kwargs):
        super().__init__(**kwargs)
        if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
            raise ValueError(f"PixelShuffle: scale must be an int >= 1; got {scale!r}.")
        self.scale = int(scale)

    def _check(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(
                f"PixelShuffle expects rank-4 input (batch, height, width, channels), "
                f"channels-last; got shape {tuple(input_shape)}."
            )
        c = input_shape[-1]
        r2 = self.scale * self.scale
        if c is not None and c % r2 != 0:
            raise ValueError(
                f"PixelShuffle({self.scale}): the channel count must be a multiple of "
                f"scale**2 = {r2}; got {c} channels (shape {tuple(input_shape)})."
            )

    def build(self, input_shape):
        self._check(input_shape)
        self.built = True

    def call(self, x):
        r = self.scale
        if r == 1:
            return x
        shape = ops.shape(x)
        n, h, w = shape[0], shape[1], shape[2]
        c = x.shape[-1] // (r * r)
        x = ops.reshape(x, (n, h, w, c, r, r))
        x = ops.transpose(x, (0, 1, 4, 2, 5, 3))  # n, h, i, w, j, c
        return ops.reshape(x, (n, h * r, w * r, c))

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        n, h, w, c = input_shape
        r = self.scale
        return (
            n,
            None if h is None else h * r,
            None if w is None else w * r,
            None if c is None else c // (r * r),
        )

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}
