"""Sub-pixel convolution's rearrangement (Shi et al. 2016) and its inverse, channels-last."""

import keras
from keras import ops


class _ScaleLayer(keras.layers.Layer):
    """A layer with an int ``scale`` >= 1 on rank-4 channels-last images."""

    def __init__(self, scale, **kwargs):
        super().__init__(**kwargs)
        if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
            raise ValueError(f"{type(self).__name__}: scale must be an int >= 1; got {scale!r}.")
        self.scale = int(scale)

    def _check(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(
                f"{type(self).__name__} expects rank-4 input (batch, height, width, channels), "
                f"channels-last; got shape {tuple(input_shape)}."
            )

    def build(self, input_shape):
        self._check(input_shape)
        self.built = True

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


@keras.saving.register_keras_serializable("keras_gans")
class PixelShuffle(_ScaleLayer):
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

    def _check(self, input_shape):
        super()._check(input_shape)
        c = input_shape[-1]
        r2 = self.scale * self.scale
        if c is not None and c % r2 != 0:
            raise ValueError(
                f"PixelShuffle({self.scale}): the channel count must be a multiple of "
                f"scale**2 = {r2}; got {c} channels (shape {tuple(input_shape)})."
            )

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


@keras.saving.register_keras_serializable("keras_gans")
class PixelUnshuffle(_ScaleLayer):
    """``(N, H, W, C) -> (N, H / r, W / r, C * r * r)``: ``PixelShuffle``'s inverse.

    The channel ordering is PyTorch's ``torch.nn.PixelUnshuffle(r)`` (and
    BasicSR's ``pixel_unshuffle``): ``out[n, h, w, c*r*r + i*r + j] =
    in[n, h*r + i, w*r + j, c]``.

    Args:
        scale: the downscaling factor ``r`` (an int >= 1).
        padding: "valid": height and width must be multiples of ``r``;
            "reflect": other sizes are first padded at the bottom and right
            by reflection up to the next multiple (Real-ESRGAN's "mod pad"
            before its x2 and x1 RRDBNet; crop the result with
            ``kg.layers.CropToScaledSize``).
    """

    def __init__(self, scale, padding="valid", **kwargs):
        super().__init__(scale, **kwargs)
        if padding not in ("valid", "reflect"):
            raise ValueError(f"PixelUnshuffle: padding must be 'valid' or 'reflect'; got {padding!r}.")
        self.padding = padding

    def _check(self, input_shape):
        super()._check(input_shape)
        if self.padding == "valid":
            for n, what in ((input_shape[1], "height"), (input_shape[2], "width")):
                if n is not None and n % self.scale:
                    raise ValueError(
                        f"PixelUnshuffle({self.scale}): the {what} must be a multiple of {self.scale}; "
                        f"got shape {tuple(input_shape)} (or use padding='reflect')."
                    )

    def call(self, x):
        r = self.scale
        if self.padding == "reflect":
            shape = ops.shape(x)
            ph, pw = (-shape[1]) % r, (-shape[2]) % r
            # known sizes needing no pad skip it (a reflect pad of zeros is refused by some backends);
            # unknown ones (a symbolic graph) always pad
            if not (isinstance(ph, int) and isinstance(pw, int) and ph == pw == 0):
                x = ops.pad(x, ((0, 0), (0, ph), (0, pw), (0, 0)), mode="reflect")
        shape = ops.shape(x)
        n, h, w = shape[0], shape[1] // r, shape[2] // r
        c = x.shape[-1]
        x = ops.reshape(x, (n, h, r, w, r, c))
        x = ops.transpose(x, (0, 1, 3, 5, 2, 4))  # n, h, w, c, i, j
        return ops.reshape(x, (n, h, w, c * r * r))

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        n, h, w, c = input_shape
        r = self.scale
        return (
            n,
            None if h is None else -(-h // r),
            None if w is None else -(-w // r),
            None if c is None else c * r * r,
        )

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


@keras.saving.register_keras_serializable("keras_gans")
class CropToScaledSize(_ScaleLayer):
    """``[x, reference] -> x[:, :scale * H, :scale * W]`` where ``(H, W)`` is
    the reference's size: undoes, at the output of an upscaler, the bottom /
    right padding of ``PixelUnshuffle(padding="reflect")`` at its input.

    Args:
        scale: how many times larger ``x`` is than ``reference``.
    """

    def _check(self, input_shape):
        for shape in input_shape:
            super()._check(shape)

    def call(self, inputs):
        x, reference = inputs
        shape = ops.shape(reference)
        return x[:, : shape[1] * self.scale, : shape[2] * self.scale, :]

    def compute_output_shape(self, input_shape):
        (n, _, _, c), (_, h, w, _) = input_shape
        s = self.scale
        return (n, None if h is None else h * s, None if w is None else w * s, c)
