"""The authors' CycleGAN generators (PyTorch ``.pth``) as Keras models.

    g = kg.cyclegan.from_torch("latest_net_G_A.pth")     # any backend, no torch needed
    g = kg.cyclegan.load_official_cyclegan("apple2orange")        # from the local cache
    fake = g(images_in_minus1_1)

The official repository (junyanz/pytorch-CycleGAN-and-pix2pix) saves
``ResnetGenerator.state_dict()`` with ``torch.save``; the keys name the
modules of its ``nn.Sequential`` called ``model``: ``model.1.weight`` (the
7x7 stem), ``model.4`` / ``model.7`` (stride-2 convs), ``model.10 ..
model.{9+n}.conv_block.{1,5}`` (the residual blocks), two
``ConvTranspose2d``, and the last 7x7 conv. ``kg.architectures.
resnet_generator`` has one Keras layer per such module, named after it, so
the conversion is a renaming plus a kernel transpose:

- ``Conv2d`` weight ``(out, in, kh, kw)`` -> Keras ``(kh, kw, in, out)``;
- ``ConvTranspose2d`` weight ``(in, out, kh, kw)`` -> Keras
  ``Conv2DTranspose`` ``(kh, kw, out, in)``; both are ``transpose(2, 3, 1, 0)``.

The ``.pth`` file is read without torch by ``kg.convert.read_torch_state_dict``
(the one reader of every converter); official files are cached and fetched by
``kg.convert.fetch``.
"""

import os
import re

from keras_gans.convert import StateDict, fetch, official_dir, read_torch_state_dict, set_conv, state_dict_of

OFFICIAL_URL = "http://efrosgans.eecs.berkeley.edu/cyclegan/pretrained_models/{name}.pth"

#: Names the authors publish (``scripts/download_cyclegan_model.sh``).
OFFICIAL_MODELS = (
    "apple2orange",
    "orange2apple",
    "summer2winter_yosemite",
    "winter2summer_yosemite",
    "horse2zebra",
    "zebra2horse",
    "monet2photo",
    "style_monet",
    "style_cezanne",
    "style_ukiyoe",
    "style_vangogh",
    "sat2map",
    "map2sat",
    "cityscapes_photo2label",
    "cityscapes_label2photo",
    "facades_photo2label",
    "facades_label2photo",
    "iphone2dslr_flower",
)


# ---------------------------------------------------------------- converter
_BLOCK = re.compile(r"model\.(\d+)\.conv_block\.(\d+)\.weight")


def _infer_resnet(sd):
    if "model.1.weight" not in sd:
        raise ValueError(
            "This state dict is not an official CycleGAN ResnetGenerator: it has no "
            f"'model.1.weight' (first keys: {list(sd)[:5]})."
        )
    stem = sd["model.1.weight"]
    if stem.ndim != 4 or stem.shape[2:] != (7, 7):
        raise ValueError(f"'model.1.weight' has shape {stem.shape}; a ResnetGenerator's is (F, C, 7, 7).")
    filters, channels = int(stem.shape[0]), int(stem.shape[1])
    blocks = sorted({int(m.group(1)) for k in sd if (m := _BLOCK.fullmatch(k))})
    if not blocks or blocks != list(range(10, 10 + len(blocks))):
        raise ValueError(
            f"The residual blocks of this state dict sit at model.{blocks} ; a ResnetGenerator's "
            "are model.10, model.11, ... (is it a U-Net generator or a discriminator?)."
        )
    last = 17 + len(blocks)
    key = f"model.{last}.weight"
    if key not in sd:
        raise ValueError(f"Expected the last convolution at {key!r}; it is missing.")
    return len(blocks), filters, channels, int(sd[key].shape[0])


def _torch_prefix(layer_name):
    m = re.fullmatch(r"model_(\d+)(?:_conv_block_(\d+))?", layer_name)
    if m is None:
        return None
    return f"model.{m.group(1)}" + (f".conv_block.{m.group(2)}" if m.group(2) else "")


def cyclegan_from_torch(path_or_state_dict, n_blocks=None, image_size=None, name="resnet_generator"):
    """The official CycleGAN ``ResnetGenerator`` as a Keras model with its weights.

    Args:
        path_or_state_dict: a ``.pth`` file (``torch.save(G.state_dict())``,
            e.g. the authors' ``apple2orange.pth`` or a ``latest_net_G_A.pth``
            of a training run), or the state dict itself (tensors or numpy
            arrays).
        n_blocks: residual blocks (9 or 6); None infers them from the keys,
            and a given value must match them.
        image_size: passed to ``kg.cyclegan.resnet_generator`` (None:
            any height and width divisible by 4).

    Returns ``kg.cyclegan.resnet_generator(n_blocks, filters, channels)``
    with every weight copied: same image in ``[-1, 1]`` in, same image out as
    the PyTorch model (within float32 rounding, ~1e-5).
    """
    import keras

    from keras_gans.cyclegan.networks import resnet_generator

    if isinstance(path_or_state_dict, (str, os.PathLike)):
        sd = read_torch_state_dict(path_or_state_dict)
    else:
        sd = state_dict_of(path_or_state_dict, "the state dict")
    found, filters, channels, out_channels = _infer_resnet(sd)
    if n_blocks is not None and n_blocks != found:
        raise ValueError(f"n_blocks={n_blocks} but the state dict holds {found} residual blocks.")
    norm_weights = [k for k in sd if k.endswith(".weight") and sd[k].ndim == 1]
    if norm_weights:
        raise ValueError(
            f"The state dict has normalization weights ({norm_weights[:3]}...): it was trained with "
            "affine or batch normalization (norm='batch' or affine InstanceNorm), not the official "
            "norm='instance' (affine=False) this converter reproduces."
        )
    model = resnet_generator(
        n_blocks=found, filters=filters, channels=channels, image_size=image_size,
        output_channels=out_channels, name=name,
    )
    weights = StateDict({k: v for k, v in sd.items() if not k.endswith(("running_mean", "running_var"))},
                        "ResnetGenerator")
    for layer in model.layers:
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
            set_conv(layer, weights, _torch_prefix(layer.name))
    weights.check_all_used()
    return model


# ------------------------------------------------------------ official files
def _check_official(name):
    if name not in OFFICIAL_MODELS:
        raise ValueError(
            f"Unknown official CycleGAN model {name!r}; the authors publish "
            f"{', '.join(OFFICIAL_MODELS)}."
        )


def official_cyclegan_url(name):
    """The authors' public URL of an official pretrained generator."""
    _check_official(name)
    return OFFICIAL_URL.format(name=name)


def official_cyclegan_path(name):
    """Where the official ``<name>.pth`` is looked for:
    ``$KERAS_GANS_CACHE/official/<name>.pth``, by default
    ``~/.keras/keras_gans/official/<name>.pth``. Nothing is checked or fetched."""
    _check_official(name)
    return official_dir() / f"{name}.pth"


def fetch_official_cyclegan(name, download=False, timeout=5.0):
    """The local path of an official generator's ``.pth`` (``kg.convert.fetch``:
    a missing file raises ``FileNotFoundError`` at once naming the URL and the
    path to place it at; ``download=True`` fetches it with a ``timeout``)."""
    return fetch(official_cyclegan_url(name), official_cyclegan_path(name).name,
                 f"the official CycleGAN generator {name!r}", download=download, timeout=timeout)


def load_official_cyclegan(name, download=False, image_size=None):
    """The authors' pretrained generator ``name`` (e.g. "apple2orange") as a
    Keras model, from the cache (see ``fetch_official_cyclegan``)."""
    return cyclegan_from_torch(fetch_official_cyclegan(name, download=download), image_size=image_size)


# the names kg.convert.official calls (its FAMILIES table)
PAPER = "CycleGAN (Zhu et al. 2017)"
load_official, official_path, official_url = load_official_cyclegan, official_cyclegan_path, official_cyclegan_url


def cyclegan_from_torch_pair(path_a, path_b, image_size=None, train_size=256, seed=0):
    """A ``CycleGAN`` game from the official two generator checkpoints
    (``latest_net_G_A.pth``: A -> B, ``latest_net_G_B.pth``: B -> A) with
    fresh 70x70 PatchGAN discriminators (the official ``D`` files are not
    converted: fine-tuning starts their training anew). ``image_size``
    fixes the networks' input size (None: any); ``train_size`` sizes the
    image pools for fine-tuning (the paper's 256)."""
    from keras_gans.cyclegan.game import CycleGAN
    from keras_gans.cyclegan.networks import patchgan_discriminator

    g_ab = cyclegan_from_torch(path_a, image_size=image_size, name="g_ab")
    g_ba = cyclegan_from_torch(path_b, image_size=image_size, name="g_ba")
    filters = int(g_ab.get_layer(index=2).filters) if hasattr(g_ab.get_layer(index=2), "filters") else 64
    return CycleGAN(
        g_ab, g_ba,
        patchgan_discriminator(filters, 3, 3, image_size, seed=seed + 200, name="d_a"),
        patchgan_discriminator(filters, 3, 3, image_size, seed=seed + 300, name="d_b"),
        image_shape=(image_size or train_size, image_size or train_size, 3),
        seed=seed,
    )
