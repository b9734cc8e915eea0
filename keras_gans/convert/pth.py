"""PyTorch ``.pth`` files read without torch: the one reader every converter uses.

    sd = kg.convert.read_torch_state_dict("RealESRGAN_x4plus.pth")   # {key: numpy array}

A ``torch.save`` file is a zip (torch >= 1.6) or a legacy pickle stream whose
tensors point at raw little-endian storages. The unpickler accepts only
``OrderedDict``, tensor and parameter rebuilds and storage types, so a file
cannot run code; anything else is a ``TorchFileError`` naming the file and
what was found.
"""

import io
import pickle
import struct
import zipfile
from collections import OrderedDict
from pathlib import Path

import numpy as np


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


def read_torch_file(path):
    """What ``torch.save`` wrote to ``path``, without torch: nested dicts,
    lists and tuples of numpy arrays and plain values.

    Reads the zip format (torch >= 1.6) and the legacy format. Raises
    ``TorchFileError`` (a ValueError) naming the file when it is truncated,
    corrupted or holds anything but tensors in containers.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"No such file: {path}")
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
        if head == b"PK\x03\x04" or zipfile.is_zipfile(path):
            return _read_zip(path)
        return _read_legacy(path)
    except TorchFileError:
        raise
    except (zipfile.BadZipFile, pickle.UnpicklingError, EOFError, struct.error, ValueError,
            IndexError, KeyError, TypeError, AttributeError, OSError) as e:
        raise TorchFileError(
            f"{path} is not a readable PyTorch state dict ({type(e).__name__}: {e}); the file is "
            "truncated or corrupted, or not a torch.save() file. Download it again."
        ) from None


def read_torch_state_dict(path, containers=("state_dict",)):
    """A ``torch.save``d state dict as ``{key: numpy array}``, without torch.

    ``containers``: keys under which a checkpoint may hold its state dict,
    the first one present wins (BasicSR / Real-ESRGAN files: ``("params_ema",
    "params")``); a file that is a state dict itself is read as it is.
    See ``read_torch_file`` for the formats and errors.
    """
    return state_dict_of(read_torch_file(path), Path(path).expanduser(), containers)


def state_dict_of(obj, where="the state dict", containers=("state_dict",)):
    """``obj`` (a state dict of torch tensors or numpy arrays, or a dict
    holding one under one of ``containers``; keys possibly prefixed
    ``module.`` by DataParallel) as ``{key: numpy array}``;
    ``TorchFileError`` naming ``where`` and what was found otherwise."""
    if isinstance(obj, dict):
        for key in containers:
            if isinstance(obj.get(key), dict):
                obj = obj[key]
                break
    if not isinstance(obj, dict) or not obj:
        raise TorchFileError(f"{where} does not hold a state dict (got {type(obj).__name__}).")
    out = OrderedDict()
    for key, value in obj.items():
        if not isinstance(key, str):
            raise TorchFileError(f"{where}: state dict key {key!r} is not a string.")
        if hasattr(value, "detach"):  # a torch tensor (state dict passed in memory)
            value = value.detach().cpu().numpy()
        if not isinstance(value, np.ndarray):
            hint = (f" It holds the dicts {sorted(k for k, v in obj.items() if isinstance(v, dict))}: pass "
                    "containers= naming the one to read." if any(isinstance(v, dict) for v in obj.values()) else "")
            raise TorchFileError(f"{where}: entry {key!r} is a {type(value).__name__}, not a tensor.{hint}")
        out[key[7:] if key.startswith("module.") else key] = value
    return out
