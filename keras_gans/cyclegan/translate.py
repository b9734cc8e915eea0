"""Image-to-image generators run on images: the helpers CycleGAN and pix2pix share.

A generator needs sides that are multiples of ``size_multiple(generator)``
(4 for the ResNet generator, ``2**num_downs`` for the U-Net).
``translate_images`` runs a generator on uint8 or ``[-1, 1]`` images as they
are; ``translate_any_size`` takes one uint8 image of any size and either
resizes it (longer side ``size``, aspect kept, multiples of the generator's
multiple) and back, or reflect-pads it to such multiples and crops the result.

Two ways to run a generator (``mode``), as the authors' ``test.py`` offers:

- ``"eval"`` (their ``--eval``): inference mode: batch norm uses its
  running statistics, dropout is off. Deterministic: the same pixels on
  every backend.
- ``"authors"`` (their default, without ``--eval``): training mode, one
  image at a time (their test batch is 1): batch norm normalises each
  image by its own statistics and dropout draws masks (pix2pix's noise).
  No variable changes (the moving statistics and the dropout layers' seeds
  stay as they are): dropout masks come from ``(seed, image index)``,
  repeatable on one backend for a given ``seed`` (backends draw different
  masks), fresh on each call with ``seed=None``. For networks without batch
  norm or dropout (CycleGAN's) the two modes give the same images.
"""

import keras
import numpy as np
from keras import ops

from keras_gans.images import check_float_range, to_model_range, to_uint8


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
    with keras.StatelessScope(state_mapping=mapping):
        y = generator(x, training=True)
    return ops.convert_to_numpy(y)


def translate_images(generator, images, batch_size=8, mode="eval", seed=None):
    """Run an image-to-image ``generator`` (``[-1, 1]`` -> ``[-1, 1]``) on
    uint8 or ``[-1, 1]`` float images; see ``CycleGAN.translate`` and, for
    ``mode`` and ``seed``, the module docstring."""
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
        x, was_uint8 = to_model_range(a), True
    elif np.issubdtype(a.dtype, np.floating):
        check_float_range(a, (-1.0, 1.0), "translate")
        x, was_uint8 = a.astype(np.float32), False
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
    if mode == "authors":
        batch_size = 1  # batch statistics of one image, as the authors' test.py
    out = []
    for i in range(0, len(x), batch_size):
        # An eager call: no whole-model compilation per image size (the CLI
        # sees many sizes); the convolutions dominate the time anyway.
        if mode == "authors":
            y = training_call(generator, x[i : i + 1], None if seed is None else [*np.atleast_1d(seed), i])
        else:
            y = ops.convert_to_numpy(generator(x[i : i + batch_size], training=False))
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


def working_size(height, width, size, multiple=4):
    """``(h, w)`` the image is processed at: longer side ``size``, aspect
    kept, both multiples of ``multiple`` (at least ``multiple``)."""
    scale = size / max(height, width)
    rounded = lambda v: max(multiple, int(round(v * scale / multiple)) * multiple)  # noqa: E731
    return rounded(height), rounded(width)


def translate_any_size(generator, rgb, size, mode="eval", seed=None):
    """Translate one uint8 image ``(H, W, C)`` of any size; returns uint8 of the same shape.

    ``size`` > 0: resize (longer side ``size``, multiples of
    ``size_multiple(generator)``), translate, resize back (Lanczos).
    ``size`` == 0: reflect-pad to such multiples, translate, crop.
    ``mode``, ``seed``: see the module docstring.
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
        return translate_images(generator, padded, mode=mode, seed=seed)[:h, :w]
    if size < multiple:
        raise ValueError(f"size must be 0 (native size) or at least {multiple} for this generator; got {size}.")
    wh, ww = working_size(h, w, size, multiple)
    small = rgb if (wh, ww) == (h, w) else _resize(rgb, ww, wh)
    out = translate_images(generator, small, mode=mode, seed=seed)
    return out if out.shape[:2] == (h, w) else _resize(out, w, h)


def _resize(rgb, width, height):
    from PIL import Image

    if rgb.shape[-1] == 1:
        return np.asarray(Image.fromarray(rgb[..., 0]).resize((width, height), Image.LANCZOS))[..., None]
    return np.asarray(Image.fromarray(rgb).resize((width, height), Image.LANCZOS))
