"""The authors' pix2pix generators (PyTorch ``.pth``) as Keras models.

    g = kg.pix2pix.from_torch("latest_net_G.pth")          # the U-Net; any backend, no torch needed
    p = kg.pix2pix.load_official("edges2shoes")            # a Pix2Pix game, from the local cache
    shoes = p.translate(edges_uint8)                        # the authors' test.py default mode

The official repository (junyanz/pytorch-CycleGAN-and-pix2pix) saves
``UnetGenerator.state_dict()`` with ``torch.save``. Its keys follow the
nesting of ``UnetSkipConnectionBlock``\\ s: ``model.model.0`` (the outermost
convolution), ``model.model.3`` (the last transposed convolution),
``model.model.1.model.{1,2,5,6}`` (block 1's convolution, norm, transposed
convolution, norm), ``model.model.1.model.3.model...`` one level deeper per
``.3.model``. ``kg.pix2pix.unet_generator`` names each Keras layer after its
module ("." written "_"), so the conversion is a renaming plus the kernel
transpose of ``kg.convert.set_conv`` and the four vectors of
``kg.convert.set_batch_norm``.

The depth (``num_downs``: 8 for ``unet_256``, 7 for ``unet_128``), the
width, the channels and the norm are read from the keys: batch norm
(``norm='batch'``, pix2pix's default) has ``weight``, ``bias``,
``running_mean`` and ``running_var`` and convolutions without biases;
instance norm (``InstanceNorm2d(affine=False)``) has no entries and
convolutions with biases (files of older versions of the authors' code also
hold its ``running_mean`` / ``running_var``, which the authors' loader
deletes, ``__patch_instance_norm_state_dict``: so are they here). Dropout
has no weights: ``use_dropout`` is an argument (the authors' default, on).
"""

import os
import re

import keras
import numpy as np

from keras_gans.convert import (
    StateDict,
    fetch,
    official_dir,
    read_torch_state_dict,
    set_batch_norm,
    set_conv,
    state_dict_of,
)

OFFICIAL_URL = "http://efrosgans.eecs.berkeley.edu/pix2pix/models-pytorch/{name}.pth"

#: Names the authors publish (``scripts/download_pix2pix_model.sh``): ``unet_256``, batch norm, trained at 256x256.
OFFICIAL_MODELS = ("edges2shoes", "sat2map", "map2sat", "facades_label2photo", "day2night")


# ---------------------------------------------------------------- converter
def _describe(sd):
    """A short account of what a state dict that is not a U-Net holds."""
    keys = list(sd)
    if "model.1.weight" in sd and any(re.fullmatch(r"model\.\d+\.conv_block\.\d+\.weight", k) for k in keys):
        return "a ResnetGenerator (CycleGAN's, resnet_9blocks/6blocks): convert it with kg.cyclegan.from_torch"
    if "model.0.weight" in sd and sd["model.0.weight"].ndim == 4 and sd["model.0.weight"].shape[2:] == (4, 4):
        return "an NLayerDiscriminator (PatchGAN): only generators are converted"
    return f"{len(keys)} entries, the first {keys[:4]}"


def infer_unet(sd):
    """``(num_downs, filters, in_channels, out_channels, norm)`` of a
    ``UnetGenerator`` state dict; a ValueError naming what was found
    otherwise."""
    from keras_gans.pix2pix.networks import MIN_DOWNS, block_path

    first, last = "model.model.0.weight", "model.model.3.weight"
    if first not in sd or last not in sd:
        raise ValueError(
            f"This state dict is not a pix2pix UnetGenerator: it has no {first!r} / {last!r} (the outermost "
            f"block's convolution and transposed convolution); it looks like {_describe(sd)}."
        )
    w0, w3 = np.asarray(sd[first]), np.asarray(sd[last])
    if w0.ndim != 4 or w0.shape[2:] != (4, 4) or w3.ndim != 4 or w3.shape[2:] != (4, 4):
        raise ValueError(f"{first} has shape {w0.shape} and {last} {w3.shape}; a UnetGenerator's are 4x4 "
                         "convolutions (F, C_in, 4, 4) and (2F, C_out, 4, 4).")
    filters, in_channels, out_channels = int(w0.shape[0]), int(w0.shape[1]), int(w3.shape[1])
    depth = 1
    while f"{block_path(depth)}.1.weight" in sd:
        depth += 1
    if depth < MIN_DOWNS:
        raise ValueError(
            f"The nested blocks of this state dict stop at depth {depth} ({block_path(depth)} is missing); a "
            f"UnetGenerator has at least {MIN_DOWNS} (unet_128: 7, unet_256: 8)."
        )
    norm_key = f"{block_path(1)}.2"
    if f"{norm_key}.weight" in sd and f"{norm_key}.running_mean" in sd:
        norm = "batch"
    elif f"{norm_key}.weight" in sd:
        raise ValueError(
            f"{norm_key} has a weight but no running statistics: an affine InstanceNorm or a BatchNorm without "
            "running statistics, which the authors' code does not make (norm='batch' or norm='instance')."
        )
    else:
        norm = "instance"
    return depth, filters, in_channels, out_channels, norm


def pix2pix_from_torch(path_or_state_dict, num_downs=None, use_dropout=True, image_size=None,
                       name="unet_generator"):
    """The authors' ``UnetGenerator`` as a Keras model with its weights.

    Args:
        path_or_state_dict: a ``.pth`` file (``torch.save(G.state_dict())``:
            the authors' ``edges2shoes.pth`` or a ``latest_net_G.pth`` of a
            training run), or the state dict itself (tensors or numpy arrays).
        num_downs: 8 (``unet_256``) or 7 (``unet_128``); None reads it from
            the keys, and a given value must match them.
        use_dropout: the dropout layers (no weights; the authors' default:
            on, ``--no_dropout`` off). They act only in training mode, i.e.
            in ``translate(mode="authors")`` and when fine-tuning.
        image_size: passed to ``kg.pix2pix.unet_generator`` (None: any
            multiple of ``2**num_downs``).

    Returns ``kg.pix2pix.unet_generator(...)`` with every weight (and batch
    norm's running statistics) copied: the same image out as the PyTorch
    model in the same mode (``eval()``: ``model(x, training=False)``), within
    float32 rounding.
    """
    from keras_gans.pix2pix.networks import torch_prefix, unet_generator

    if isinstance(path_or_state_dict, (str, os.PathLike)):
        sd = read_torch_state_dict(path_or_state_dict)
    else:
        sd = state_dict_of(path_or_state_dict, "the state dict")
    found, filters, in_channels, out_channels, norm = infer_unet(sd)
    if num_downs is not None and num_downs != found:
        raise ValueError(f"num_downs={num_downs} but the state dict holds a U-Net of {found} downsamplings "
                         f"(unet_{2**found}).")
    from keras_gans.zoo.h5 import weights_to_be_loaded

    with weights_to_be_loaded():  # every float weight is set below: no initializer runs
        model = unet_generator(found, filters, in_channels, out_channels, norm=norm, use_dropout=use_dropout,
                               image_size=image_size, name=name)
    if norm == "instance":  # running statistics of old InstanceNorm files: the authors' loader drops them
        sd = {k: v for k, v in sd.items() if not k.endswith(("running_mean", "running_var"))}
    weights = StateDict(sd, f"UnetGenerator (unet_{2**found}, norm={norm!r})")
    for layer in model.layers:
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
            set_conv(layer, weights, torch_prefix(layer.name), bias=layer.use_bias)
        elif isinstance(layer, keras.layers.BatchNormalization):
            set_batch_norm(layer, weights, torch_prefix(layer.name))
    weights.check_all_used()
    return model


def pix2pix_game_from_torch(path_or_state_dict, image_size=None, seed=0, name="generator"):
    """A ``Pix2Pix`` game from the authors' generator checkpoint, with a
    fresh 70x70 PatchGAN of the same norm judging (input, output) pairs (the
    authors' ``D`` files are not converted: fine-tuning trains it anew)."""
    from keras_gans.cyclegan.networks import patchgan_discriminator
    from keras_gans.pix2pix.game import Pix2Pix
    from keras_gans.pix2pix.networks import norm_of

    g = pix2pix_from_torch(path_or_state_dict, image_size=image_size, name=name)
    norm = norm_of(g)
    filters = int(g.get_layer("model_model_0").filters)
    channels = int(g.inputs[0].shape[-1]) + int(g.outputs[0].shape[-1])
    d = patchgan_discriminator(filters, 3, channels, image_size, seed=seed + 100, norm=norm, name="discriminator")
    return Pix2Pix(g, d, seed=seed)


# ------------------------------------------------------------ official files
def _check_official(name):
    if name not in OFFICIAL_MODELS:
        raise ValueError(f"Unknown official pix2pix model {name!r}; the authors publish {', '.join(OFFICIAL_MODELS)}.")


def official_pix2pix_url(name):
    """The authors' public URL of an official pretrained pix2pix generator."""
    _check_official(name)
    return OFFICIAL_URL.format(name=name)


def official_pix2pix_path(name):
    """Where the official ``<name>.pth`` is looked for:
    ``$KERAS_GANS_CACHE/official/pix2pix/<name>.pth`` (a folder of its own:
    CycleGAN's authors publish files of the same names). Nothing is checked
    or fetched."""
    _check_official(name)
    return official_dir() / "pix2pix" / f"{name}.pth"


def fetch_official_pix2pix(name, download=False, timeout=5.0):
    """The local path of an official generator's ``.pth`` (``kg.convert.fetch``:
    a missing file raises ``FileNotFoundError`` at once naming the URL and the
    path to place it at; ``download=True`` fetches it with a ``timeout``)."""
    path = official_pix2pix_path(name)
    return fetch(official_pix2pix_url(name), str(path.relative_to(official_dir())),
                 f"the official pix2pix generator {name!r}", download=download, timeout=timeout)


def load_official_pix2pix(name, download=False, image_size=None):
    """The authors' pretrained pix2pix generator ``name`` (e.g.
    "edges2shoes"), from the cache (see ``fetch_official_pix2pix``), in a
    ``Pix2Pix`` game (``translate`` runs it as their test.py does by
    default; a fresh discriminator for fine-tuning)."""
    return pix2pix_game_from_torch(fetch_official_pix2pix(name, download=download), image_size=image_size)


# the names kg.convert.official calls (its FAMILIES table)
PAPER = "pix2pix (Isola et al. 2017)"
load_official, official_path, official_url = load_official_pix2pix, official_pix2pix_path, official_pix2pix_url
