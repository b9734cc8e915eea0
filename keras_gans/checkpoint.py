"""Training checkpoints: everything that decides a game's next step, in one file.

A checkpoint holds, in a fixed order,

- every variable of the model (``model.variables``): both players' weights,
  batch-norm statistics, spectral-norm vectors, the CycleGAN image pools and
  their fill counts, and the state of every ``keras.random.SeedGenerator``;
- every optimizer variable (``model.optimizer.variables``: for a game, both
  optimizers): moments, iteration counts (which also drive learning-rate
  schedules and instance-noise decay) and the EMA copies of ``use_ema``;
- the metric accumulators (so a resumed epoch logs the same running means);
- where training stood: the epoch and the step inside it.

Files: ``ckpt-NNNNNN.h5`` (the values, HDF5, backend-neutral) and
``ckpt-NNNNNN.json`` (where training stood, the variables' paths and shapes,
and the sha256 of the ``.h5``). Both are written atomically (temporary name,
fsync, rename) and the ``.json`` last, so it marks a complete checkpoint. The
newest ``keep`` checkpoints are kept; a checkpoint whose ``.h5`` is missing,
truncated or altered is reported by name and the previous one is used.

The values are plain arrays: a checkpoint written on one backend resumes on
another (random streams differ between backends, so the run then continues
with another, equally valid, sequence of noise).
"""

import json
import re
import warnings
from pathlib import Path

import keras
import numpy as np

from keras_gans.files import atomic_path, atomic_write_text, sha256_file

FORMAT = "keras_gans.checkpoint/1"
_NAME = re.compile(r"^ckpt-(\d{6,})\.json$")


class CheckpointError(RuntimeError):
    """A checkpoint cannot be used: corrupt, or written for another model."""


def _optimizer_variables(model):
    opt = getattr(model, "optimizer", None)
    return list(opt.variables) if opt is not None else []


def state_variables(model):
    """``[(group, variable)]``: every variable a checkpoint holds, in order."""
    out = [("model", v) for v in model.variables]
    out += [("optimizer", v) for v in _optimizer_variables(model)]
    out += [("metrics", v) for v in model.metrics_variables]
    return out


def _describe(model):
    return [
        {"group": g, "path": v.path, "shape": list(v.shape), "dtype": keras.backend.standardize_dtype(v.dtype)}
        for g, v in state_variables(model)
    ]


def _to_storable(value):
    a = np.asarray(keras.ops.convert_to_numpy(value))
    if a.dtype.kind not in "biuf" or a.dtype.itemsize == 2 and a.dtype != np.float16:
        a = a.astype(np.float32)  # bfloat16 and friends: h5py has no type for them
    return a


def first_nonfinite(model):
    """The path of the first model or optimizer variable holding NaN or inf,
    else None."""
    for group, v in state_variables(model):
        if group == "metrics":
            continue
        dtype = keras.backend.standardize_dtype(v.dtype)
        if "float" in dtype and not bool(np.isfinite(np.asarray(keras.ops.convert_to_numpy(v), np.float32)).all()):
            return v.path
    return None


def list_checkpoints(folder):
    """``[(index, json path)]`` of the checkpoints in ``folder``, newest first."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = []
    for p in folder.iterdir():
        m = _NAME.match(p.name)
        if m:
            found.append((int(m.group(1)), p))
    return sorted(found, reverse=True)


def save(model, folder, position, keep=2):
    """Write a checkpoint of ``model`` to ``folder``; ``position`` is a dict
    (``epoch``, ``step``, ...) recording where training stands. Returns the
    path of the ``.json``. Older checkpoints beyond ``keep`` are removed."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    existing = list_checkpoints(folder)
    index = existing[0][0] + 1 if existing else 1
    stem = f"ckpt-{index:06d}"
    import h5py

    with atomic_path(folder / f"{stem}.h5") as tmp:
        with h5py.File(tmp, "w") as f:
            g = f.create_group("values")
            for i, (_, v) in enumerate(state_variables(model)):
                g.create_dataset(f"{i:06d}", data=_to_storable(v))
    meta = {
        "format": FORMAT,
        "index": index,
        "file": f"{stem}.h5",
        "sha256": sha256_file(folder / f"{stem}.h5"),
        "model_class": type(model).__name__,
        "backend": keras.backend.backend(),
        **position,
        "variables": _describe(model),
    }
    atomic_write_text(folder / f"{stem}.json", json.dumps(meta, indent=1))
    for old_index, old_json in list_checkpoints(folder)[max(1, keep):]:
        old_json.unlink(missing_ok=True)
        (folder / f"ckpt-{old_index:06d}.h5").unlink(missing_ok=True)
    return folder / f"{stem}.json"


def _read_valid(json_path):
    """(meta, values) of one checkpoint, or raise CheckpointError saying why."""
    try:
        meta = json.loads(Path(json_path).read_text())
    except (OSError, ValueError) as e:
        raise CheckpointError(f"{json_path}: unreadable ({e}).") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{json_path}: not a keras_gans checkpoint (format {FORMAT!r} expected).")
    h5_path = Path(json_path).parent / meta.get("file", "")
    if not h5_path.is_file():
        raise CheckpointError(f"{h5_path}: missing (named by {json_path.name}).")
    digest = sha256_file(h5_path)
    if digest != meta.get("sha256"):
        raise CheckpointError(
            f"{h5_path}: sha256 {digest[:12]}... does not match {meta.get('sha256', '')[:12]}... recorded "
            "when it was written: the file is truncated or corrupted."
        )
    import h5py

    try:
        with h5py.File(h5_path, "r") as f:
            g = f["values"]
            values = [g[k][()] for k in sorted(g.keys())]
    except (OSError, KeyError) as e:
        raise CheckpointError(f"{h5_path}: cannot be read ({e}).") from None
    return meta, values


def _is_learning_rate(entry):
    return entry["group"] == "optimizer" and entry["path"].rsplit("/", 1)[-1] == "learning_rate"


def _pairs(model, meta, path):
    """``[(our index, their index)]``: which stored value goes into which variable.

    Positional, as written. The one difference allowed is the optimizers'
    ``learning_rate`` variable: an optimizer compiled with a constant rate has
    one, an optimizer compiled with a schedule has none. When the two sides
    differ only there (a run resumed with a new learning-rate schedule), the
    stored rates are not restored: the rate is the new compile()'s."""
    ours = _describe(model)
    theirs = meta.get("variables", [])
    where = f"checkpoint {path} (written by {meta.get('model_class')} on {meta.get('backend')})"
    our_idx, their_idx = list(range(len(ours))), list(range(len(theirs)))
    if len(ours) != len(theirs):
        our_idx = [i for i in our_idx if not _is_learning_rate(ours[i])]
        their_idx = [i for i in their_idx if not _is_learning_rate(theirs[i])]
    if len(our_idx) != len(their_idx):
        raise CheckpointError(
            f"{where} holds {len(theirs)} variables; this {type(model).__name__} has {len(ours)}. "
            "It was written for another game or architecture (or another compile()): resume with the "
            "same model and optimizers, or point backup_dir at a new folder."
        )
    for i, j in zip(our_idx, their_idx):
        a, b = ours[i], theirs[j]
        if a["shape"] != b["shape"] or a["group"] != b["group"]:
            raise CheckpointError(
                f"{where} does not fit this {type(model).__name__}: its {b['group']} variable "
                f"{b['path']!r} has shape {tuple(b['shape'])}, ours {a['path']!r} has shape "
                f"{tuple(a['shape'])}. It was written for another architecture or image size."
            )
    return list(zip(our_idx, their_idx))


def restore(model, folder):
    """Load the newest valid checkpoint of ``folder`` into ``model``.

    Returns its metadata (``epoch``, ``step``, ...), or None when the folder
    holds no checkpoint. A corrupt checkpoint is reported (warning naming the
    file) and the previous one is used; when checkpoints exist but none is
    usable, ``CheckpointError`` is raised: training never silently starts
    over. A checkpoint of another model raises ``CheckpointError``."""
    found = list_checkpoints(folder)
    if not found:
        return None
    problems = []
    for _, json_path in found:
        try:
            meta, values = _read_valid(json_path)
        except CheckpointError as e:
            problems.append(str(e))
            warnings.warn(f"Skipping a bad checkpoint: {e}", stacklevel=2)
            continue
        pairs = _pairs(model, meta, json_path)
        variables = state_variables(model)
        for i, j in pairs:
            v, value = variables[i][1], values[j]
            dtype = keras.backend.standardize_dtype(v.dtype)
            v.assign(np.asarray(value).astype(dtype) if dtype != "bfloat16" else value)
        meta["path"] = str(json_path)
        meta["skipped"] = problems
        return meta
    raise CheckpointError(
        f"{folder} holds {len(found)} checkpoint(s) and none can be used:\n  - "
        + "\n  - ".join(problems)
        + "\nTraining was not restarted from scratch. Move the folder away to start over."
    )


__all__ = ["CheckpointError", "FORMAT", "list_checkpoints", "restore", "save", "state_variables"]
