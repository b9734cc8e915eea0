"""PyTorch checkpoints into keras_gans models: one reader, one fetcher, shared helpers.

    sd = kg.convert.read_torch_state_dict("model.pth")      # no torch needed; {key: numpy array}
    path = kg.convert.fetch(url, "file.pth", "the model X")  # the cache; download only when asked

    g = kg.convert.load_official("edges2shoes")             # the family that publishes it converts it

The family converters build on these: ``kg.cyclegan.from_torch``, ``kg.pix2pix.from_torch``.
"""

from keras_gans.convert.official import (
    FAMILIES,
    cached_official,
    fetch,
    load_official,
    official_dir,
    official_models,
    resolve_official,
)
from keras_gans.convert.pth import TorchFileError, read_torch_file, read_torch_state_dict, state_dict_of
from keras_gans.convert.weights import StateDict, conv_kernel, set_batch_norm, set_conv

__all__ = [
    "read_torch_file",
    "read_torch_state_dict",
    "state_dict_of",
    "TorchFileError",
    "fetch",
    "official_dir",
    "FAMILIES",
    "load_official",
    "cached_official",
    "official_models",
    "resolve_official",
    "StateDict",
    "conv_kernel",
    "set_conv",
    "set_batch_norm",
]
