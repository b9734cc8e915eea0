"""ESRGAN, Real-ESRGAN and BasicSR checkpoints (PyTorch ``.pth``) as Keras models.

    g = kg.esrgan.from_torch("RealESRGAN_x4plus.pth")       # any backend, no torch needed
    g = kg.esrgan.load_official("realesrgan_x4plus")         # from the cache (download=True fetches it)
    sr = kg.SRGAN(g, None, adversarial_weight=0)             # sr.upscale(uint8, tile=...) etc.

The layout is recognised from the keys and shapes of the state dict (read by
``kg.convert.read_torch_state_dict``, under ``params_ema``, else ``params``,
else the file itself):

- BasicSR / Real-ESRGAN RRDBNet: ``conv_first``, ``body.N.rdb{1,2,3}.conv{1..5}``,
  ``conv_body``, ``conv_up1``, ``conv_up2``, ``conv_hr``, ``conv_last``;
  the scale from ``conv_first``'s input channels over ``conv_last``'s
  output channels (1: x4, 4: x2, 16: x1, the pixel-unshuffled inputs);
- the original ESRGAN repository's RRDBNet (``RRDB_trunk.N.RDB1.conv1``,
  ``trunk_conv``, ``upconv1``, ``upconv2``, ``HRconv``), and its older
  sequential one (``model.0``, ``model.1.sub.N.RDB1.conv1.0``, ...);
- Real-ESRGAN's SRVGGNetCompact: ``body.N.weight`` only, convolutions at
  even N and PReLU slopes ``(num_feat,)`` at odd N; the scale from the last
  convolution's ``out_channels * upscale**2`` outputs;
- BasicSR's MSRResNet (``conv_first``, ``body.N.conv1``, ``upconv1``
  [``upconv2``], ``conv_hr``, ``conv_last``) and EDSR (``conv_first``,
  ``body.N.conv1``, ``conv_after_body``, ``upsample.0``, ``conv_last``).

Block counts and widths come from the keys and shapes too. The Keras
networks (``keras_gans.esrgan.networks``) name each layer after the PyTorch
module it stands for (dots -> underscores), so the copy is a renaming plus
the kernel transpose of ``kg.convert.set_conv``.
"""

import os
import re
from collections import OrderedDict

import numpy as np

from keras_gans.convert import StateDict, fetch, official_dir, read_torch_state_dict, set_conv, state_dict_of

CONTAINERS = ("params_ema", "params")

_REAL_ESRGAN = "https://github.com/xinntao/Real-ESRGAN/releases/download"
_BASICSR_DRIVE = "https://drive.google.com/drive/folders/15DgDtfaLASQ3iAPJEVHQF49g9msexECG"
_ESRGAN_DRIVE = "https://drive.google.com/drive/u/0/folders/17VYV_SoZZesU6mbxz2dMAIccSSlqLecY"
_REAL_ESRGAN_LICENCE = "BSD-3-Clause (xinntao/Real-ESRGAN, LICENSE)"
_BASICSR_EDSR_LICENCE = ("Apache-2.0 (XPixelGroup/BasicSR, which converted the weights); the original EDSR "
                         "weights: MIT (sanghyun-son/EDSR-PyTorch)")
_BASICSR_PROTOCOL = "BasicSR docs/ModelZoo.md: RGB channels, `scale` border pixels cropped"

_RRDB23 = "23 blocks (64 features, growth 32)"


def _release(version, file, architecture, description, licence=_REAL_ESRGAN_LICENCE):
    """A file of a Real-ESRGAN GitHub release."""
    return {"file": file, "url": f"{_REAL_ESRGAN}/{version}/{file}", "licence": licence,
            "architecture": architecture, "description": description}


def _edsr(size, scale, digest, published):
    """A BasicSR-converted official EDSR (Google Drive only)."""
    large = size == "L"
    return {
        "file": f"EDSR_{size}x{scale}_f{256 if large else 64}b{32 if large else 16}_DIV2K_official-{digest}.pth",
        "page": _BASICSR_DRIVE, "licence": _BASICSR_EDSR_LICENCE,
        "architecture": f"EDSR x{scale}, " + ("32 blocks, 256 features, residual scaling 0.1" if large
                                              else "16 blocks, 64 features"),
        "description": f"EDSR-{size} x{scale} (Lim et al. 2017), DIV2K, bicubic degradation",
        "published": {**dict(zip(("Set5", "Set14", "DIV2K100"), published)), "source": _BASICSR_PROTOCOL},
    }


#: The published checkpoints keras_gans knows: file name, where the authors
#: publish it (``url``: a direct download, usable as ``official:NAME``;
#: ``page``: a page to download it from by hand, then ``keras-gans zoo
#: import-sr FILE``), licence, architecture, and the PSNR the authors
#: publish (dB; none for the Real-ESRGAN models, made for real-world
#: degradations and published without PSNR).
CHECKPOINTS = OrderedDict([
    ("realesrgan_x4plus", _release("v0.1.0", "RealESRGAN_x4plus.pth", f"RRDBNet x4, {_RRDB23}",
                                   "Real-ESRGAN x4 for general images (GAN, real-world degradations)")),
    ("realesrnet_x4plus", _release("v0.1.1", "RealESRNet_x4plus.pth", f"RRDBNet x4, {_RRDB23}",
                                   "Real-ESRNet x4: the same network trained with the pixel loss only (smoother)")),
    ("realesrgan_x2plus", _release("v0.2.1", "RealESRGAN_x2plus.pth",
                                   f"RRDBNet x2 (input pixel-unshuffled by 2), {_RRDB23}",
                                   "Real-ESRGAN x2 for general images")),
    ("realesrgan_x4plus_anime_6b", _release("v0.2.2.4", "RealESRGAN_x4plus_anime_6B.pth",
                                            "RRDBNet x4, 6 blocks (64 features, growth 32)",
                                            "Real-ESRGAN x4 for anime images and illustrations")),
    ("realesr_general_x4v3", _release("v0.2.5.0", "realesr-general-x4v3.pth",
                                      "SRVGGNetCompact x4, 32 convolutions, PReLU",
                                      "Real-ESRGAN's small x4 model for general images")),
    ("realesr_general_wdn_x4v3", _release("v0.2.5.0", "realesr-general-wdn-x4v3.pth",
                                          "SRVGGNetCompact x4, 32 convolutions, PReLU",
                                          "realesr-general-x4v3's weak-denoise companion (Real-ESRGAN's "
                                          "--denoise_strength blends the two)")),
    ("realesr_animevideov3", _release("v0.2.5.0", "realesr-animevideov3.pth",
                                      "SRVGGNetCompact x4, 16 convolutions, PReLU",
                                      "Real-ESRGAN x4 for anime videos (XS size)")),
    ("esrgan_x4", _release("v0.1.1", "ESRGAN_SRx4_DF2KOST_official-ff704c30.pth", f"RRDBNet x4, {_RRDB23}",
                           "the official ESRGAN (Wang et al. 2018) x4 GAN model, bicubic (MATLAB) degradation",
                           licence="Apache-2.0 (xinntao/ESRGAN, LICENSE; the file is BasicSR's conversion of "
                                   "RRDB_ESRGAN_x4.pth, hosted in xinntao/Real-ESRGAN's v0.1.1 release)")),
    ("esrgan_psnr_x4", {
        "file": "ESRGAN_PSNR_SRx4_DF2K_official-150ff491.pth", "page": _BASICSR_DRIVE,
        "also": "RRDB_PSNR_x4.pth from the ESRGAN README's Google Drive (" + _ESRGAN_DRIVE + ")",
        "licence": "Apache-2.0 (xinntao/ESRGAN, LICENSE)",
        "architecture": f"RRDBNet x4, {_RRDB23}",
        "description": "ESRGAN's PSNR-oriented RRDB x4 (pixel loss, DF2K), bicubic (MATLAB) degradation",
        "published": {"Set5": 32.73, "Set14": 28.99, "BSD100": 27.85, "Urban100": 27.03, "Manga109": 31.66,
                      "source": "xinntao/ESRGAN README, table 'RRDB(ours)' (PSNR, dB, x4)"}}),
    ("edsr_m_x2", _edsr("M", 2, "3ba7b086", (35.7768, 31.4966, 34.6291))),
    ("edsr_m_x3", _edsr("M", 3, "6908f88a", (32.3597, 28.3932, 30.9438))),
    ("edsr_m_x4", _edsr("M", 4, "0c287733", (30.1821, 26.7528, 28.9679))),
    ("edsr_l_x2", _edsr("L", 2, "be38e77d", (35.9979, 31.8583, 35.0495))),
    ("edsr_l_x3", _edsr("L", 3, "3660f70d", (32.643, 28.644, 31.28))),
    ("edsr_l_x4", _edsr("L", 4, "76ee1c8f", (30.5499, 27.0011, 29.277))),
])

#: ``official:NAME`` names: the checkpoints with a direct download URL.
OFFICIAL_MODELS = tuple(n for n, c in CHECKPOINTS.items() if c.get("url"))

LAYOUTS = (
    "BasicSR / Real-ESRGAN RRDBNet (conv_first, body.N.rdb1.conv1, conv_body, conv_up1, conv_up2, conv_hr, "
    "conv_last)",
    "original ESRGAN RRDBNet (conv_first, RRDB_trunk.N.RDB1.conv1, trunk_conv, upconv1, upconv2, HRconv, "
    "conv_last), or its sequential form (model.0, model.1.sub.N.RDB1.conv1.0, ..., model.10)",
    "Real-ESRGAN SRVGGNetCompact (body.0.weight ... body.N.weight: convolutions at even N, PReLU at odd N)",
    "BasicSR MSRResNet (conv_first, body.N.conv1, upconv1, conv_hr, conv_last)",
    "BasicSR EDSR (conv_first, body.N.conv1, conv_after_body, upsample.0, conv_last)",
)


# ------------------------------------------------------------ recognising
_BASICSR_RDB = re.compile(r"body\.(\d+)\.rdb[123]\.conv[1-5]\.(weight|bias)")
_RES_BLOCK = re.compile(r"body\.(\d+)\.conv[12]\.(weight|bias)")
_SRVGG = re.compile(r"body\.(\d+)\.(weight|bias)")


def _renamed(sd, rules):
    """``sd`` with keys rewritten by ``rules`` (``(regex, replacement)``, the
    first full match wins; keys no rule matches are kept, and then reported
    by ``StateDict.check_all_used``)."""
    out = OrderedDict()
    for key, value in sd.items():
        for pattern, repl in rules:
            if re.fullmatch(pattern, key):
                key = re.sub(pattern, repl, key)
                break
        out[key] = value
    return out


def _esrgan_renamed(sd):
    """The original ESRGAN names (either form) -> BasicSR's."""
    if "model.0.weight" in sd:  # sequential: model.1.sub.{nb} is the trunk conv
        trunk = max(int(m.group(1)) for k in sd if (m := re.fullmatch(r"model\.1\.sub\.(\d+)\.weight", k)))
        rules = [
            (r"model\.0\.(weight|bias)", r"conv_first.\1"),
            (r"model\.1\.sub\.(\d+)\.RDB([123])\.conv([1-5])\.0\.(weight|bias)", r"body.\1.rdb\2.conv\3.\4"),
            (rf"model\.1\.sub\.{trunk}\.(weight|bias)", r"conv_body.\1"),
            (r"model\.3\.(weight|bias)", r"conv_up1.\1"),
            (r"model\.6\.(weight|bias)", r"conv_up2.\1"),
            (r"model\.8\.(weight|bias)", r"conv_hr.\1"),
            (r"model\.10\.(weight|bias)", r"conv_last.\1"),
        ]
    else:
        rules = [
            (r"RRDB_trunk\.(\d+)\.RDB([123])\.conv([1-5])\.(weight|bias)", r"body.\1.rdb\2.conv\3.\4"),
            (r"trunk_conv\.(weight|bias)", r"conv_body.\1"),
            (r"upconv([12])\.(weight|bias)", r"conv_up\1.\2"),
            (r"HRconv\.(weight|bias)", r"conv_hr.\1"),
        ]
    return _renamed(sd, rules)


def _shape(sd, key, ndim=4):
    value = sd.get(key)
    if value is None or np.ndim(value) != ndim:
        raise ValueError(f"{key!r} is missing or has shape {None if value is None else np.shape(value)}; a "
                         f"{ndim}-D tensor expected.")
    return tuple(int(s) for s in np.shape(value))


def _blocks(sd, pattern):
    found = sorted({int(m.group(1)) for k in sd if (m := pattern.fullmatch(k))})
    if found != list(range(len(found))):
        raise ValueError(f"the blocks are numbered {found[:6]}...; 0, 1, 2, ... expected (a truncated or "
                         "edited state dict?).")
    return len(found)


def _rrdbnet_config(sd, scale):
    feat, in_total = _shape(sd, "conv_first.weight")[:2]
    out_channels = _shape(sd, "conv_last.weight")[0]
    if scale is None:
        ratio = {1: 4, 4: 2, 16: 1}
        if in_total % out_channels or in_total // out_channels not in ratio:
            raise ValueError(
                f"conv_first takes {in_total} channels and conv_last gives {out_channels}: not the 1, 4 or 16 "
                "times as many of a x4, x2 or x1 RRDBNet with as many input as output channels; pass scale=."
            )
        scale = ratio[in_total // out_channels]
    unshuffle = {4: 1, 2: 4, 1: 16}.get(scale)
    if unshuffle is None or in_total % unshuffle:
        raise ValueError(f"scale={scale!r} does not fit conv_first's {in_total} input channels (x4: C, x2: 4 C, "
                         "x1: 16 C).")
    return {
        "scale": scale,
        "num_block": _blocks(sd, _BASICSR_RDB),
        "num_feat": feat,
        "num_grow_ch": _shape(sd, "body.0.rdb1.conv1.weight")[0],
        "in_channels": in_total // unshuffle,
        "out_channels": out_channels,
    }


def _srvgg_config(sd, act_type):
    convs = sorted(int(m.group(1)) for k in sd if (m := _SRVGG.fullmatch(k)) and m.group(2) == "weight"
                   and np.ndim(sd[k]) == 4)
    prelus = sorted(int(m.group(1)) for k in sd if (m := _SRVGG.fullmatch(k)) and m.group(2) == "weight"
                    and np.ndim(sd[k]) == 1)
    n = len(convs)
    if n < 2 or convs != list(range(0, 2 * n, 2)):
        raise ValueError(f"SRVGGNetCompact convolutions sit at body.{convs[:6]}...; body.0, body.2, ... expected.")
    if prelus and prelus != list(range(1, 2 * n - 2, 2)):
        raise ValueError(f"SRVGGNetCompact PReLU slopes sit at body.{prelus[:6]}...; body.1, body.3, ... expected.")
    if prelus:
        if act_type not in (None, "prelu"):
            raise ValueError(f"act_type={act_type!r}, but the state dict holds PReLU slopes.")
        act_type = "prelu"
    elif act_type not in ("relu", "leakyrelu"):
        raise ValueError(
            "This SRVGGNetCompact has no PReLU slopes, so its activation is ReLU or LeakyReLU(0.1), which "
            "leave nothing in the state dict: pass act_type='relu' or act_type='leakyrelu'."
        )
    feat, in_channels = _shape(sd, "body.0.weight")[:2]
    last = _shape(sd, f"body.{2 * n - 2}.weight")[0]
    upscale = int(round((last / in_channels) ** 0.5))
    if upscale < 1 or in_channels * upscale * upscale != last:
        raise ValueError(f"the last convolution gives {last} channels: not in_channels ({in_channels}) times a "
                         "square upscale**2.")
    return {"num_feat": feat, "num_conv": n - 2, "upscale": upscale, "act_type": act_type,
            "in_channels": in_channels, "out_channels": in_channels}


def _msrresnet_config(sd):
    feat, in_channels = _shape(sd, "conv_first.weight")[:2]
    up1 = _shape(sd, "upconv1.weight")[0]
    if "upconv2.weight" in sd:
        upscale = 4
    else:
        upscale = {4: 2, 9: 3}.get(up1 // feat if up1 % feat == 0 else 0)
        if upscale is None:
            raise ValueError(f"upconv1 gives {up1} channels: not 4 or 9 times num_feat ({feat}) (x2, x3).")
    return {"upscale": upscale, "num_block": _blocks(sd, _RES_BLOCK), "num_feat": feat,
            "in_channels": in_channels, "out_channels": _shape(sd, "conv_last.weight")[0]}


def _edsr_config(sd, res_scale):
    feat, in_channels = _shape(sd, "conv_first.weight")[:2]
    ups = sorted(int(m.group(1)) for k in sd if (m := re.fullmatch(r"upsample\.(\d+)\.weight", k)))
    first = _shape(sd, "upsample.0.weight")[0]
    if first == 9 * feat and ups == [0]:
        upscale = 3
    elif first == 4 * feat and ups == list(range(0, 2 * len(ups), 2)):
        upscale = 2 ** len(ups)
    else:
        raise ValueError(f"the upsampler (upsample.{ups}, {first} channels first) is neither x3 (one conv to "
                         f"9 x {feat}) nor 2^n (convs to 4 x {feat} at upsample.0, .2, ...).")
    if res_scale is None:  # not in the state dict: EDSR-L (256 features) uses 0.1, EDSR-M 1
        res_scale = 0.1 if feat == 256 else 1.0
    return {"upscale": upscale, "num_block": _blocks(sd, _RES_BLOCK), "num_feat": feat, "res_scale": res_scale,
            "in_channels": in_channels, "out_channels": _shape(sd, "conv_last.weight")[0]}


def _found(sd):
    shown = ", ".join(f"{k} {tuple(np.shape(v))}" for k, v in list(sd.items())[:6])
    return f"it has {len(sd)} entries, first {shown}"


def identify(path_or_state_dict, scale=None, act_type=None, res_scale=None):
    """What a checkpoint is, from its keys and shapes, without building anything.

    Returns ``{"layout": ..., "architecture": "rrdbnet" | "srvgg_net_compact"
    | "msrresnet" | "edsr", "config": {builder keyword arguments},
    "description": "RRDBNet x4, 23 blocks (...)", "state_dict": {BasicSR-style
    key: numpy array}}``. ``scale`` (RRDBNet
    with differing input and output channels), ``act_type`` (SRVGGNetCompact
    without PReLU) and ``res_scale`` (EDSR: 0.1 assumed for 256 features, 1
    otherwise) fill what a state dict cannot say. Raises ``ValueError``
    naming the keys found and the layouts known when it is none of them.
    """
    if isinstance(path_or_state_dict, (str, os.PathLike)):
        sd = read_torch_state_dict(path_or_state_dict, containers=CONTAINERS)
        where = str(path_or_state_dict)
    else:
        sd = state_dict_of(path_or_state_dict, "the state dict", containers=CONTAINERS)
        where = "the state dict"
    keys = set(sd)
    try:
        if "conv_first.weight" in keys and any(_BASICSR_RDB.fullmatch(k) for k in keys):
            layout, arch = LAYOUTS[0], "rrdbnet"
        elif ("conv_first.weight" in keys and any(k.startswith("RRDB_trunk.") for k in keys)) or (
                "model.0.weight" in keys and any(k.startswith("model.1.sub.") for k in keys)):
            sd, layout, arch = _esrgan_renamed(sd), LAYOUTS[1], "rrdbnet"
        elif keys and all(_SRVGG.fullmatch(k) for k in keys):
            layout, arch = LAYOUTS[2], "srvgg_net_compact"
        elif {"conv_first.weight", "upconv1.weight", "conv_hr.weight"} <= keys:
            layout, arch = LAYOUTS[3], "msrresnet"
        elif {"conv_first.weight", "conv_after_body.weight", "upsample.0.weight"} <= keys:
            layout, arch = LAYOUTS[4], "edsr"
        else:
            raise ValueError("none of the layouts matched")
        if arch == "rrdbnet":
            config = _rrdbnet_config(sd, scale)
        elif arch == "srvgg_net_compact":
            config = _srvgg_config(sd, act_type)
        elif arch == "msrresnet":
            config = _msrresnet_config(sd)
        else:
            config = _edsr_config(sd, res_scale)
    except ValueError as e:
        raise ValueError(
            f"{where} is not a checkpoint kg.esrgan reads ({e}): {_found(sd)}. Known layouts: "
            + "; ".join(LAYOUTS) + "."
        ) from None
    return {"layout": layout, "architecture": arch, "config": config, "description": _describe(arch, config),
            "state_dict": sd}


def _describe(arch, c):
    if arch == "rrdbnet":
        unshuffle = "" if c["scale"] == 4 else f", input pixel-unshuffled by {4 // c['scale']}"
        return (f"RRDBNet x{c['scale']}, {c['num_block']} blocks ({c['num_feat']} features, growth "
                f"{c['num_grow_ch']}){unshuffle}")
    if arch == "srvgg_net_compact":
        return f"SRVGGNetCompact x{c['upscale']}, {c['num_conv']} convolutions, {c['num_feat']} features, {c['act_type']}"
    if arch == "msrresnet":
        return f"MSRResNet x{c['upscale']}, {c['num_block']} blocks, {c['num_feat']} features"
    return (f"EDSR x{c['upscale']}, {c['num_block']} blocks, {c['num_feat']} features, residual scaling "
            f"{c['res_scale']}")


# ------------------------------------------------------------- converting
def _build(arch, config, name):
    from keras_gans.esrgan import networks
    from keras_gans.zoo.h5 import weights_to_be_loaded

    builder = getattr(networks, arch)
    # every weight is overwritten next: skip the random initializers (on JAX
    # each kernel shape would cost an XLA compilation, half a minute for a
    # 2-block RRDBNet)
    with weights_to_be_loaded():
        return builder(**config, **({"name": name} if name else {}))


def from_torch(path_or_state_dict, scale=None, act_type=None, res_scale=None, name=None):
    """A checkpoint of ESRGAN / Real-ESRGAN / BasicSR as a keras_gans SR generator.

    Args:
        path_or_state_dict: a ``.pth`` file (e.g. the authors'
            ``RealESRGAN_x4plus.pth``, a BasicSR ``net_g_*.pth``), or a state
            dict (tensors or numpy arrays, possibly under ``params_ema`` /
            ``params``).
        scale, act_type, res_scale: what a state dict cannot say, when it
            matters (see ``identify``).
        name: the Keras model's name (default: the architecture's).

    Returns the Keras model (``kg.esrgan.rrdbnet``, ``srvgg_net_compact``,
    ``msrresnet`` or ``edsr``) with every weight copied: LR ``[0, 1]`` -> HR
    ``[-1, 1]``, i.e. the authors' output ``y`` as ``2 y - 1``, equal to it
    within float32 rounding. Use it as ``kg.SRGAN(g, None,
    adversarial_weight=0)`` for ``upscale`` (tiled, any size), ``fit`` and
    ``kg.zoo.save``.
    """
    import keras

    found = identify(path_or_state_dict, scale=scale, act_type=act_type, res_scale=res_scale)
    model = _build(found["architecture"], found["config"], name)
    sd = StateDict(found["state_dict"], found["architecture"])
    from keras_gans.esrgan.networks import RRDB

    prefixes = {k.rsplit(".", 1)[0].replace(".", "_"): k.rsplit(".", 1)[0] for k in sd.keys()}
    layers = []  # (the name its module has in the state dict, dots as underscores; the layer)
    for layer in model.layers:
        if isinstance(layer, RRDB):
            layers += [(f"{layer.name}_{conv.name}", conv) for conv in layer.convs]
        elif layer.weights:
            layers.append((layer.name, layer))
    for key, layer in layers:
        prefix = prefixes.get(key)
        if prefix is None:
            raise ValueError(f"{sd.what}: the state dict has no weights for layer {key!r} "
                             f"({_found(found['state_dict'])}).")
        if isinstance(layer, keras.layers.PReLU):
            c = layer.alpha.shape[-1]
            layer.set_weights([sd.get(f"{prefix}.weight", (c,)).reshape(layer.alpha.shape)])
        else:
            set_conv(layer, sd, prefix)
    sd.check_all_used()
    return model


# ------------------------------------------------------------ official files
def _official_name(name):
    key = str(name).strip().lower().replace("-", "_")
    if key.endswith(".pth"):
        key = key[:-4]
    if key not in OFFICIAL_MODELS:
        manual = [n for n in CHECKPOINTS if n not in OFFICIAL_MODELS]
        hint = (f" ({key} has no direct download: get {CHECKPOINTS[key]['file']} from {CHECKPOINTS[key]['page']} "
                "and run `keras-gans zoo import-sr FILE --out DIR`)" if key in CHECKPOINTS else "")
        raise ValueError(
            f"Unknown official super-resolution model {name!r}{hint}; official: names are "
            f"{', '.join(OFFICIAL_MODELS)} (others importable from a file: {', '.join(manual)})."
        )
    return key


def official_url(name):
    """The authors' download URL of an ``official:NAME`` checkpoint."""
    return CHECKPOINTS[_official_name(name)]["url"]


def official_path(name):
    """Where ``official:NAME`` is looked for: ``$KERAS_GANS_CACHE/official/<file>``
    (default ``~/.keras/keras_gans/official/``), the authors' file name.
    Nothing is checked or fetched."""
    return official_dir() / CHECKPOINTS[_official_name(name)]["file"]


def fetch_official(name, download=False, timeout=5.0):
    """The local path of ``official:NAME``'s ``.pth`` (``kg.convert.fetch``:
    missing and not ``download``: ``FileNotFoundError`` at once, naming the
    URL and the path to place the file at)."""
    key = _official_name(name)
    return fetch(CHECKPOINTS[key]["url"], CHECKPOINTS[key]["file"],
                 f"the official super-resolution model {key!r}", download=download, timeout=timeout)


def load_official(name, download=False):
    """The published checkpoint ``name`` (e.g. "realesrgan_x4plus"; case,
    ``-`` / ``_`` and ``.pth`` do not matter) as a generator, LR ``[0, 1]``
    -> HR ``[-1, 1]`` (see ``from_torch``), from the cache (see
    ``fetch_official``)."""
    return from_torch(fetch_official(name, download=download), name=_official_name(name))


def checkpoint_info(filename):
    """The ``CHECKPOINTS`` entry whose file name is ``filename``'s (case and
    ``-`` / ``_`` aside), as ``(name, entry)``; ``(None, None)`` otherwise."""
    stem = os.path.basename(str(filename)).lower().replace("-", "_")
    for key, entry in CHECKPOINTS.items():
        if entry["file"].lower().replace("-", "_") == stem or (stem.endswith(".pth") and stem[:-4] == key):
            return key, entry
    return None, None
