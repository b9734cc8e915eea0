"""SRGAN / SRResNet (Ledig et al., CVPR 2017), all in one place.

    g = kg.srgan.srresnet(scale=4)                      # networks.py
    sr = kg.SRGAN(g, kg.srgan.srgan_discriminator())    # game.py (+ losses.py)
    hr = sr.upscale(uint8_image, tile=128)              # upscale.py: any size, bounded memory
    kg.srgan.evaluate(sr, "../shared/data/Set5")        # benchmark.py: Set5/Set14/BSD100 PSNR/SSIM
"""

from keras_gans.srgan import benchmark
from keras_gans.srgan.benchmark import PAPER_TABLE2, evaluate, format_table
from keras_gans.srgan.game import SRGAN
from keras_gans.srgan.losses import FeatureLoss, LatticeMSE, MSEContentLoss, VGGFeatureLoss, get_content_loss
from keras_gans.srgan.networks import srgan_discriminator, srresnet
from keras_gans.srgan.upscale import infer_scale, receptive_radius, upscale_images

__all__ = [
    "SRGAN",
    "srresnet",
    "srgan_discriminator",
    "MSEContentLoss",
    "LatticeMSE",
    "FeatureLoss",
    "VGGFeatureLoss",
    "get_content_loss",
    "upscale_images",
    "infer_scale",
    "receptive_radius",
    "evaluate",
    "format_table",
    "benchmark",
    "PAPER_TABLE2",
]
