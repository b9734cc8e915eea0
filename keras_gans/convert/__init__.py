"""PyTorch checkpoints into keras_gans models: one reader, one fetcher, shared helpers.

    sd = kg.convert.read_torch_state_dict("model.pth")      # no torch needed; {key: numpy array}
    path = kg.convert.fetch(url, "file.pth", "the model X")  # the cache; download only when asked

The family converters build on these: ``kg.cyclegan.from_torch``.
"""

from keras_gans.convert.official import fetch, official_dir
from keras_gans.convert.pth import TorchFileError, read_torch_file, read_torch_state_dict, state_dict_of
from keras_gans.convert.weights import StateDict, conv_kernel, set_conv

__all__ = [
    "read_torch_file",
    "read_torch_state_dict",
    "state_dict_of",
    "TorchFileError",
    "fetch",
    "official_dir",
    "StateDict",
    "conv_kernel",
    "set_conv",
]
