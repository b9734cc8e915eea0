"""Helpers shared by the zoo's recipe and evaluation scripts (``zoo/*/recipe.py``)."""

import json
import os
import platform
import subprocess
import sys
from pathlib import Path


def cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def usable_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        return os.cpu_count()


def gpus():
    """Names of the NVIDIA GPUs nvidia-smi reports (empty without one)."""
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True, text=True, timeout=20,
        )
        return [line.strip() for line in out.stdout.splitlines() if line.strip()] if out.returncode == 0 else []
    except (OSError, subprocess.SubprocessError):
        return []


def hardware():
    """A short description of the machine this runs on."""
    names = gpus()
    gpu = f"{len(names)} GPU ({', '.join(sorted(set(names)))})" if names else "no GPU"
    text = f"{usable_cores()}-core CPU ({cpu_name()}), {gpu}"
    try:
        niceness = os.nice(0)
    except OSError:  # pragma: no cover
        niceness = 0
    if niceness > 0:
        text += f"; run at nice {niceness}, sharing the CPU with other jobs"
    return text


def software():
    import importlib

    import keras

    from keras_gans import backend as kg_backend

    backend = kg_backend.name
    versions = {"python": platform.python_version(), "keras": keras.__version__}
    try:
        versions[backend] = importlib.import_module(backend).__version__
    except Exception:  # pragma: no cover
        pass
    return versions


RUN_CONTROL = {"--export-only": 0, "--no-export": 0, "--time-limit": 1, "--segment-note": 1}


def without_run_control(argv):
    """``argv`` without ``RUN_CONTROL`` flags (and their values)."""
    kept, skip = [], 0
    for a in argv:
        if skip:
            skip -= 1
            continue
        flag = a.split("=", 1)[0]
        if flag in RUN_CONTROL:
            skip = RUN_CONTROL[flag] if "=" not in a else 0
            continue
        kept.append(a)
    return kept


def command_line(training=False):
    """The command that is running, as one could type it again: with the
    Keras backend it runs on (``env KERAS_BACKEND=... python ...``).
    ``training``: without the flags that only steer this run
    (``--export-only``, ``--no-export``, ``--time-limit S``, ``--segment-note
    TEXT``): the command that trains the entry, for its card. Quoted as a
    shell would need it."""
    import shlex

    import keras

    argv = without_run_control(sys.argv) if training else list(sys.argv)
    return " ".join(["env", f"KERAS_BACKEND={keras.backend.backend()}", "python", shlex.join(argv)])


def run_record(recipe, out, **fields):
    """The card's ``training`` section, the same for every recipe: which
    recipe trained the entry (its path from the entry folder ``out``, and the
    commit that last changed it: the entries keep no copies), the command,
    the backend, ``fields`` (the recipe's own: steps, optimizer, wall time,
    seed, segments, ...), the hardware and the software."""
    import os

    import keras

    recipe = Path(recipe).resolve()
    return {
        "recipe": os.path.relpath(recipe, Path(out).resolve()),
        "recipe_commit": committed_at(recipe),
        "command": fields.pop("command", None) or command_line(training=True),
        "backend": keras.backend.backend(),
        **fields,
        "hardware": hardware(),
        "software": software(),
    }


def epoch_fields(args, history, steps, wall):
    """``run_record`` fields every epoch-scheduled recipe records (CycleGAN's,
    pix2pix's): the training command, ``epochs`` / ``decay_epochs`` /
    ``batch_size`` / ``seed`` from ``args``, the steps and epochs done, the
    last epoch's losses, the segments and the wall time."""
    segments = getattr(args, "segments", [])
    cpu = [seg.get("cpu_s") for seg in segments]
    return {
        "command": getattr(args, "training_command", None) or command_line(training=True),
        "epochs": args.epochs,
        "decay_epochs": args.decay_epochs,
        "steps": steps,
        "batch_size": args.batch_size,
        "final_epoch_losses": {k: round(float(v[-1]), 4) for k, v in history.items()},
        "epochs_done": round(steps / max(1, args.steps_per_epoch), 2),
        "segments": segments,
        "wall_time_s": round(wall, 1),
        # the process' CPU time over the segments, where every segment recorded it (from session 15 on)
        "cpu_time_s": round(sum(cpu), 1) if cpu and all(c is not None for c in cpu) else None,
        "seed": args.seed,
    }


def game_to_measure(entry, checkpoint, build):
    """What an evaluator measures: the game ``build()`` makes with the newest
    checkpoint of the run folder ``checkpoint`` (``restore_or_exit``), or,
    without one, the zoo entry ``entry``."""
    import keras

    import keras_gans as kg

    if not checkpoint:
        return kg.zoo.load(entry)
    game = build()
    game.compile(g_optimizer=keras.optimizers.Adam(), d_optimizer=keras.optimizers.Adam())  # a checkpoint holds both
    restore_or_exit(game, checkpoint)
    return game


def status_first(limits, line, prefixes):
    """A card's ``limits`` with the status ``line`` first and any older
    status line (one starting with one of ``prefixes``) dropped."""
    return [line, *(x for x in limits or [] if not str(x).startswith(tuple(prefixes)))]


def update_metrics(folder, metrics, evaluation, notes=None, extra=None):
    """Record measured metrics (and how they were measured) in an entry's
    config.json and re-render its MODEL_CARD.md; ``extra``: more config keys
    to set (e.g. ``{"samples": "samples.png"}``)."""
    from keras_gans.zoo.core import CONFIG, write_config

    folder = Path(folder)
    config = json.loads((folder / CONFIG).read_text())
    config["metrics"] = metrics
    config["evaluation"] = evaluation
    if notes:
        config["metric_notes"] = notes
    config.update(extra or {})
    write_config(folder, config)
    return config


class BestGenerator:
    """A ``keras.callbacks.Callback`` for GAN recipes: generator weight
    averaging (EMA, from a ``g_optimizer`` built with ``use_ema=True``) and
    checkpoint selection.

    Every ``every`` epochs from ``start`` on, the generator's EMA weights are
    scored with ``score_fn(game) -> (score, info)`` (lower is better; score
    on *training* data so held-out metrics stay clean), and the best set of
    generator weights is kept. ``restore(game)`` (call it after ``fit``) puts
    the best weights into the generator. With ``state_dir`` the selection
    (best weights, scores) is kept in ``state_dir/best_generator.npz`` so a
    resumed run goes on with it. Built lazily so this module stays
    importable without keras callbacks.
    """

    def __new__(cls, score_fn, every=2, start=10, state_dir=None):
        import keras
        import numpy as np
        from keras import ops

        state = Path(state_dir) / "best_generator.npz" if state_dir else None

        class _BestGenerator(keras.callbacks.Callback):
            def __init__(self):
                super().__init__()
                self.best = None
                self.history = []
                if state is not None and state.is_file():  # a resumed run keeps its selection
                    with np.load(state) as z:
                        meta = json.loads(str(z["meta"]))
                        weights = [z[f"w{i}"] for i in range(meta["n"])]
                    self.history = meta["history"]
                    if meta["best_epoch"] is not None:
                        self.best = (meta["best_score"], meta["best_epoch"], weights)

            def _persist(self):
                if state is None:
                    return
                from keras_gans.files import atomic_path

                b = self.best or (None, None, [])
                meta = {"n": len(b[2]), "best_score": b[0], "best_epoch": b[1], "history": self.history}
                state.parent.mkdir(parents=True, exist_ok=True)
                with atomic_path(state) as tmp:
                    with open(tmp, "wb") as f:
                        np.savez(f, meta=json.dumps(meta), **{f"w{i}": w for i, w in enumerate(b[2])})

            def on_epoch_end(self, epoch, logs=None):
                done = epoch + 1
                if done < start or (done - start) % every:
                    return
                game = self.model
                g = game.generator
                live = [ops.convert_to_numpy(v) for v in g.trainable_variables]
                game.g_optimizer.finalize_variable_values(g.trainable_variables)  # EMA -> weights
                score, info = score_fn(game)
                self.history.append({"epoch": done, "score": round(float(score), 4), **info})
                print(f"  [selection] epoch {done}: score {score:.3f} {info}", flush=True)
                if self.best is None or score < self.best[0]:
                    self.best = (float(score), done, [ops.convert_to_numpy(w) for w in g.weights])
                for v, value in zip(g.trainable_variables, live):
                    v.assign(value)
                self._persist()

            def restore(self, game):
                if self.best is None:
                    game.g_optimizer.finalize_variable_values(game.generator.trainable_variables)
                    return None
                for v, value in zip(game.generator.weights, self.best[2]):
                    v.assign(value)
                return {"selected_epoch": self.best[1], "selection_score": round(self.best[0], 4)}

        return _BestGenerator()


def committed_at(path):
    """The short commit of the last change to ``path`` (a folder, e.g. an
    entry a run starts from, or a file, e.g. a recipe), or None when it is
    not in a git checkout or has changes git has not committed (it is then
    no commit's)."""
    path = Path(path).resolve()
    where, spec = (path, ".") if path.is_dir() else (path.parent, path.name)
    git = lambda *a: subprocess.run(["git", "-C", str(where), *a], capture_output=True, text=True)  # noqa: E731
    status = git("status", "--porcelain", "--", spec)
    if status.returncode != 0 or status.stdout.strip():
        return None
    return git("log", "-1", "--format=%h", "--", spec).stdout.strip() or None


def record_start(run, entry, **extra):
    """Write ``run/init.json``: the zoo entry a run starts from (its commit,
    weights sha256, steps, wall time and training segments, which count in
    the card of what the run exports) and ``extra``; returns it."""
    import keras_gans as kg

    config = kg.zoo.load_config(entry)
    training = config.get("training", {})
    info = {
        "entry": str(entry),
        "commit": committed_at(kg.zoo.entry_path(entry)),  # None: not as any commit has it
        "sha256": config.get("weights", {}).get("sha256"),
        "steps": int(training.get("steps") or 0),
        "wall_s": float(training.get("wall_time_s") or 0.0),
        "segments": training.get("segments", []),
        **extra,
    }
    Path(run).mkdir(parents=True, exist_ok=True)
    (Path(run) / "init.json").write_text(json.dumps(info, indent=1))
    return info


def read_init(run):
    """``run/init.json`` (what a run started from: a recipe's warm start), or None."""
    path = Path(run) / "init.json"
    return json.loads(path.read_text()) if path.is_file() else None


def run_dir(entry, path=None):
    """A recipe's run folder (checkpoints, progress), outside the work tree:
    ``path`` or ``~/.cache/keras_gans/runs/<entry>``."""
    return Path(path).expanduser() if path else Path.home() / ".cache" / "keras_gans" / "runs" / entry


def add_resume_arguments(parser, default_run_dir=False):
    """--resume/--run-dir, --save-every, --time-limit for a recipe's parser."""
    parser.add_argument("--run-dir", "--resume", dest="run_dir", default=None, metavar="DIR",
                        help="kill-safe checkpoints in DIR/backup; a run that finds one there goes on from it"
                             + (" (default ~/.cache/keras_gans/runs/<entry>)" if default_run_dir else ""))
    parser.add_argument("--save-every", type=int, default=100, help="checkpoint every N steps")
    parser.add_argument("--time-limit", type=float, default=None,
                        help="seconds: stop cleanly (checkpoint written) before then")


def training_callbacks(folder, save_every, time_limit=None, every_s=60.0, total_steps=None):
    """The callbacks every long recipe uses: a stop on NaN, kill-safe
    checkpoints in ``folder/backup`` every ``save_every`` steps (kept after
    the run, so it can be continued; none when ``folder`` is None), a clean
    stop ``time_limit`` seconds from now or on SIGTERM, and a progress line
    at least every minute."""
    import keras_gans as kg

    cbs = [kg.callbacks.TerminateOnNaN()]  # first: a NaN step stops before anything is saved
    if folder is not None:
        cbs.append(
            kg.callbacks.BackupAndRestore(Path(folder) / "backup", save_freq=save_every, delete_checkpoint=False)
        )
    import signal

    # a clean stop before the time limit, or on SIGTERM (`kill PID`): checkpoint written, segment recorded
    cbs.append(kg.callbacks.TimeLimit(seconds=time_limit or 10.0**9, stop_signals=(signal.SIGTERM,)))
    cbs.append(kg.callbacks.ProgressLog(every=every_s, total_steps=total_steps))
    return cbs


def add_export_arguments(parser):
    """--no-export and --export-only for a recipe's parser."""
    parser.add_argument("--no-export", action="store_true", help="train only; do not write the zoo entry")
    parser.add_argument("--export-only", action="store_true",
                        help="write the zoo entry from the run folder's newest checkpoint, without training")


def restore_or_exit(game, run, what="--checkpoint"):
    """``game`` restored from the newest checkpoint in ``run/backup`` (its
    metadata returned and named on stdout); SystemExit naming the folder
    (and ``what`` asked for it) when there is none."""
    import keras_gans as kg

    meta = kg.checkpoint.restore(game, Path(run) / "backup")
    if meta is None:
        raise SystemExit(f"{what}: no checkpoint in {Path(run) / 'backup'}.")
    print(f"checkpoint {meta['path']}: epoch {meta['epoch']} step {meta['step']}", flush=True)
    return meta


def restore_for_export(game, run):
    """``--export-only``: ``game`` restored from the newest checkpoint in
    ``run/backup`` (``restore_or_exit``); returns an empty
    ``keras.callbacks.History`` (no losses of this session for the card)."""
    import keras

    restore_or_exit(game, run, "--export-only")
    hist = keras.callbacks.History()
    hist.history = {}
    return hist


def add_distribute_argument(parser):
    parser.add_argument(
        "--distribute", choices=("none", "data-parallel"), default="none",
        help="data-parallel: each batch split over every device (JAX: keras.distribution.DataParallel; "
             "TensorFlow: tf.distribute.MirroredStrategy; torch: refused, see README), recorded per segment",
    )


def distribution(args):
    """``(scope, record)`` for ``--distribute``: build and compile the game in
    ``with scope():``; ``record`` (``{"distribution": ..., "devices": ...}``,
    or {} for one device) goes into the run's segment. A distribution the
    user set with ``keras.distribution.set_distribution`` is recorded too."""
    import contextlib

    import keras

    from keras_gans import backend

    if getattr(args, "distribute", "none") == "none":
        current = keras.distribution.distribution() if keras.backend.backend() == "jax" else None
        return contextlib.nullcontext, ({"distribution": type(current).__name__} if current else {})
    try:
        return backend.data_parallel(args.batch_size)
    except ValueError as e:
        raise SystemExit(f"--distribute {args.distribute}: {e}") from None


class RunLog:
    """Wall time (and, since 2026-12-07, ``cpu_s``: the process' CPU time,
    all threads) and steps of every session a run was trained in, kept in
    ``folder/segments.json`` (so a card can state the cumulative cost: at
    nice 19 beside other work the wall time overstates it)."""

    def __init__(self, folder):
        self.path = Path(folder) / "segments.json"
        self.segments = json.loads(self.path.read_text()) if self.path.is_file() else []

    def add(self, steps_from, steps_to, wall_s, **extra):
        import keras

        self.segments.append({
            "steps_from": int(steps_from), "steps_to": int(steps_to), "wall_s": round(float(wall_s), 1),
            "cpu": cpu_name(), "cores": usable_cores(), "backend": keras.backend.backend(),
            "command": command_line(), **extra,
        })
        from keras_gans.files import atomic_write_text

        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.path, json.dumps(self.segments, indent=1))

    def fit(self, game, data, callbacks, record=None, **fit_kwargs):
        """``game.fit(data, callbacks=callbacks, verbose=0, **fit_kwargs)``,
        then one segment: from the step its ``BackupAndRestore`` (among
        ``callbacks``) resumed at (epochs of ``steps_per_epoch`` batches, else
        of ``len(data)``) to the game's step now, with the wall time and
        ``record`` (e.g. the distribution). Returns the History."""
        import time

        import keras

        t0, c0 = time.time(), time.process_time()
        hist = game.fit(data, callbacks=callbacks, verbose=0, **fit_kwargs)
        wall = time.time() - t0
        record = {"cpu_s": round(time.process_time() - c0, 1), **(record or {})}
        steps = int(keras.ops.convert_to_numpy(game.g_optimizer.iterations))
        restored = next(c for c in callbacks if hasattr(c, "restore_into")).restored
        epoch_steps = fit_kwargs.get("steps_per_epoch") or len(data)
        start = int(restored["epoch"]) * epoch_steps + int(restored["step"]) if restored else 0
        self.add(start, steps, wall, **record)
        return hist

    def training_command(self):
        """The command of the newest training segment (None before any)."""
        import shlex

        cmds = [s.get("command") for s in self.segments if s.get("command")]
        return shlex.join(without_run_control(shlex.split(cmds[-1]))) if cmds else None

    @property
    def wall_s(self):
        return sum(s["wall_s"] for s in self.segments)
