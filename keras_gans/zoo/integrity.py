"""What makes an entry trustworthy: its config's form and its weights' sha256."""

import difflib
import json
import warnings

from keras_gans.files import sha256_file
from keras_gans.zoo.discovery import CONFIG, WEIGHTS, entry_path

FORMAT = "keras_gans.zoo/1"
RESERVED = {"format", "name", "kind", "model", "weights"}  # written by zoo.save itself
CARD_FIELDS = {
    "title", "summary", "task", "architecture", "data", "licence", "preprocessing", "training",
    "metrics", "metric_notes", "evaluation", "results", "limits", "samples", "features_layer",
    "class_names",
}


class ZooIntegrityError(ValueError):
    """An entry's file is missing, truncated or does not match its sha256."""


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
    unknown = sorted(set(config) - RESERVED - CARD_FIELDS)
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
            f"(known: {sorted(RESERVED | CARD_FIELDS)}).",
            stacklevel=2,
        )
    return config


def verified_weights(folder, config):
    """The entry's weights file, after checking its size and sha256 against ``config``."""
    spec = config.get("weights") or {}
    file = folder / spec.get("file", WEIGHTS)
    if not file.is_file():
        raise ZooIntegrityError(f"Weights file missing: {file} (named in {folder / CONFIG}).")
    size = file.stat().st_size
    if "size" in spec and size != spec["size"]:
        raise ZooIntegrityError(
            f"Weights file {file} is {size} bytes, expected {spec['size']}: the file is "
            f"{'truncated' if size < spec['size'] else 'corrupted'}. {_restore_advice(file)}"
        )
    digest = sha256_file(file)
    if digest != spec.get("sha256"):
        raise ZooIntegrityError(
            f"Weights file {file} has sha256 {digest}, but {CONFIG} records "
            f"{spec.get('sha256')}: the file is corrupted or was replaced. {_restore_advice(file)} "
            "Never load weights that fail this check."
        )
    return file


def _restore_advice(file):
    from keras_gans.zoo.hub import cached_repo

    cached = cached_repo(file)
    if cached:
        spec, folder = cached
        return (
            f"It is the Hugging Face cache's copy of {spec}: delete {folder} and load the entry again "
            f"to download it anew (if the new copy fails too, the repository's weights do not match "
            f"its {CONFIG})."
        )
    return "Restore it (e.g. git checkout / git lfs pull) or re-run the entry's recipe."
