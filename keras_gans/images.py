"""Image helpers shared by the library, the CLI and the recipes (NumPy only;
Pillow is imported inside the functions that read or write files).

- ``IMAGE_EXTENSIONS``: the file endings read as images everywhere.
- ``to_model_range`` / ``to_uint8``: uint8 0..255 <-> float ``[lo, hi]``
  (``[-1, 1]`` by default, the range of tanh generators).
- ``make_grid``: tile a batch of images into one picture.
"""

import math

import numpy as np

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff")


def is_image_file(path):
    return str(path).lower().endswith(IMAGE_EXTENSIONS)


def list_images(folder, recursive=False):
    """The image files of ``folder`` (sorted; ``recursive``: with its
    sub-folders); a folder without one is an error naming it and the
    endings looked for."""
    from pathlib import Path

    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder.")
    found = folder.rglob("*") if recursive else folder.iterdir()
    files = sorted(f for f in found if f.is_file() and is_image_file(f))
    if not files:
        raise FileNotFoundError(f"No images ({', '.join(IMAGE_EXTENSIONS)}) in {folder}.")
    return files


class ImageReadError(ValueError):
    """A file that is not a readable image (empty, truncated, not an image)."""


def open_image(path):
    """A PIL image of ``path``, fully decoded, turned upright (EXIF
    orientation honoured) and in 8 bits per channel: 16-bit and 32-bit
    integer images are scaled (>> 8, resp. to their range), float images
    mapped from [0, 1] (or their range when it is wider) to 0..255; modes
    L, LA, RGB and RGBA are kept, 1-bit images and palettes of greys become
    L (LA with transparency), every other mode (colour palette, CMYK, YCbCr)
    RGB (RGBA with transparency). A file that cannot be decoded raises
    ``ImageReadError`` naming it. The only decoder of image files in
    keras_gans: the CLI, the data loaders, the SR benchmark and the recipes
    read through it."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            im.load()
            im = ImageOps.exif_transpose(im)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise ImageReadError(f"{path}: not a readable image ({type(e).__name__}: {e}).") from None
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N") or (mode == "I" and np.asarray(im).max() > 255):
        a = np.asarray(im, np.float64)
        top = 65535.0 if mode.startswith("I;16") or a.max() <= 65535 else float(a.max())
        return Image.fromarray(np.round(a / top * 255.0).astype(np.uint8), "L")
    if mode == "I":
        return Image.fromarray(np.asarray(im).astype(np.uint8), "L")
    if mode == "F":
        a = np.asarray(im, np.float64)
        a = np.nan_to_num(a, nan=0.0)
        lo, hi = min(0.0, float(a.min())), max(1.0, float(a.max()))
        return Image.fromarray(np.round((a - lo) / (hi - lo) * 255.0).astype(np.uint8), "L")
    if mode in ("L", "LA", "RGB", "RGBA"):
        return im
    if mode == "1":
        return im.convert("L")
    if mode == "P":
        alpha = "transparency" in im.info
        rgb = np.asarray(im.convert("RGB"))
        if (rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all():  # a palette of greys
            return im.convert("LA" if alpha else "L")
        return im.convert("RGBA" if alpha else "RGB")
    return im.convert("RGB")


def image_size(path):
    """``(width, height)`` of an image file as stored, read from its header
    only (nothing is decoded: a check of a file's pixel count before
    ``open_image`` decodes it). A file that is not an image raises
    ``ImageReadError`` naming it."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            return im.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as e:
        raise ImageReadError(f"{path}: not a readable image ({type(e).__name__}: {e}).") from None


def read_rgb(path):
    """``(uint8 RGB array (H, W, 3), alpha (H, W) uint8 or None, was_grey)``
    of an image file, through ``open_image``."""
    im = open_image(path)
    alpha = np.asarray(im.getchannel("A")) if "A" in im.getbands() else None
    grey = im.mode in ("L", "LA")
    return np.asarray(im.convert("RGB"), np.uint8), alpha, grey


def check_float_range(a, value_range, what):
    """Float images must be finite and inside ``value_range`` (a 1e-3 slack);
    else a ValueError naming what was found and what is expected."""
    lo, hi = value_range
    a = np.asarray(a)
    if a.size == 0:
        return
    if not np.isfinite(a).all():
        raise ValueError(f"{what}: the float images hold {int((~np.isfinite(a)).sum())} NaN/inf values.")
    amin, amax = float(a.min()), float(a.max())
    if amin < lo - 1e-3 or amax > hi + 1e-3:
        raise ValueError(
            f"{what} takes float images in [{lo:g}, {hi:g}] (or uint8 0..255); got values from "
            f"{amin:.4g} to {amax:.4g}."
        )


def to_model_range(images, value_range=(-1.0, 1.0)):
    """uint8 images (0..255) -> float32 in ``value_range``."""
    lo, hi = value_range
    return np.asarray(images, np.float32) / np.float32(255.0 / (hi - lo)) + np.float32(lo)


def to_uint8(images, value_range=(-1.0, 1.0)):
    """Float images in ``value_range`` -> uint8 (rounded, clipped)."""
    lo, hi = value_range
    a = np.clip((np.asarray(images, np.float32) - lo) / (hi - lo), 0.0, 1.0)
    return np.round(a * 255.0).astype(np.uint8)


def grid_shape(n, columns=None):
    """(rows, columns) of the grid for ``n`` images."""
    cols = int(columns) if columns else int(math.ceil(math.sqrt(n)))
    return int(math.ceil(n / cols)), cols


def make_grid(images, value_range=(-1.0, 1.0), columns=None, padding=2):
    """Tile images (n, h, w, c) into one uint8 array with ``padding`` black
    pixels between and around the cells: height ``rows*h + (rows+1)*padding``."""
    images = np.asarray(images, np.float32)
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise ValueError(f"expected images of shape (n, h, w, 1 or 3); got {images.shape}.")
    images = to_uint8(images, value_range)
    n, h, w, c = images.shape
    rows, cols = grid_shape(n, columns)
    grid = np.zeros((rows * h + (rows + 1) * padding, cols * w + (cols + 1) * padding, c), np.uint8)
    for i in range(n):
        r, k = divmod(i, cols)
        y, x = padding + r * (h + padding), padding + k * (w + padding)
        grid[y : y + h, x : x + w] = images[i]
    return grid[..., 0] if c == 1 else grid
