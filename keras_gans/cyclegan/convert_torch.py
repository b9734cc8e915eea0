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

The ``.pth`` file is read without torch: a zip (torch >= 1.6) or legacy
(older torch) pickle whose tensors point at raw little-endian storages. The
unpickler accepts only ``OrderedDict``, tensor rebuilds and storage types, so
a file cannot run code.
"""

import io
import os
import pickle
import re
import struct
import zipfile
from collections import OrderedDict
from pathlib import Path

import numpy as np

from keras_gans.paths import CACHE_ENV, cache_dir

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


class TorchFileError(ValueError):
    """A ``.pth`` file that is not a readable PyTorch state dict."""


# ------------------------------------------------------------ reading .pth
_STORAGE_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "BFloat16Storage": "bfloat16",
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
    "UntypedStorage": np.uint8,
}
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


class _StorageType:
    def __init__(self, name):
        self.name = name
        self.dtype = _STORAGE_DTYPES[name]


def _as_numpy(raw, dtype):
    if isinstance(dtype, str):  # bfloat16: the upper half of a float32
        u16 = np.frombuffer(raw, dtype="<u2")
        return (u16.astype(np.uint32) << 16).view(np.float32)
    return np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<"))


def _tensor_from_storage(storage, offset, size, stride):
    size, stride = tuple(size), tuple(stride)
    n = int(np.prod(size)) if size else 1
    if n == 0:
        return np.zeros(size, storage.dtype)
    last = offset + sum((s - 1) * st for s, st in zip(size, stride))
    if offset < 0 or last >= storage.size:
        raise TorchFileError(
            f"a tensor of shape {size} reads past the end of its storage ({storage.size} "
            "elements): the file is truncated or corrupted."
        )
    item = storage.itemsize
    view = np.lib.stride_tricks.as_strided(
        storage[offset:], shape=size, strides=tuple(st * item for st in stride)
    )
    return np.array(view, copy=True)


def _rebuild_tensor(storage, offset, size, stride, *_):
    """``torch._utils._rebuild_tensor_v2``: a view of a storage as a numpy array."""
    if isinstance(storage, _Deferred):  # legacy format: storages come later
        return _DeferredTensor(storage, (offset, size, stride))
    return _tensor_from_storage(storage, offset, size, stride)


def _rebuild_parameter(data, *_):
    return data


class _Unpickler(pickle.Unpickler):
    """Reads state dicts only; any other global is refused."""

    def __init__(self, file, load_storage):
        super().__init__(file)
        self._load_storage = load_storage
        self._cache = {}

    def find_class(self, module, name):
        if module == "collections" and name == "OrderedDict":
            return OrderedDict
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor
        if module == "torch._utils" and name == "_rebuild_parameter":
            return _rebuild_parameter
        if module in ("torch", "torch.storage") and name in _STORAGE_DTYPES:
            return _StorageType(name)
        raise TorchFileError(
            f"the file's pickle refers to {module}.{name}, which a plain state dict never "
            "does; only state dicts saved with torch.save(model.state_dict(), path) are read."
        )

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or not pid or pid[0] != "storage":
            raise TorchFileError(f"unexpected persistent id {pid!r} in the pickle.")
        _, stype, key, _location, numel = pid[:5]
        view = pid[5] if len(pid) > 5 else None
        if not isinstance(stype, _StorageType):
            raise TorchFileError(f"unexpected storage type {stype!r} in the pickle.")
        key = str(key)
        if key not in self._cache:
            self._cache[key] = self._load_storage(key, stype.dtype, int(numel))
        storage = self._cache[key]
        if view is not None:  # legacy format: (view key, offset, size)
            _, off, size = view
            storage = storage[off : off + size]
        return storage


class _NoGlobals(pickle.Unpickler):
    """For the legacy header records: plain values only."""

    def find_class(self, module, name):
        raise TorchFileError(f"unexpected reference to {module}.{name}")


def _read_zip(path):
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        pkl = [n for n in names if n.endswith("data.pkl")]
        if not pkl:
            raise TorchFileError(f"{path} is a zip without data.pkl: not a torch.save() file.")
        prefix = pkl[0][: -len("data.pkl")]
        if f"{prefix}byteorder" in names and zf.read(f"{prefix}byteorder").strip() == b"big":
            raise TorchFileError(f"{path} was saved on a big-endian machine; not supported.")

        def load_storage(key, dtype, numel):
            name = f"{prefix}data/{key}"
            try:
                raw = zf.read(name)
            except KeyError:
                raise TorchFileError(f"{path}: storage {name} is missing (truncated file?).") from None
            arr = _as_numpy(raw, dtype)
            if arr.size < numel:
                raise TorchFileError(
                    f"{path}: storage {name} holds {arr.size} elements, {numel} expected (truncated file)."
                )
            return arr

        return _Unpickler(io.BytesIO(zf.read(pkl[0])), load_storage).load()


def _read_legacy(path):
    data = Path(path).read_bytes()
    f = io.BytesIO(data)

    def plain(what):
        try:
            return _NoGlobals(f).load()
        except Exception as e:
            raise TorchFileError(
                f"{path} is not a readable PyTorch file: cannot read its {what} ({type(e).__name__}: "
                f"{e}). The file is truncated or corrupted, or not a torch.save() file."
            ) from None

    if plain("magic number") != _LEGACY_MAGIC:
        raise TorchFileError(f"{path} is not a PyTorch file (wrong magic number).")
    plain("protocol version")
    plain("system info")
    pending = {}

    def defer(key, dtype, numel):
        pending[key] = (dtype, numel)
        return _Deferred(key)

    obj = _Unpickler(f, defer).load()
    keys = plain("storage keys")
    storages = {}
    for key in keys:
        dtype, numel = pending.get(str(key), (np.uint8, 0))
        header = f.read(8)
        if len(header) < 8:
            raise TorchFileError(f"{path} is truncated: storage {key} is missing.")
        (count,) = struct.unpack("<q", header)
        nbytes = count * np.dtype(np.uint16 if isinstance(dtype, str) else dtype).itemsize
        raw = f.read(nbytes)
        if len(raw) < nbytes:
            raise TorchFileError(f"{path} is truncated: storage {key} has {len(raw)} of {nbytes} bytes.")
        storages[str(key)] = _as_numpy(raw, dtype)
    return _resolve(obj, storages)


class _Deferred:
    """A legacy-format storage whose bytes come after the pickle."""

    def __init__(self, key):
        self.key = key
        self.views = []

    def __getitem__(self, sl):
        d = _Deferred(self.key)
        d.views = self.views + [sl]
        return d


class _DeferredTensor:
    def __init__(self, storage, args):
        self.storage, self.args = storage, args


def _resolve(obj, storages):
    if isinstance(obj, _DeferredTensor):
        arr = storages[obj.storage.key]
        for sl in obj.storage.views:
            arr = arr[sl]
        return _tensor_from_storage(arr, *obj.args)
    if isinstance(obj, dict):
        out = type(obj)() if isinstance(obj, OrderedDict) else {}
        for k, v in obj.items():
            out[k] = _resolve(v, storages)
        return out
    if isinstance(obj, (list, tuple)):
        return type(obj)(_resolve(v, storages) for v in obj)
    return obj




def read_torch_state_dict(path):
    """A ``torch.save``d state dict as ``{key: numpy array}``, without torch.

    Reads the zip format (torch >= 1.6) and the legacy format. Raises
    ``TorchFileError`` (a ValueError) naming the file when it is truncated,
    corrupted or holds something other than tensors in (ordered) dicts.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"No such file: {path}")
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
        if head == b"PK\x03\x04" or zipfile.is_zipfile(path):
            obj = _read_zip(path)
        else:
            obj = _read_legacy(path)
    except TorchFileError:
        raise
    except (zipfile.BadZipFile, pickle.UnpicklingError, EOFError, struct.error, ValueError,
            IndexError, KeyError, TypeError, AttributeError, OSError) as e:
        raise TorchFileError(
            f"{path} is not a readable PyTorch state dict ({type(e).__name__}: {e}); the file is "
            "truncated or corrupted, or not a torch.save() file. Download it again."
        ) from None
    return _state_dict_of(obj, path)


def _state_dict_of(obj, where):
    if isinstance(obj, dict) and "state_dict" in obj and isinstance(obj["state_dict"], dict):
        obj = obj["state_dict"]
    if not isinstance(obj, dict) or not obj:
        raise TorchFileError(f"{where} does not hold a state dict (got {type(obj).__name__}).")
    out = OrderedDict()
    for key, value in obj.items():
        if not isinstance(key, str):
            raise TorchFileError(f"{where}: state dict key {key!r} is not a string.")
        if hasattr(value, "detach"):  # a torch tensor (state dict passed in memory)
            value = value.detach().cpu().numpy()
        if not isinstance(value, np.ndarray):
            raise TorchFileError(f"{where}: entry {key!r} is a {type(value).__name__}, not a tensor.")
        out[key[7:] if key.startswith("module.") else key] = value
    return out


# ---------------------------------------------------------------- converter
_CONV = re.compile(r"model\.(\d+)\.weight")
_BLOCK = re.compile(r"model\.(\d+)\.conv_block\.(\d+)\.weight")
_IGNORED = ("running_mean", "running_var", "num_batches_tracked")


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
        sd = _state_dict_of(path_or_state_dict, "the state dict")
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
    used = set()
    for layer in model.layers:
        if not isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
            continue
        prefix = _torch_prefix(layer.name)
        wkey, bkey = f"{prefix}.weight", f"{prefix}.bias"
        if wkey not in sd or bkey not in sd:
            raise ValueError(f"The state dict lacks {wkey!r} or {bkey!r} (layer {layer.name}).")
        kernel = np.transpose(sd[wkey], (2, 3, 1, 0))
        expected = tuple(layer.kernel.shape)
        if kernel.shape != expected:
            raise ValueError(
                f"{wkey} has shape {sd[wkey].shape}, which transposes to {kernel.shape}; layer "
                f"{layer.name} needs {expected}."
            )
        layer.set_weights([kernel.astype("float32"), sd[bkey].astype("float32")])
        used.update((wkey, bkey))
    unused = [k for k in sd if k not in used and not k.endswith(_IGNORED)]
    if unused:
        raise ValueError(f"State dict entries not used by the ResnetGenerator: {unused[:8]}.")
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
    return cache_dir() / "official" / f"{name}.pth"


def fetch_official_cyclegan(name, download=False, timeout=5.0):
    """The local path of an official generator's ``.pth``.

    With ``download=False`` (the default) nothing touches the network: a
    missing file raises ``FileNotFoundError`` at once, naming the URL and the
    exact path to place the file at by hand. With ``download=True`` the file
    is fetched from the authors' server with a ``timeout``-second socket
    timeout (an offline machine fails within it, with the same message).
    """
    path = official_cyclegan_path(name)
    if path.is_file():
        return path
    url = official_cyclegan_url(name)
    how = (
        f"The official CycleGAN generator {name!r} is not cached. Download {url} on a machine "
        f"with internet access and place it at {path} (e.g. `mkdir -p {path.parent} && curl -L -o "
        f"{path} {url}`; set ${CACHE_ENV} to use another cache folder)."
    )
    if not download:
        raise FileNotFoundError(how + " Or pass download=True to fetch it now.")
    import urllib.request

    tmp = path.with_suffix(".pth.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with urllib.request.urlopen(url, timeout=timeout) as r, open(tmp, "wb") as f:
            while chunk := r.read(1 << 20):
                f.write(chunk)
        os.replace(tmp, path)
    except Exception as e:
        tmp.unlink(missing_ok=True)
        raise FileNotFoundError(f"Downloading failed ({type(e).__name__}: {e}). {how}") from None
    return path


def load_official_cyclegan(name, download=False, image_size=None):
    """The authors' pretrained generator ``name`` (e.g. "apple2orange") as a
    Keras model, from the cache (see ``fetch_official_cyclegan``)."""
    return cyclegan_from_torch(fetch_official_cyclegan(name, download=download), image_size=image_size)


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
