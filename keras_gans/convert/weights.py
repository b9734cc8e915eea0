"""Copying a PyTorch state dict into Keras layers: the pieces every converter shares.

    sd = StateDict(read_torch_state_dict(path), "RRDBNet")
    set_conv(model.get_layer("conv_first"), sd, "conv_first")   # weight + bias, transposed
    set_batch_norm(model.get_layer("bn"), sd, "bn")               # weight, bias, running_mean, running_var
    sd.check_all_used()                                           # nothing left over

PyTorch ``Conv2d`` weights are ``(out, in, kh, kw)``; Keras ``Conv2D``
kernels ``(kh, kw, in, out)``. ``ConvTranspose2d`` weights are ``(in, out,
kh, kw)``; Keras ``Conv2DTranspose`` kernels ``(kh, kw, out, in)``. Both are
``transpose(2, 3, 1, 0)``.
"""

import numpy as np

from keras_gans.convert.pth import TorchFileError

#: state-dict entries that carry no weights a Keras model needs.
IGNORED_SUFFIXES = ("num_batches_tracked",)


class StateDict:
    """A state dict that remembers which entries a converter took, so that
    a file with more (or other) weights than the architecture is an error
    naming them, not a silent partial load."""

    def __init__(self, sd, what):
        self.sd, self.what, self.used = sd, what, set()

    def __contains__(self, key):
        return key in self.sd

    def keys(self):
        return self.sd.keys()

    def get(self, key, shape=None):
        """Entry ``key`` as float32 (its ``shape`` checked when given)."""
        if key not in self.sd:
            raise ValueError(f"{self.what}: the state dict has no {key!r} (it has {len(self.sd)} entries, "
                             f"e.g. {list(self.sd)[:4]}).")
        value = np.asarray(self.sd[key])
        if shape is not None and tuple(value.shape) != tuple(shape):
            raise ValueError(f"{self.what}: {key!r} has shape {tuple(value.shape)}; {tuple(shape)} expected.")
        self.used.add(key)
        return value.astype("float32")

    def check_all_used(self):
        left = [k for k in self.sd if k not in self.used and not k.endswith(IGNORED_SUFFIXES)]
        if left:
            raise ValueError(f"{self.what}: state dict entries the architecture has no place for: {left[:8]}"
                             + (f" and {len(left) - 8} more" if len(left) > 8 else "") + ".")


def conv_kernel(weight):
    """A PyTorch ``Conv2d`` / ``ConvTranspose2d`` weight as the Keras kernel."""
    weight = np.asarray(weight)
    if weight.ndim != 4:
        raise TorchFileError(f"a convolution weight must have 4 dimensions; got shape {weight.shape}.")
    return np.transpose(weight, (2, 3, 1, 0))


def set_conv(layer, sd, prefix, bias=True):
    """``layer`` (a Keras ``Conv2D``/``Conv2DTranspose``) from ``prefix.weight``
    (and ``prefix.bias``) of ``sd`` (a ``StateDict``), shapes checked."""
    expected = tuple(layer.kernel.shape)
    weight = sd.get(f"{prefix}.weight")
    kernel = conv_kernel(weight)
    if kernel.shape != expected:
        raise ValueError(f"{sd.what}: {prefix}.weight has shape {tuple(weight.shape)}; layer {layer.name} "
                         f"needs the transpose of {expected} (a different architecture or size?).")
    values = [kernel]
    if bias:
        values.append(sd.get(f"{prefix}.bias", (layer.filters,)))
    layer.set_weights(values)


def set_batch_norm(layer, sd, prefix):
    """A Keras ``BatchNormalization`` from a PyTorch ``BatchNorm2d``'s
    ``prefix.weight``, ``.bias``, ``.running_mean`` and ``.running_var``
    (gamma, beta, moving mean, moving variance); ``num_batches_tracked`` is
    not needed (Keras' moving averages use a fixed momentum, as PyTorch's
    default ``momentum=0.1`` does). The layer's epsilon must be PyTorch's
    (1e-5) for equal outputs: that is the builder's job."""
    n = int(layer.moving_mean.shape[0])
    layer.set_weights([sd.get(f"{prefix}.{k}", (n,)) for k in ("weight", "bias", "running_mean", "running_var")])
