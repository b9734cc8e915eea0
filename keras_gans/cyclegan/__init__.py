"""CycleGAN (Zhu, Park, Isola & Efros, ICCV 2017), all in one place.

    g = kg.cyclegan.resnet_generator(n_blocks=9)        # networks.py
    cg = kg.CycleGAN(g_ab, g_ba, d_a, d_b)              # game.py (+ image_pool.py, losses.py)
    oranges = cg.translate(apples_uint8, "a2b")         # translate.py: any size
    g = kg.cyclegan.from_torch("latest_net_G_A.pth")    # convert_torch.py: official checkpoints (kg.convert reads them)
"""

from keras_gans.cyclegan.convert_torch import (
    OFFICIAL_MODELS,
    cyclegan_from_torch,
    cyclegan_from_torch_pair,
    fetch_official_cyclegan,
    load_official_cyclegan,
    official_cyclegan_path,
    official_cyclegan_url,
)
from keras_gans.cyclegan.game import CycleGAN
from keras_gans.cyclegan.image_pool import ImagePool
from keras_gans.cyclegan.losses import cycle_consistency_loss, identity_loss, l1_loss
from keras_gans.cyclegan.networks import patchgan_discriminator, resnet_generator
from keras_gans.cyclegan.translate import translate_any_size, translate_images

from_torch = cyclegan_from_torch

__all__ = [
    "CycleGAN",
    "ImagePool",
    "resnet_generator",
    "patchgan_discriminator",
    "cycle_consistency_loss",
    "identity_loss",
    "l1_loss",
    "translate_images",
    "translate_any_size",
    "from_torch",
    "cyclegan_from_torch",
    "cyclegan_from_torch_pair",
    "load_official_cyclegan",
    "fetch_official_cyclegan",
    "official_cyclegan_path",
    "official_cyclegan_url",
    "OFFICIAL_MODELS",
]
