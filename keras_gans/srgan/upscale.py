"""Super-resolution inference: any image size, tiled so memory stays bounded.

    hr = upscale_images(generator, uint8_image, scale=4, tile=128)
    up = as_upscaler(model_or_game)      # uint8 LR -> uint8 SR, what the CLI and the benchmark call
"""

import math
from fractions import Fraction

import keras
import numpy as np
from keras import ops

from keras_gans import streaming
from keras_gans.backend import inference_mode
from keras_gans.images import check_float_range, to_model_range, to_uint8
from keras_gans.layers.pixel_shuffle import CropToScaledSize, PixelShuffle, PixelUnshuffle


_NEUTRAL = (
    keras.layers.BatchNormalization,
    keras.layers.PReLU,
    keras.layers.LeakyReLU,
    keras.layers.ReLU,
    keras.layers.Activation,
    keras.layers.Add,
    keras.layers.Multiply,
    keras.layers.Concatenate,
    keras.layers.Rescaling,
    CropToScaledSize,
)


def _layer_reach(layer, factor):
    """``(radius added in input pixels, new resolution factor, alignment)``
    of one layer seen at ``factor`` (its input's resolution over the model
    input's); None for a layer this does not understand."""
    if isinstance(layer, keras.layers.Conv2D) and not isinstance(layer, keras.layers.Conv2DTranspose):
        if tuple(layer.strides) != (1, 1) or layer.padding != "same":
            return None
        k, d = max(layer.kernel_size), max(layer.dilation_rate)
        return Fraction(d * (k - 1), 2) / factor, factor, None
    if isinstance(layer, PixelShuffle):
        return Fraction(0), factor * layer.scale, None
    if isinstance(layer, PixelUnshuffle):  # a cell is r pixels wide: r - 1 more of them
        r = layer.scale
        return Fraction(r - 1) / factor, factor / r, Fraction(r) / factor
    if isinstance(layer, keras.layers.UpSampling2D):
        # nearest copies one pixel; bilinear also reads a neighbour
        added = Fraction(0) if layer.interpolation == "nearest" else 1 / factor
        return added, factor * max(layer.size), None
    if isinstance(layer, _NEUTRAL):
        return Fraction(0), factor, None
    own = getattr(layer, "receptive_radius", None)  # a block that states its own (e.g. kg.esrgan.RRDB)
    if isinstance(own, (int, Fraction)) and not isinstance(own, bool):
        return Fraction(own) / factor, factor, None
    return None


def _reach(model):
    """``(radius, alignment)`` of a functional upscaler, walked along its
    graph: the radius (input pixels) is the largest over the paths to the
    output; alignment is the input-pixel period of its ``PixelUnshuffle``
    grid (1 without). None when a layer or the graph is not understood."""
    layers, inputs = getattr(model, "layers", None), getattr(model, "inputs", None)
    if not layers or not inputs:
        return None
    reach = {id(t): (Fraction(0), Fraction(1)) for t in inputs}
    align = Fraction(1)
    for layer in layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        try:  # a layer called more than once leaves tensors unknown below: None
            ins, outs = layer.input, layer.output
        except (AttributeError, ValueError):
            return None
        ins = list(ins) if isinstance(ins, (list, tuple)) else [ins]
        outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
        if any(id(t) not in reach for t in ins):
            return None
        got = [reach[id(t)] for t in (ins[:1] if isinstance(layer, CropToScaledSize) else ins)]
        if len({f for _, f in got}) != 1:
            return None
        step = _layer_reach(layer, got[0][1])
        if step is None:
            return None
        added, factor, period = step
        if period is not None:
            align = max(align, period)
        radius = max(r for r, _ in got) + added
        for t in outs:
            reach[id(t)] = (radius, factor)
    try:
        radius = max(reach[id(t)][0] for t in model.outputs)
    except (KeyError, AttributeError, TypeError):
        return None
    return radius, align


def receptive_radius(model):
    """An upper bound, in input (LR) pixels, on how far an output pixel of a
    fully convolutional upscaler sees: along each path of its graph, the sum
    over its convolutions of ``dilation * (kernel - 1) / 2`` divided by the
    upscaling done before them (plus one pixel per bilinear upsampling,
    ``r - 1`` per ``PixelUnshuffle(r)``, and a layer's own
    ``receptive_radius`` attribute where it has one), rounded up. None when the model
    contains layers this does not understand (strided or pooling layers,
    subclassed models, layers called twice)."""
    found = _reach(model)
    return None if found is None else int(math.ceil(found[0]))


def input_alignment(model):
    """The period, in input pixels, of the grid a ``PixelUnshuffle`` at the
    input groups pixels on (2 for RRDBNet x2, 4 for x1; 1 for the others):
    tiles cut at multiples of it see the same groups as the whole image."""
    found = _reach(model)
    return 1 if found is None or found[1].denominator != 1 else int(found[1])


def _as_float01(images):
    """(images, was_uint8): uint8 images stay uint8 (each window is mapped
    to [0, 1] float32 when it runs: no float copy of a whole huge image),
    floats are checked to lie in [0, 1] and cast to float32."""
    a = np.asarray(images)
    if a.dtype == np.uint8:
        return a, True
    if np.issubdtype(a.dtype, np.integer) or a.dtype == bool:
        raise TypeError(
            f"upscale takes uint8 images (0..255) or float images in [0, 1]; got dtype {a.dtype}."
        )
    check_float_range(a, (0.0, 1.0), "upscale")
    return a.astype(np.float32), False


def upscale_images(generator, images, scale, tile=None, overlap=None, progress=None):
    """Upscale with a generator mapping LR ``[0, 1]`` to HR ``[-1, 1]``.

    Args:
        generator: the keras model (fully convolutional when tiling).
        images: one image ``(H, W, C)`` or a batch ``(N, H, W, C)``, uint8
            (0..255) or float in ``[0, 1]``; or a list of such images (sizes
            may differ).
        scale: the generator's upscaling factor.
        tile: None to run each image whole, or the side in LR pixels of the
            tiles the image is cut into (memory then stays bounded by the
            tile size, not the image size).
        overlap: None (the default): exact tiles through ``kg.streaming``
            (layer by layer, each layer in tiles of ``tile`` of its own
            pixels: equal to the whole image up to float rounding whatever
            the receptive field, memory bounded by the tile; 1.6-1.9x faster
            than overlapping windows for SRResNet-16), or, for a model it
            cannot stream, overlapping windows with the receptive radius as
            overlap (see ``receptive_radius``; else 32). An int: overlapping
            windows of ``tile + 2 * overlap`` LR pixels per side whose rims
            are discarded, exact when ``overlap`` reaches the receptive
            radius (40 for SRResNet-16, 349 for a 23-block RRDBNet x4, which
            needs about 35 KB per window pixel), with small differences near
            tile borders below it.

        progress: optional ``callable(done, total)`` after each tile.

    Returns the same kind as given: uint8 in -> uint8 out (rounded), float in
    -> float32 in ``[0, 1]`` out; ``scale`` times larger.
    """
    if isinstance(images, (list, tuple)):
        return [upscale_images(generator, im, scale, tile, overlap, progress) for im in images]
    x, was_uint8 = _as_float01(images)
    single = x.ndim == 3
    if x.ndim not in (3, 4):
        raise ValueError(
            f"upscale takes one image (height, width, channels) or a batch (n, height, width, "
            f"channels); got an array of shape {x.shape}. Add a channel axis to grayscale images "
            "(or convert them to RGB)."
        )
    if single:
        x = x[None]
    channels = _input_channels(generator)
    if channels is not None and x.shape[-1] != channels:
        raise ValueError(
            f"upscale: the model takes {channels}-channel images; got {x.shape[-1]} channels "
            f"(shape {x.shape}). Convert the image (e.g. PIL's .convert('RGB'))."
        )
    if tile is not None:
        if isinstance(tile, bool) or not isinstance(tile, (int, np.integer)) or tile < 1:
            raise ValueError(f"tile must be a positive int (LR pixels) or None; got {tile!r}.")
        tile = int(tile)
    stream = tile is not None and overlap is None and streaming.supported(generator)
    if overlap is None:
        overlap = receptive_radius(generator)
        overlap = 32 if overlap is None else overlap
    if isinstance(overlap, bool) or not isinstance(overlap, (int, np.integer)) or overlap < 0:
        raise ValueError(f"overlap must be a non-negative int (LR pixels); got {overlap!r}.")
    overlap = int(overlap)

    forward = getattr(generator, "predict_on_batch", None)  # one compiled call per shape
    if forward is None:
        forward = lambda b: generator(b, training=False)  # noqa: E731

    def run(batch):
        if batch.dtype == np.uint8:
            batch = to_model_range(batch, (0.0, 1.0))
        with inference_mode():  # torch: convolutions without Keras' copies of the activation
            y = np.asarray(ops.convert_to_numpy(forward(np.ascontiguousarray(batch))))
        if y.shape[1] != batch.shape[1] * scale or y.shape[2] != batch.shape[2] * scale:
            raise ValueError(
                f"upscale: the generator mapped {batch.shape[1:3]} to {y.shape[1:3]}, not x{scale}."
            )
        return y

    n, h, w, c = x.shape
    # the output is written tile by tile in its final type: peak memory is the
    # output (uint8 for uint8 input) plus one tile, not a float copy of it
    out = np.empty((n, h * scale, w * scale, c), np.uint8 if was_uint8 else np.float32)

    align = input_alignment(generator) if tile is not None else 1

    def final(y):  # generator range [-1, 1] -> the caller's
        return to_uint8(y) if was_uint8 else np.clip((y + 1.0) * 0.5, 0.0, 1.0)

    whole = tile is None or (h <= tile and w <= tile)
    total, done = n * (1 if whole else math.ceil(h / tile) * math.ceil(w / tile)), 0
    for i in range(n):
        img = x[i]
        if whole:
            out[i] = final(run(img[None])[0])
            done += 1
            if progress is not None:
                progress(done, total)
            continue
        if stream:
            out[i] = streaming.run(generator, img, tile=tile, progress=progress,
                                   input_map=lambda v: to_model_range(v, (0.0, 1.0)) if was_uint8 else v,
                                   output=lambda node: streaming.collect(node, final, out.dtype))
            continue
        # Every window has the same shape (tile + 2 * overlap, clipped to the
        # image), shifted inwards at the borders: a compiled generator is
        # traced once per image size, and each tile's core still has at least
        # `overlap` pixels of context on every side that is not an image border.
        for y0 in range(0, h, tile):
            y1 = min(y0 + tile, h)
            ya, yb = _window(y0, h, tile, overlap, align)
            for x0 in range(0, w, tile):
                x1 = min(x0 + tile, w)
                xa, xb = _window(x0, w, tile, overlap, align)
                res = run(img[None, ya:yb, xa:xb])[0]
                out[i, y0 * scale : y1 * scale, x0 * scale : x1 * scale] = final(res[
                    (y0 - ya) * scale : (y1 - ya) * scale, (x0 - xa) * scale : (x1 - xa) * scale
                ])
                done += 1
                if progress is not None:
                    progress(done, total)
    return out[0] if single else out


def _window(start, n, tile, overlap, align):
    """``[a, b)``: the input span run for the tile starting at ``start`` of
    a side ``n``. With ``align > 1`` (a ``PixelUnshuffle`` at the input) ``a``
    lies on its grid, so the window groups pixels as the whole image does,
    and a window that would pass the border runs to it instead (the model
    pads there as it pads the whole image)."""
    size = min(n, -(-(tile + 2 * overlap + align - 1) // align) * align if align > 1 else tile + 2 * overlap)
    a = max(0, start - overlap) // align * align
    if a + size <= n:
        return a, a + size
    return (n - size) // align * align, n


def _input_channels(model):
    try:
        return model.inputs[0].shape[-1]
    except (AttributeError, IndexError, ValueError, TypeError):
        return None


def infer_scale(generator):
    """The upscaling factor of a fully convolutional generator, from its
    output shape for a 12x12 input (None if it cannot be derived)."""
    c = _input_channels(generator)
    if c is None:
        return None
    try:
        shape = generator.compute_output_shape((1, 12, 12, c))
    except Exception:  # noqa: BLE001  (subclassed models may not implement it)
        return None
    if isinstance(shape, list):
        shape = shape[0]
    if len(shape) != 4 or shape[1] is None or shape[1] % 12 or shape[2] != shape[1]:
        return None
    return shape[1] // 12


def as_upscaler(model, tile=None, overlap=None):
    """A function ``f(uint8 LR (H, W, 3), progress=None)`` -> uint8 SR from
    an SRGAN game (its ``upscale``), a bare generator (LR ``[0, 1]`` -> HR
    ``[-1, 1]``; its scale inferred) or a callable ``f(lr)`` (progress not
    reported); None for None."""
    if model is None:
        return None
    if hasattr(model, "upscale"):
        return lambda lr, progress=None: model.upscale(lr, tile=tile, overlap=overlap, progress=progress)
    if isinstance(model, keras.Model):
        s = infer_scale(model)
        if s is None:
            raise ValueError("upscale: cannot infer the model's upscaling factor from its output shape.")
        return lambda lr, progress=None: upscale_images(model, lr, s, tile=tile, overlap=overlap, progress=progress)
    if callable(model):
        return lambda lr, progress=None: model(lr)
    raise TypeError(
        f"upscale takes an SRGAN game, a keras generator model or a callable uint8 -> uint8; got "
        f"{type(model).__name__}."
    )
