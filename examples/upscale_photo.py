"""Upscale a photo x4 with the zoo's SRResNet (any size: tiled, bounded memory).

    python examples/upscale_photo.py photo.jpg photo_x4.png
"""

import sys

import numpy as np

import keras_gans as kg


def main(src, dst, entry="srresnet_x4", tile=192):
    from PIL import Image

    from keras_gans.images import read_rgb

    rgb, alpha, grey = read_rgb(src)  # upright (EXIF), 8-bit RGB, whatever the file's mode
    sr = kg.zoo.load(entry)
    out = sr.upscale(rgb, tile=tile)  # uint8 in -> uint8 out, 4x each side
    Image.fromarray(out).save(dst)
    print(f"{src} {rgb.shape[1]}x{rgb.shape[0]} -> {dst} {out.shape[1]}x{out.shape[0]}")
    return np.asarray(out)


if __name__ == "__main__":
    main(*sys.argv[1:3])
