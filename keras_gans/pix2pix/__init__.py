"""pix2pix (Isola, Zhu, Zhou & Efros, CVPR 2017), all in one place.

    g = kg.pix2pix.unet_generator(num_downs=8)              # networks.py: unet_256 (7: unet_128)
    p = kg.Pix2Pix(g, kg.cyclegan.patchgan_discriminator(channels=6, norm="batch"))   # game.py
    p.fit(kg.data.paired("facades/train", direction="BtoA"))                       # aligned pairs
    photos = p.translate(labels_uint8)                      # mode="authors" (default) or "eval"
    g = kg.pix2pix.from_torch("latest_net_G.pth")           # convert_torch.py: the authors' checkpoints
    p = kg.pix2pix.load_official("edges2shoes")             # their published generators (cache; kg.convert.fetch)
"""

from keras_gans.pix2pix.convert_torch import (
    OFFICIAL_MODELS,
    fetch_official_pix2pix,
    load_official,
    load_official_pix2pix,
    official_pix2pix_path,
    official_pix2pix_url,
    pix2pix_from_torch,
    pix2pix_game_from_torch,
)
from keras_gans.pix2pix.game import Pix2Pix
from keras_gans.pix2pix.networks import unet_generator

from_torch = pix2pix_from_torch

__all__ = [
    "Pix2Pix",
    "unet_generator",
    "from_torch",
    "pix2pix_from_torch",
    "pix2pix_game_from_torch",
    "load_official",
    "load_official_pix2pix",
    "fetch_official_pix2pix",
    "official_pix2pix_path",
    "official_pix2pix_url",
    "OFFICIAL_MODELS",
]
