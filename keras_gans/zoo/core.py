"""Entry discovery, integrity checks, load and save."""

import contextlib
import copy
import difflib
import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import keras

from keras_gans.files import atomic_path, atomic_write_text, sha256_file

FORMAT = "keras_gans.zoo/1"
ENV_VAR = "KERAS_GANS_ZOO"
CONFIG = "config.json"
WEIGHTS = "model.weights.h5"
CARD = "MODEL_CARD.md"
_RESERVED = {"format", "name", "kind", "model", "weights"}
CARD_FIELDS = {
    "title", "summary", "task", "architecture", "data", "licence", "preprocessing", "training",
    "metrics", "metric_notes", "evaluation", "results", "limits", "samples", "features_layer",
    "class_names",
}


class UnknownEntryError(ValueError, KeyError):
    """No zoo entry of that name."""

    def __str__(self):
        return str(self.args[0]) if self.args else ""


class ZooIntegrityError(ValueError):
    """An entry's file is missing, truncated or does not match its sha256."""


HOME_VAR = "KERAS_GANS_HOME"


# ------------------------------------------------------------- discovery
def user_zoo():
    """The installed entries' folder: ``$KERAS_GANS_HOME/zoo``, by default
    ``~/.keras/keras_gans/zoo`` (filled by ``install`` / ``keras-gans zoo
    install``)."""
    home = os.environ.get(HOME_VAR) or os.path.join(os.environ.get("KERAS_HOME", "~/.keras"), "keras_gans")
    return Path(home).expanduser() / "zoo"


def search_paths():
    """Folders searched for entries, in order: ``$KERAS_GANS_ZOO``, the
    installed entries (``user_zoo()``), then the source checkout's ``zoo/``
    when keras_gans runs from a checkout."""
    paths = [Path(p).expanduser() for p in os.environ.get(ENV_VAR, "").split(os.pathsep) if p]
    paths.append(user_zoo())
    import keras_gans

    checkout = Path(keras_gans.__file__).resolve().parents[1] / "zoo"
    if checkout.is_dir():
        paths.append(checkout)
    return paths


def install(source, overwrite=False):
    """Copy zoo entries into ``user_zoo()`` so that ``load(name)`` finds
    them from any folder (e.g. after a non-editable ``pip install``).

    ``source``: an entry folder, or a folder of entries (a checkout's
    ``zoo/``: every sub-folder with a ``config.json``). Each entry's weights
    are sha256-checked before and after the copy; an entry already installed
    is replaced only with ``overwrite``. Returns the installed folders."""
    src = Path(source).expanduser()
    if not src.is_dir():
        raise FileNotFoundError(f"Cannot install {src}: not a folder (expected an entry folder or a zoo/ folder).")
    entries = [src] if (src / CONFIG).is_file() else sorted(p for p in src.iterdir() if (p / CONFIG).is_file())
    if not entries:
        raise FileNotFoundError(f"Cannot install {src}: it holds no {CONFIG}, and no sub-folder does.")
    dest_root = user_zoo()
    dest_root.mkdir(parents=True, exist_ok=True)
    done = []
    for entry in entries:
        config = load_config(entry)
        _verified_weights(entry, config)
        dst = dest_root / entry.name
        if dst.exists() and not overwrite:
            raise FileExistsError(f"{dst} is installed already; pass overwrite=True (CLI: --overwrite) to replace it.")
        tmp = Path(tempfile.mkdtemp(dir=dest_root, prefix=f".{entry.name}."))
        try:
            for f in entry.iterdir():
                if f.is_file():
                    shutil.copy2(f, tmp / f.name)
            _verified_weights(tmp, load_config(tmp))  # the copy is whole
            if dst.exists():
                shutil.rmtree(dst)
            os.replace(tmp, dst)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp)
        done.append(dst)
    return done


def _entries():
    found = {}
    for root in search_paths():
        if not root.is_dir():
            continue
        for sub in sorted(root.iterdir()):
            if (sub / CONFIG).is_file() and sub.name not in found:
                found[sub.name] = sub
    return found


def list_entries():
    """Sorted names of the entries found on the search path."""
    return sorted(_entries())


def _looks_like_path(s):
    return os.sep in s or (os.altsep and os.altsep in s) or s.startswith(".") or s.startswith("~")


def entry_path(name_or_path):
    """The folder of an entry given by name or by path."""
    if isinstance(name_or_path, os.PathLike) or _looks_like_path(str(name_or_path)):
        folder = Path(name_or_path).expanduser()
        if not (folder / CONFIG).is_file():
            raise FileNotFoundError(
                f"{folder} is not a zoo entry: it has no {CONFIG}. An entry folder holds "
                f"{CONFIG}, {WEIGHTS} and {CARD} (see keras_gans.zoo.save)."
            )
        return folder
    name = str(name_or_path)
    entries = _entries()
    if name in entries:
        return entries[name]
    if Path(name).is_dir() and (Path(name) / CONFIG).is_file():
        return Path(name)
    names = sorted(entries)
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.0)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    where = ", ".join(str(p) for p in search_paths())
    raise UnknownEntryError(
        f"Unknown zoo entry {name!r}.{hint} Valid names: {', '.join(names) or '(none found)'}. "
        f"Searched: {where}. Install entries with `keras-gans zoo install PATH` (an entry folder, or "
        f"the zoo/ folder of a keras_gans checkout) into {user_zoo()}, add folders with ${ENV_VAR}, "
        "or pass a path to an entry folder."
    )


def load_config(name_or_path):
    """An entry's ``config.json``, checked: a JSON object of this format with
    a ``model`` and a sha256-pinned ``weights`` section. Unknown top-level
    keys are kept (shown by ``info``) with a warning naming them."""
    folder = entry_path(name_or_path)
    file = folder / CONFIG
    try:
        config = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ZooIntegrityError(f"{file} is not valid JSON: {e}") from e
    if not isinstance(config, dict):
        raise ZooIntegrityError(
            f"{file} holds a JSON {type(config).__name__}; expected an object with the keys "
            f"'format', 'model' and 'weights' (see keras_gans.zoo.save)."
        )
    fmt = config.get("format")
    if not str(fmt or "").startswith("keras_gans.zoo/"):
        raise ZooIntegrityError(
            f"{file} is not a keras_gans zoo config (format {fmt!r}, expected {FORMAT!r})."
        )
    if fmt != FORMAT:
        raise ZooIntegrityError(
            f"{file} has format {fmt!r}; this keras_gans reads {FORMAT!r}. Upgrade keras_gans, or "
            "re-export the entry with this version's keras_gans.zoo.save."
        )
    unknown = sorted(set(config) - _RESERVED - CARD_FIELDS)
    missing = [k for k in ("model", "weights") if not isinstance(config.get(k), dict)]
    if missing:
        typos = {k: difflib.get_close_matches(k, unknown, n=1) for k in missing}
        hint = "".join(f" (is {v[0]!r} a misspelling of {k!r}?)" for k, v in typos.items() if v)
        raise ZooIntegrityError(
            f"{file} has no {' or '.join(repr(k) for k in missing)} section{hint}; an entry's config "
            "holds the model's Keras config under 'model' and the weights file with its sha256 "
            "under 'weights'."
        )
    if not config["weights"].get("sha256"):
        raise ZooIntegrityError(
            f"{file}: 'weights' records no sha256, so its weights cannot be verified; re-export the "
            "entry with keras_gans.zoo.save."
        )
    if unknown:
        warnings.warn(
            f"{file}: unknown key(s) {unknown} are kept as card fields and otherwise ignored "
            f"(known: {sorted(_RESERVED | CARD_FIELDS)}).",
            stacklevel=2,
        )
    return config


def info(name_or_path):
    """What an entry is: a dict with ``name``, ``path``, ``kind``, ``class``,
    ``task``, ``architecture``, ``data``, ``training`` (recipe, command,
    steps, hardware, wall time), ``metrics``, ``preprocessing``, ``files``
    ({name: bytes}) and ``sha256`` (of the weights), plus the card's other
    fields. Reads only the entry's config and file list."""
    folder = entry_path(name_or_path)
    config = load_config(folder)
    out = {k: copy.deepcopy(v) for k, v in config.items() if k != "model"}
    out["name"] = config.get("name", folder.name)
    out["path"] = str(folder)
    model = config.get("model", {})
    out["class"] = f"{model.get('module', '')}.{model.get('class_name', '')}".lstrip(".")
    out["sha256"] = config["weights"]["sha256"]
    out["files"] = {p.name: p.stat().st_size for p in sorted(folder.iterdir()) if p.is_file()}
    return out


# ----------------------------------------------------------------- load
def _verified_weights(folder, config):
    spec = config.get("weights") or {}
    file = folder / spec.get("file", WEIGHTS)
    if not file.is_file():
        raise ZooIntegrityError(f"Weights file missing: {file} (named in {folder / CONFIG}).")
    size = file.stat().st_size
    if "size" in spec and size != spec["size"]:
        raise ZooIntegrityError(
            f"Weights file {file} is {size} bytes, expected {spec['size']}: the file is "
            f"{'truncated' if size < spec['size'] else 'corrupted'}. Restore it (e.g. git checkout / "
            "git lfs pull) or re-run the entry's recipe."
        )
    digest = sha256_file(file)
    if digest != spec.get("sha256"):
        raise ZooIntegrityError(
            f"Weights file {file} has sha256 {digest}, but {CONFIG} records "
            f"{spec.get('sha256')}: the file is corrupted or was replaced. Restore it or re-run "
            "the entry's recipe (never load weights that fail this check)."
        )
    return file


def _copy_h5(src_file, dst_file, cast_from, cast_to):
    """Copy an h5 weights file, casting floating datasets of dtype
    ``cast_from`` to ``cast_to`` (a fresh file: no space left by deleted
    datasets)."""
    import h5py
    import numpy as np

    cast_from, cast_to = np.dtype(cast_from), np.dtype(cast_to)
    with h5py.File(src_file, "r") as src, h5py.File(dst_file, "w") as dst:

        def copy_group(s, d):
            for k, v in s.attrs.items():
                d.attrs[k] = v
            for key, item in s.items():
                if isinstance(item, h5py.Group):
                    copy_group(item, d.create_group(key))
                    continue
                data = item[()]
                if getattr(data, "dtype", None) == cast_from:
                    data = np.asarray(data).astype(cast_to)
                ds = d.create_dataset(key, data=data)
                for k, v in item.attrs.items():
                    ds.attrs[k] = v

        copy_group(src, dst)
    return Path(dst_file)


def _stored_shapes(file):
    """Sorted shapes of the variables in a Keras ``.weights.h5`` file."""
    import h5py

    shapes = []
    with h5py.File(file, "r") as f:
        def visit(name, item):
            if isinstance(item, h5py.Dataset) and name.rsplit("/", 2)[-2:-1] == ["vars"]:
                shapes.append(tuple(item.shape))
        f.visititems(visit)
    return sorted(shapes)


@contextlib.contextmanager
def _weights_to_be_loaded():
    """Build models without running their random initializers: every float
    weight is about to be overwritten by the entry's weights, and on JAX each
    initializer shape costs a separate XLA compilation (seconds per model).
    Non-float variables (seed states, counters) are initialized normally.
    Uses a private Keras hook; without it, models are built the usual way."""
    try:
        from keras.src.backend.common.variables import Variable
    except ImportError:  # pragma: no cover
        yield
        return
    original = Variable.__dict__.get("_initialize_with_initializer")
    if original is None:  # pragma: no cover
        yield
        return

    def zeros_instead(self, initializer):
        import numpy as np

        dtype = str(self._dtype)
        if "float" not in dtype or self._shape is None or any(d is None for d in self._shape):
            return original(self, initializer)
        self._initialize(self._convert_to_tensor(np.zeros(self._shape, dtype)))

    Variable._initialize_with_initializer = zeros_instead
    try:
        yield
    finally:
        Variable._initialize_with_initializer = original


def load(name_or_path):
    """The entry's model with its weights (sha256-checked).

    A game entry gives the game (``kg.GAN``, ``kg.ConditionalGAN``, ...) with
    generator and discriminator, ready for ``generate()``, or for
    ``compile(...)`` and ``fit(...)`` to fine-tune. A model entry (e.g. the
    ``lenet_mnist`` evaluator) gives the ``keras.Model``.

    The model comes uncompiled: compile it with your own optimizers (games:
    ``compile(g_optimizer=..., d_optimizer=...)``) to fine-tune.
    """
    folder = entry_path(name_or_path)
    config = load_config(folder)
    file = _verified_weights(folder, config)
    try:
        with _weights_to_be_loaded():
            # deserialize_keras_object consumes nested dicts: give it a copy
            model = keras.saving.deserialize_keras_object(copy.deepcopy(config["model"]))
    except (TypeError, ValueError, KeyError, AttributeError) as e:
        raise ZooIntegrityError(
            f"{folder / CONFIG}: its 'model' section does not rebuild a model ({type(e).__name__}: "
            f"{e}). The config was edited by hand or written by another keras_gans version."
        ) from e
    if not model.built:
        raise ZooIntegrityError(f"{folder / CONFIG}: the model was not built from its config.")
    dtype = (config.get("weights") or {}).get("dtype", "float32")
    # every stored variable must have a place in the model, and every trainable one must be stored
    # (state such as an image pool may legitimately be absent from the file)
    from collections import Counter

    stored = Counter(_stored_shapes(file))
    unplaced = stored - Counter(tuple(v.shape) for v in model.weights)
    unfilled = Counter(tuple(v.shape) for v in model.trainable_weights) - stored
    if unplaced or unfilled:
        raise ZooIntegrityError(
            f"{file} does not fit the architecture in {folder / CONFIG}: "
            + (f"it stores variables of shapes {sorted(unplaced)[:3]} the model does not have" if unplaced else "")
            + ("; " if unplaced and unfilled else "")
            + (f"the model's weights of shapes {sorted(unfilled)[:3]} are not in it" if unfilled else "")
            + ". The weights belong to another model: keep each entry's weights with the config they "
            "were saved with."
        )
    try:
        if dtype == "float32":
            model.load_weights(str(file))
        else:
            with tempfile.TemporaryDirectory() as tmp:
                tmp_file = _copy_h5(file, Path(tmp) / WEIGHTS, dtype, "float32")
                model.load_weights(str(tmp_file))
    except (ValueError, KeyError) as e:
        raise ZooIntegrityError(
            f"{file} does not fit the architecture in {folder / CONFIG} ({e}). The weights belong "
            "to another model: keep each entry's weights with the config they were saved with."
        ) from e
    return model


def load_any(spec, safe_mode=True):
    """A model from a zoo entry name or folder, or a ``.keras`` file
    (``keras.saving.load_model``, not compiled). ``safe_mode`` stays on unless
    you turn it off for a file you trust: a ``Lambda`` layer in a ``.keras``
    file runs arbitrary code when loaded."""
    path = Path(str(spec)).expanduser()
    if path.suffix == ".keras":
        if not path.is_file():
            raise FileNotFoundError(f"Model file {path} does not exist.")
        import keras_gans  # noqa: F401  (registers the keras_gans classes)

        try:
            return keras.saving.load_model(str(path), compile=False, safe_mode=safe_mode)
        except ValueError as e:
            if safe_mode and "safe_mode" in str(e):
                raise ValueError(
                    f"{path} holds a Lambda layer (or other Python code), which Keras' safe mode "
                    "refuses to load: loading it would run code stored in the file. If you trust "
                    "the file, load it with keras_gans.zoo.load_any(path, safe_mode=False) (CLI: "
                    "--unsafe-load), or keras.saving.load_model(path, safe_mode=False)."
                ) from e
            raise
    return load(str(spec))


def load_features(name_or_path):
    """A feature model from a classifier entry: its inputs to the layer named
    by ``features_layer`` in its config (e.g. "FD-LeNet" features)."""
    config = load_config(name_or_path)
    layer = config.get("features_layer")
    if not layer:
        raise ValueError(
            f"zoo entry {name_or_path!r} names no features_layer in its config; it cannot "
            "serve as a feature extractor."
        )
    model = load(name_or_path)
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    return keras.Model(inputs, model.get_layer(layer).output, name=f"{model.name}_features")


# ----------------------------------------------------------------- save
def _kind(model):
    from keras_gans.games.base import AdversarialGame

    if isinstance(model, AdversarialGame):
        return "game"
    if isinstance(model, keras.Model):
        return "model"
    raise TypeError(f"zoo.save() takes a keras_gans game or a keras.Model; got {type(model).__name__}.")


def _without_compile(config):
    """The serialized model without any ``compile_config`` (a zoo entry is
    loaded uncompiled: you compile it with your optimizers to fine-tune)."""
    if isinstance(config, dict):
        return {k: _without_compile(v) for k, v in config.items() if k != "compile_config"}
    if isinstance(config, list):
        return [_without_compile(v) for v in config]
    return config


def _uncompiled_copy(model):
    """The same architecture and weights without compile state (optimizer
    slots, metrics), so that the stored file holds the weights only."""
    config = _without_compile(keras.saving.serialize_keras_object(model))
    with _weights_to_be_loaded():
        clone = keras.saving.deserialize_keras_object(copy.deepcopy(config))
    src, dst = model.weights, clone.weights
    if len(src) != len(dst) or any(tuple(a.shape) != tuple(b.shape) for a, b in zip(src, dst)):
        raise ValueError(
            f"zoo.save: {type(model).__name__} rebuilt from its get_config() has different weights "
            f"({len(dst)} vs {len(src)}); its get_config()/from_config() must round-trip."
        )
    for a, b in zip(src, dst):
        b.assign(a.value)
    return config, clone


def save(model, path, card=None, weights_dtype="float32", overwrite=False, extra_files=()):
    """Write ``model`` as a zoo entry folder (config.json, model.weights.h5,
    MODEL_CARD.md).

    Args:
        model: a keras_gans game or a keras.Model (e.g. a classifier).
        path: the entry folder; its name is the entry's name.
        card: dict of card fields stored in config.json and rendered into
            MODEL_CARD.md: ``task``, ``architecture``, ``data``, ``licence``,
            ``summary``, ``preprocessing`` ({image_size, channels,
            value_range}), ``training`` ({recipe, command, steps, epochs,
            hardware, wall_time_s, ...}), ``metrics`` ({name: value}),
            ``evaluation`` ({command, ...}), ``limits`` (list of str),
            ``features_layer`` (classifiers).
        weights_dtype: "float32" or "float16" (halves the file; cast back to
            float32 on load).
        overwrite: replace an existing entry's config/weights/card.
        extra_files: files copied into the folder (e.g. the recipe).

    Returns the folder's Path.
    """
    kind = _kind(model)
    if weights_dtype not in ("float32", "float16"):
        raise ValueError(f"weights_dtype must be 'float32' or 'float16'; got {weights_dtype!r}.")
    card = dict(card or {})
    bad = _RESERVED & set(card)
    if bad:
        raise ValueError(f"card fields {sorted(bad)} are written by zoo.save itself; remove them.")
    json.dumps(card)  # fail early on non-JSON values
    folder = Path(path).expanduser()
    if (folder / CONFIG).exists() and not overwrite:
        raise FileExistsError(f"{folder} already holds a zoo entry; pass overwrite=True to replace it.")
    folder.mkdir(parents=True, exist_ok=True)
    weights = folder / WEIGHTS
    model_config, clean = _uncompiled_copy(model)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_file = Path(tmp) / WEIGHTS
        clean.save_weights(str(tmp_file))
        with atomic_path(weights) as tmp_weights:  # a kill leaves the old file or the new one
            _copy_h5(tmp_file, tmp_weights, "float32", weights_dtype)
    config = {
        "format": FORMAT,
        "name": folder.name,
        "kind": kind,
        **card,
        "model": model_config,
        "weights": {
            "file": WEIGHTS,
            "sha256": sha256_file(weights),
            "size": weights.stat().st_size,
            "dtype": weights_dtype,
        },
    }
    config.setdefault("metrics", {})
    for extra in extra_files:
        extra = Path(extra)
        if extra.resolve() != (folder / extra.name).resolve():
            shutil.copyfile(extra, folder / extra.name)
    write_config(folder, config)
    return folder


def write_config(folder, config, card=True):
    """Write ``config.json`` (and re-render MODEL_CARD.md) for an entry folder."""
    from keras_gans.zoo.card import render_card

    folder = Path(folder)
    atomic_write_text(folder / CONFIG, json.dumps(config, indent=1, sort_keys=False) + "\n")
    if card:
        atomic_write_text(folder / CARD, render_card(config))
