"""Image-to-image generators run on images, a full-size photo included: the
helpers CycleGAN and pix2pix share.

A generator needs sides that are multiples of ``size_multiple(generator)``
(4 for the ResNet generator, ``2**num_downs`` for the U-Net).
``translate_images`` runs a generator on uint8 or ``[-1, 1]`` images as they
are: whole, or with ``tile=`` through ``kg.streaming`` (layer by layer in
tiles, instance norms with whole-image statistics: the same result as the
whole image at once, memory bounded by the tile). ``translate_any_size``
takes one uint8 image of any size and either keeps its resolution
(reflect-pads to multiples of the generator's multiple, translates, crops)
or resizes it (longer side ``size``, aspect kept, such multiples) and back.

Two ways to run a generator (``mode``), as the authors' ``test.py`` offers:

- ``"eval"`` (their ``--eval``): inference mode: batch norm uses its
  running statistics, dropout is off. Deterministic: the same pixels on
  every backend.
- ``"authors"`` (their default, without ``--eval``): training mode, one
  image at a time (their test batch is 1), whole (not tiled): batch norm
  normalises each image by its own statistics and dropout draws masks
  (pix2pix's noise). No variable changes (the moving statistics and the
  dropout layers' seeds stay as they are): dropout masks come from ``(seed,
  image index)``, repeatable on one backend for a given ``seed`` (backends
  draw different masks), fresh on each call with ``seed=None``. For
  networks without batch norm or dropout (CycleGAN's) the two modes give
  the same images.
"""

import keras
import numpy as np
from keras import ops

from keras_gans import streaming
from keras_gans.backend import inference_mode
from keras_gans.images import check_float_range, to_model_range, to_uint8

#: default tile side (pixels of each layer) of full-resolution translation; see benchmarks/RESULTS.md
DEFAULT_TILE = 512


def static_image_shape(model):
    """The model's (H, W, C) input shape when fully known, else None."""
    try:
        shape = tuple(model.inputs[0].shape[1:])
    except (AttributeError, IndexError, TypeError, ValueError):
        return None
    if len(shape) != 3 or any(s is None for s in shape):
        return None
    return tuple(int(s) for s in shape)


MODES = ("authors", "eval")


def check_mode(mode):
    if mode not in MODES:
        raise ValueError(f"mode must be 'authors' (training-mode batch statistics and dropout, one image at a "
                         f"time: the authors' test.py default) or 'eval' (running statistics, no dropout: "
                         f"their --eval); got {mode!r}.")
    return mode


def size_multiple(generator):
    """What the generator's input sides must be multiples of: 2 to the
    number of its stride-2 convolutions (4 for the ResNet generator,
    ``2**num_downs`` for the U-Net)."""
    n = 0
    for layer in generator.layers:
        if isinstance(layer, keras.layers.Conv2D) and tuple(getattr(layer, "strides", (1, 1))) == (2, 2):
            n += 1
    return 2**n


def _seed_states(model):
    """The state variables of the seed generators of ``model``'s layers (its dropout layers')."""
    states = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            states.extend(_seed_states(layer))
        elif getattr(layer, "seed_generator", None) is not None:
            states.append(layer.seed_generator.state)
    return states


def training_call(generator, x, seed=None):
    """``generator(x, training=True)`` that changes no variable: batch norm
    normalises by the batch's statistics (its moving averages stay), dropout
    draws its masks from ``seed`` (a sequence of ints, or None: fresh)."""
    rng = np.random.default_rng(None if seed is None else [int(v) for v in np.atleast_1d(seed)])
    mapping = [(v, ops.convert_to_tensor(rng.integers(0, 2**31 - 1, size=2), dtype=v.dtype))
               for v in _seed_states(generator)]
    with inference_mode(), keras.StatelessScope(state_mapping=mapping):
        return ops.convert_to_numpy(generator(x, training=True))


def translate_images(generator, images, batch_size=8, tile=None, progress=None, mode="eval", seed=None):
    """Run an image-to-image ``generator`` (``[-1, 1]`` -> ``[-1, 1]``) on
    uint8 or ``[-1, 1]`` float images; see ``CycleGAN.translate`` and, for
    ``mode`` and ``seed``, the module docstring.

    ``tile``: None runs each batch whole; an int runs each image through
    ``kg.streaming.run`` in tiles of that side (equal to the whole-image
    result up to float rounding; memory bounded by the tile, not the
    image), calling ``progress(done, total)`` after each conv tile ("eval"
    mode only: streaming has no batch statistics or dropout).
    """
    check_mode(mode)
    a = np.asarray(images)
    if a.ndim not in (3, 4):
        raise ValueError(
            f"translate takes one image (height, width, channels) or a batch (n, height, width, "
            f"channels); got an array of shape {a.shape}."
        )
    single = a.ndim == 3
    if single:
        a = a[None]
    if a.dtype == np.uint8:
        x, was_uint8 = a, True  # converted below, batch by batch (tiles: window by window)
    elif np.issubdtype(a.dtype, np.floating):
        check_float_range(a, (-1.0, 1.0), "translate")
        x, was_uint8 = a.astype(np.float32, copy=False), False
    else:
        raise TypeError(
            f"translate takes uint8 images (0..255) or float images in [-1, 1]; got dtype {a.dtype}."
        )
    expected = static_image_shape(generator)
    try:
        channels = generator.inputs[0].shape[-1]
    except (AttributeError, IndexError, TypeError):
        channels = None
    if channels is not None and x.shape[-1] != channels:
        raise ValueError(f"The generator takes {channels}-channel images; got {x.shape[-1]} channels.")
    if expected is not None and tuple(x.shape[1:]) != expected:
        raise ValueError(
            f"This generator was built for images of shape {expected}; got {tuple(x.shape[1:])}. "
            "Resize the images, or rebuild the generator with image_size=None."
        )
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int; got {batch_size!r}.")
    multiple = size_multiple(generator)
    if x.shape[1] % multiple or x.shape[2] % multiple:
        raise ValueError(
            f"This generator takes images whose sides are multiples of {multiple}; got {x.shape[1]}x{x.shape[2]}. "
            "Resize or pad the images first (translate_any_size, or the keras-gans translate command, does)."
        )
    if tile is not None and mode == "eval":
        y = np.stack([_streamed(generator, img, tile, was_uint8, progress) for img in x])
        return y[0] if single else y
    if mode == "authors":
        batch_size = 1  # batch statistics of one image, as the authors' test.py
    out = []
    for i in range(0, len(x), batch_size):
        # An eager call: no whole-model compilation per image size (the CLI
        # sees many sizes); the convolutions dominate the time anyway.
        xb = to_model_range(x[i : i + batch_size]) if was_uint8 else x[i : i + batch_size]
        if mode == "authors":
            y = training_call(generator, xb, None if seed is None else [*np.atleast_1d(seed), i])
        else:
            with inference_mode():
                y = ops.convert_to_numpy(generator(xb, training=False))
        if y.shape[:3] != x[i : i + batch_size].shape[:3]:
            raise ValueError(
                f"The generator maps {x.shape[1]}x{x.shape[2]} images to {y.shape[1]}x{y.shape[2]}: "
                "use a size it preserves; resize or pad the images first."
            )
        out.append(np.asarray(y, np.float32))
    y = np.concatenate(out, axis=0) if out else np.zeros((0, *x.shape[1:]), np.float32)
    if was_uint8:
        y = to_uint8(y)
    return y[0] if single else y


def _streamed(generator, image, tile, was_uint8, progress):
    """One image through ``kg.streaming``: uint8 in -> uint8 out, converted
    window by window (no float copy of the whole image or output)."""

    def collect(node):
        if node.shape[:2] != image.shape[:2]:
            raise ValueError(f"The generator maps {image.shape[0]}x{image.shape[1]} images to "
                             f"{node.shape[0]}x{node.shape[1]}: use a size it preserves (multiples of 4 for "
                             "kg.cyclegan.resnet_generator).")
        return streaming.collect(node, to_uint8 if was_uint8 else None, np.uint8 if was_uint8 else np.float32)

    return streaming.run(generator, image, tile=tile, progress=progress, output=collect,
                         input_map=to_model_range if was_uint8 else None)


def working_size(height, width, size, multiple=4):
    """``(h, w)`` the image is processed at: longer side ``size``, aspect
    kept, both multiples of ``multiple`` (at least ``multiple``)."""
    scale = size / max(height, width)
    rounded = lambda v: max(multiple, int(round(v * scale / multiple)) * multiple)  # noqa: E731
    return rounded(height), rounded(width)


def translate_any_size(generator, rgb, size=0, tile=DEFAULT_TILE, progress=None, mode="eval", seed=None):
    """Translate one uint8 image ``(H, W, C)`` of any size; returns uint8 of the same shape.

    ``size`` == 0 (the default): at the image's own resolution: reflect-pad
    to multiples of ``size_multiple(generator)``, translate, crop. ``size``
    > 0: resize (longer side ``size``, such multiples), translate, resize
    back (Lanczos). ``tile``: images with a side over it go through
    ``kg.streaming`` in tiles (the same result as whole, bounded memory);
    None translates them whole. ``mode``, ``seed``: see the module docstring.
    """
    rgb = np.asarray(rgb)
    if rgb.dtype != np.uint8 or rgb.ndim != 3:
        raise ValueError(f"expected a uint8 image (height, width, channels); got {rgb.dtype} {rgb.shape}.")
    h, w = rgb.shape[:2]
    multiple = size_multiple(generator)
    if size == 0:
        ph, pw = (-h) % multiple, (-w) % multiple
        pad = "reflect" if ph < h and pw < w else "edge"
        padded = np.pad(rgb, ((0, ph), (0, pw), (0, 0)), mode=pad)
        return translate_images(generator, padded, tile=_tile_for(padded, tile), progress=progress, mode=mode,
                                seed=seed)[:h, :w]
    if size < multiple:
        raise ValueError(f"size must be 0 (native size) or at least {multiple} for this generator; got {size}.")
    wh, ww = working_size(h, w, size, multiple)
    small = rgb if (wh, ww) == (h, w) else _resize(rgb, ww, wh)
    out = translate_images(generator, small, tile=_tile_for(small, tile), progress=progress, mode=mode, seed=seed)
    return out if out.shape[:2] == (h, w) else _resize(out, w, h)


def _tile_for(image, tile):
    """``tile`` when the image has a side over it, else None (whole is fastest)."""
    return tile if tile is not None and max(image.shape[:2]) > tile else None


def _resize(rgb, width, height):
    from PIL import Image

    if rgb.shape[-1] == 1:
        return np.asarray(Image.fromarray(rgb[..., 0]).resize((width, height), Image.LANCZOS))[..., None]
    return np.asarray(Image.fromarray(rgb).resize((width, height), Image.LANCZOS))
