"""Super-resolution inference: any image size, tiled so memory stays bounded.

    hr = upscale_images(generator, uint8_image, scale=4, tile=128)
    up = as_upscaler(model_or_game)      # uint8 LR -> uint8 SR, what the CLI and the benchmark call
"""

import math

import keras
import numpy as np
from keras import ops

from keras_gans.images import check_float_range, to_model_range, to_uint8
from keras_gans.layers.pixel_shuffle import PixelShuffle


def receptive_radius(model):
    """An upper bound, in input (LR) pixels, on how far an output pixel of a
    fully convolutional upscaler sees: the sum over its convolutions of
    ``dilation * (kernel - 1) / 2`` divided by the upscaling done before
    them. None when the model contains layers this does not understand
    (strided or pooling layers, subclassed models)."""

    layers = getattr(model, "layers", None)
    if not layers:
        return None
    radius, factor = 0.0, 1
    neutral = (
        keras.layers.InputLayer,
        keras.layers.BatchNormalization,
        keras.layers.PReLU,
        keras.layers.LeakyReLU,
        keras.layers.ReLU,
        keras.layers.Activation,
        keras.layers.Add,
        keras.layers.Multiply,
        keras.layers.Concatenate,
        keras.layers.Rescaling,
    )
    for layer in layers:
        if isinstance(layer, keras.layers.Conv2D) and not isinstance(layer, keras.layers.Conv2DTranspose):
            if tuple(layer.strides) != (1, 1) or layer.padding != "same":
                return None
            k = max(layer.kernel_size)
            d = max(layer.dilation_rate)
            radius += d * (k - 1) / 2 / factor
        elif isinstance(layer, PixelShuffle):
            factor *= layer.scale
        elif isinstance(layer, keras.layers.UpSampling2D):
            radius += 1.0 / factor  # bilinear interpolation reads a neighbour
            factor *= max(layer.size)
        elif isinstance(layer, neutral):
            continue
        else:
            return None
    return int(math.ceil(radius))


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
        overlap: LR pixels of context added around each tile and discarded
            from its output. None: the generator's receptive radius when it
            can be derived (see ``receptive_radius``; 40 for SRResNet-16,
            which makes tiled and whole results agree up to float rounding),
            else 32.

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
        # Every window has the same shape (tile + 2 * overlap, clipped to the
        # image), shifted inwards at the borders: a compiled generator is
        # traced once per image size, and each tile's core still has at least
        # `overlap` pixels of context on every side that is not an image border.
        win_h, win_w = min(h, tile + 2 * overlap), min(w, tile + 2 * overlap)
        for y0 in range(0, h, tile):
            y1 = min(y0 + tile, h)
            ya = min(max(0, y0 - overlap), h - win_h)
            for x0 in range(0, w, tile):
                x1 = min(x0 + tile, w)
                xa = min(max(0, x0 - overlap), w - win_w)
                res = run(img[None, ya : ya + win_h, xa : xa + win_w])[0]
                out[i, y0 * scale : y1 * scale, x0 * scale : x1 * scale] = final(res[
                    (y0 - ya) * scale : (y1 - ya) * scale, (x0 - xa) * scale : (x1 - xa) * scale
                ])
                done += 1
                if progress is not None:
                    progress(done, total)
    return out[0] if single else out


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
