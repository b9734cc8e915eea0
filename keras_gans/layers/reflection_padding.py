"""Reflection padding for 2-D images, channels-last (PyTorch's ``nn.ReflectionPad2d``)."""

import keras
from keras import ops


def _normalize_padding(padding):
    """``((top, bottom), (left, right))`` from an int, ``(h, w)`` or the full form."""

    def nonneg_int(v):
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise ValueError(
                "ReflectionPadding2D: padding must be an int >= 0, a pair (h, w) or "
                f"((top, bottom), (left, right)) of such ints; got {padding!r}."
            )
        return int(v)

    if isinstance(padding, int) and not isinstance(padding, bool):
        p = nonneg_int(padding)
        return ((p, p), (p, p))
    if isinstance(padding, (list, tuple)) and len(padding) == 2:
        out = []
        for item in padding:
            if isinstance(item, (list, tuple)):
                if len(item) != 2:
                    nonneg_int(None)
                out.append((nonneg_int(item[0]), nonneg_int(item[1])))
            else:
                v = nonneg_int(item)
                out.append((v, v))
        return tuple(out)
    nonneg_int(None)  # raises with the message above


@keras.saving.register_keras_serializable("keras_gans")
class ReflectionPadding2D(keras.layers.Layer):
    """Pads height and width by reflecting the image about its border pixels.

    ``out[:, i, j, :] = x[:, r(i - top, H), r(j - left, W), :]`` with the
    reflection ``r(k, n) = |k|`` for ``k < 0`` and ``2(n - 1) - k`` for
    ``k >= n`` (the edge pixel is not repeated), i.e.
    ``numpy.pad(x, ..., mode="reflect")`` and PyTorch's
    ``nn.ReflectionPad2d``. Output shape ``(N, H + top + bottom, W + left +
    right, C)``; each pad must be smaller than the padded dimension.

    Args:
        padding: an int (same on the four sides), ``(h, w)`` (``h`` rows on
            top and bottom, ``w`` columns left and right) or
            ``((top, bottom), (left, right))``.
    """

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        self.padding = _normalize_padding(padding)
        self.input_spec = keras.layers.InputSpec(ndim=4)

    def _check(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(
                "ReflectionPadding2D expects rank-4 input (batch, height, width, channels), "
                f"channels-last; got shape {tuple(input_shape)}."
            )
        for axis, (a, b), what in ((1, self.padding[0], "height"), (2, self.padding[1], "width")):
            n = input_shape[axis]
            if n is not None and max(a, b) >= n:
                raise ValueError(
                    f"ReflectionPadding2D: padding {max(a, b)} must be smaller than the input "
                    f"{what} {n} (reflection does not repeat the edge); got input shape "
                    f"{tuple(input_shape)}."
                )

    def build(self, input_shape):
        self._check(input_shape)
        self.built = True

    def call(self, inputs):
        (t, b), (l, r) = self.padding
        if t == b == l == r == 0:
            return inputs
        return ops.pad(inputs, ((0, 0), (t, b), (l, r), (0, 0)), mode="reflect")

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        n, h, w, c = input_shape
        (t, b), (l, r) = self.padding
        return (n, None if h is None else h + t + b, None if w is None else w + l + r, c)

    def get_config(self):
        return {**super().get_config(), "padding": [list(p) for p in self.padding]}
