"""Converters from other frameworks' checkpoints to keras_gans models.

    g = kg.convert.cyclegan_from_torch("latest_net_G_A.pth")   # official CycleGAN generator
    g = kg.convert.load_official_cyclegan("apple2orange")      # from ~/.keras/keras_gans/official/

Nothing is downloaded unless asked (``download=True``): a missing file fails
at once with the URL and the path to place it at.
"""

from keras_gans.convert.cyclegan import (
    OFFICIAL_MODELS,
    TorchFileError,
    cache_dir,
    cyclegan_from_torch,
    fetch_official_cyclegan,
    load_official_cyclegan,
    official_cyclegan_path,
    official_cyclegan_url,
    read_torch_state_dict,
)

__all__ = [
    "cyclegan_from_torch",
    "read_torch_state_dict",
    "load_official_cyclegan",
    "fetch_official_cyclegan",
    "official_cyclegan_path",
    "official_cyclegan_url",
    "cache_dir",
    "OFFICIAL_MODELS",
    "TorchFileError",
]
