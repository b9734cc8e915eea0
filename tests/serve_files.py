"""Inputs and references shared by the API and browser tests of ``keras-gans serve``."""

import io

import numpy as np


def photo(path, width=64, height=48):
    """A small synthetic photo (smooth colour gradients, a disc, some noise) as PNG."""
    from PIL import Image

    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    rgb = np.stack([x / width, y / height, 0.5 + 0.5 * np.sin(x / 5.0) * np.cos(y / 7.0)], -1) * 200
    disc = (x - width * 0.6) ** 2 + (y - height * 0.45) ** 2 < (min(width, height) * 0.3) ** 2
    rgb[disc] = [230, 120, 30]
    rgb += np.random.default_rng(0).normal(0, 6, rgb.shape)
    Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).save(path)
    return path


def bad_files(folder):
    """``{name: (path, part of the expected message)}``: a text file named .png,
    a truncated JPEG and a 60-megapixel image (a 1-bit PNG of a few kB)."""
    from PIL import Image

    out = {}
    text = folder / "notes.png"
    text.write_text("these are my notes, not a picture\n")
    out["text"] = (text, "notes.png: not a readable image (UnidentifiedImageError")
    buf = io.BytesIO()
    Image.open(photo(folder / "whole.png", 96, 72)).save(buf, "JPEG", quality=90)
    truncated = folder / "cut.jpg"
    truncated.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    out["truncated"] = (truncated, "cut.jpg: not a readable image (OSError: image file is truncated")
    huge = folder / "huge.png"
    Image.new("1", (7746, 7746)).save(huge)
    out["huge"] = (huge, "huge.png is 7746x7746 px = 60.0 megapixels; this server takes images up to 16 megapixels")
    return out


def png16(path, width=40, height=30):
    """A 16-bit greyscale PNG (keras_gans.images reads it as 8-bit grey)."""
    from PIL import Image

    y, x = np.mgrid[0:height, 0:width]
    a = ((x * 1500 + y * 700) % 65536).astype(np.uint16)
    Image.fromarray(a).save(path)  # mode I;16
    return path


def pixels(source):
    """An image file's (or PNG bytes') pixels as stored."""
    from PIL import Image

    with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as im:
        return np.asarray(im)


def cli(*args):
    """Run ``keras-gans ARGS`` in this process; its output file's pixels."""
    from keras_gans.cli import main

    assert main([*map(str, args), "--overwrite"]) == 0
    return pixels(args[args.index("-o") + 1])
