"""ESRGAN, Real-ESRGAN and BasicSR super-resolution networks, and their published weights.

    g = kg.esrgan.from_torch("RealESRGAN_x4plus.pth")     # convert_torch.py: any layout, no torch needed
    g = kg.esrgan.load_official("realesrgan_x4plus")       # the authors' file, from the cache
    sr = kg.SRGAN(g, None, adversarial_weight=0)           # the SR inference of kg.srgan:
    hr = sr.upscale(uint8_image, tile=128)                 # tiled, exact, any size
    g = kg.esrgan.rrdbnet(scale=4, num_block=23)           # networks.py: the architectures

Every generator maps LR ``[0, 1]`` to HR ``[-1, 1]`` (keras_gans' SR
convention; the authors' ``[0, 1]`` output is rescaled by the last layer).
"""

from keras_gans.esrgan.convert_torch import (
    CHECKPOINTS,
    LAYOUTS,
    OFFICIAL_MODELS,
    checkpoint_info,
    fetch_official,
    from_torch,
    identify,
    load_official,
    official_path,
    official_url,
)
from keras_gans.esrgan.networks import RRDB, edsr, msrresnet, rrdbnet, srvgg_net_compact

__all__ = [
    "rrdbnet",
    "RRDB",
    "srvgg_net_compact",
    "msrresnet",
    "edsr",
    "from_torch",
    "identify",
    "load_official",
    "fetch_official",
    "official_url",
    "official_path",
    "checkpoint_info",
    "CHECKPOINTS",
    "OFFICIAL_MODELS",
    "LAYOUTS",
]
