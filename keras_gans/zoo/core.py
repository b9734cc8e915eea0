"""Loading and saving entries (finding them: discovery.py; checking them:
integrity.py; installing them: install.py; their weight files: h5.py)."""

import copy
import json
import shutil
import tempfile
from pathlib import Path

import keras

from keras_gans.files import atomic_path, atomic_write_text, sha256_file
from keras_gans.zoo.discovery import CARD, CONFIG, WEIGHTS, entry_path
from keras_gans.zoo.h5 import copy_h5, stored_shapes, weights_to_be_loaded
from keras_gans.zoo.hub import is_hub_spec
from keras_gans.zoo.integrity import RESERVED, FORMAT, ZooIntegrityError, load_config, verified_weights


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
def load(name_or_path):
    """The entry's model with its weights (sha256-checked).

    ``name_or_path``: an entry's name, its folder, or
    ``hf://owner/name[@revision]`` for one in a Hugging Face hub repository
    (fetched into the hub's cache; see ``keras_gans.zoo.hub``).

    A game entry gives the game (``kg.GAN``, ``kg.ConditionalGAN``, ...) with
    generator and discriminator, ready for ``generate()``, or for
    ``compile(...)`` and ``fit(...)`` to fine-tune. A model entry (e.g. the
    ``lenet_mnist`` evaluator) gives the ``keras.Model``.

    The model comes uncompiled: compile it with your own optimizers (games:
    ``compile(g_optimizer=..., d_optimizer=...)``) to fine-tune.
    """
    folder = entry_path(name_or_path)
    config = load_config(folder)
    file = verified_weights(folder, config)
    try:
        with weights_to_be_loaded():
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

    stored = Counter(stored_shapes(file))
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
                tmp_file = copy_h5(file, Path(tmp) / WEIGHTS, dtype, "float32")
                model.load_weights(str(tmp_file))
    except (ValueError, KeyError) as e:
        raise ZooIntegrityError(
            f"{file} does not fit the architecture in {folder / CONFIG} ({e}). The weights belong "
            "to another model: keep each entry's weights with the config they were saved with."
        ) from e
    return model


def load_any(spec, safe_mode=True):
    """A model from a zoo entry (name, folder or ``hf://owner/name``), or a
    ``.keras`` file (``keras.saving.load_model``, not compiled). ``safe_mode``
    stays on unless you turn it off for a file you trust: a ``Lambda`` layer
    in a ``.keras`` file runs arbitrary code when loaded."""
    path = Path(str(spec)).expanduser()
    if path.suffix == ".keras" and not is_hub_spec(spec):
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
    with weights_to_be_loaded():
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
    bad = RESERVED & set(card)
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
            copy_h5(tmp_file, tmp_weights, "float32", weights_dtype)
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
