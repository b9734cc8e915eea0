"""Keras callbacks for GAN training.

    gan.fit(x, epochs=50, callbacks=[kg.callbacks.SampleGrid("samples", n=64, every=5)])
    gan.fit(x, epochs=50, callbacks=[kg.callbacks.BackupAndRestore("run/backup", save_freq=100)])
"""

import math
import shutil
import time
import warnings
from pathlib import Path

import keras
import numpy as np


class SampleGrid(keras.callbacks.Callback):
    """Write a PNG grid of the game's work on fixed inputs every ``every``
    epochs (and after the last one) to ``folder/epoch_XXXX.png``; the kind
    of grid follows what the game can do:

    - ``generate``: ``model.generate(n, seed=seed)`` (the same seed each
      time, so one set of latent vectors is seen evolving); for a
      conditional game ``labels`` (an int or one per sample), by default
      cycling through the classes;
    - ``upscale`` (``inputs=(lr, hr)``, uint8): rows [bicubic | output | HR];
    - ``translate`` (``inputs=`` a uint8 batch): rows [input | output];
      with ``inputs=(inputs, targets)`` (pix2pix's pairs): rows [input |
      output | target], a game with translate modes drawing its noise from
      ``seed``.

    ``value_range`` maps generator outputs to pixels ([-1, 1] for tanh
    generators). ``keras-gans train`` writes its samples with it.
    """

    def __init__(self, folder, n=64, every=1, seed=0, labels=None, value_range=(-1.0, 1.0), columns=None,
                 inputs=None):
        super().__init__()
        for what, v in (("n", n), ("every", every)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"SampleGrid: `{what}` must be an int >= 1; got {v!r}.")
        self.folder = Path(folder)
        self.n, self.every, self.seed = n, every, seed
        self.labels, self.value_range, self.columns = labels, tuple(value_range), columns
        self.inputs = inputs
        self.written = []

    def _generate(self):
        m = self.model
        if getattr(m, "num_classes", None):
            labels = self.labels if self.labels is not None else np.arange(self.n) % m.num_classes
            return m.generate(self.n, labels=labels, seed=self.seed)
        return m.generate(self.n, seed=self.seed)

    def _grid(self):
        """``(cells in value_range, columns)`` of the game's kind."""
        m = self.model
        if self.inputs is None:
            if not hasattr(m, "generate"):
                raise TypeError(f"SampleGrid: {type(m).__name__} has no generate(); pass inputs= (uint8 images "
                                "to translate, or (lr, hr) pairs to upscale).")
            return self._generate(), self.columns
        if hasattr(m, "upscale"):
            from PIL import Image

            lr, hr = (np.asarray(a)[: self.n] for a in self.inputs)
            size = (hr.shape[2], hr.shape[1])
            up = np.stack([np.asarray(Image.fromarray(im).resize(size, Image.BICUBIC)) for im in lr])
            rows = [up, m.upscale(lr), hr]
        elif hasattr(m, "translate"):
            pairs = isinstance(self.inputs, (tuple, list)) and len(self.inputs) == 2 and np.ndim(self.inputs[0]) == 4
            x = np.asarray(self.inputs[0] if pairs else self.inputs)[: self.n]
            # a game with translate modes (pix2pix: dropout noise in its default mode) draws from the seed
            out = m.translate(x, seed=self.seed) if getattr(m, "translate_mode", None) else m.translate(x)
            rows = [x, out] + ([np.asarray(self.inputs[1])[: self.n]] if pairs else [])
        else:
            raise TypeError(f"SampleGrid: inputs= given, but {type(m).__name__} has neither upscale() nor "
                            "translate().")
        cells = np.stack([r[i] for i in range(len(rows[0])) for r in rows])
        lo, hi = self.value_range
        return cells.astype(np.float32) / 255.0 * (hi - lo) + lo, len(rows)

    def write(self, name):
        from PIL import Image

        from keras_gans.files import atomic_path
        from keras_gans.images import make_grid

        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{name}.png"
        cells, columns = self._grid()
        with atomic_path(path) as tmp:  # a kill never leaves a truncated PNG
            Image.fromarray(make_grid(cells, self.value_range, columns)).save(tmp, format="PNG")
        self.written.append(path)
        return path

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            self.write(f"epoch_{epoch + 1:04d}")

    def on_train_end(self, logs=None):
        last = self.folder / f"epoch_{self.params.get('epochs', 0):04d}.png" if self.params else None
        if last is None or last not in self.written:
            self.write("final")


class BackupAndRestore(keras.callbacks.Callback):
    """Kill-safe training: ``keras.callbacks.BackupAndRestore``'s interface,
    with everything a game needs to resume exactly.

        cb = kg.callbacks.BackupAndRestore("run/backup", save_freq=100)
        gan.fit(x, epochs=50, callbacks=[cb])    # killed at any instant...
        gan.fit(x, epochs=50, callbacks=[cb])    # ...the same call goes on where it stopped

    Why not Keras' own: it saves ``model.save_weights()`` (which leaves out
    the seed generators' state) and the epoch number only, resumes at the
    start of the epoch (re-training the batches of an interrupted epoch and
    drawing other noise for them), and overwrites its file in place, so a
    kill while writing destroys the only checkpoint. This one saves every
    variable that decides the next step (``kg.checkpoint``: both players,
    both optimizers with their EMA copies and iteration counts, batch-norm
    and spectral-norm state, image pools, RNG state, metric accumulators) and
    the position inside the epoch, atomically, keeping the previous
    checkpoint; a game's ``fit`` resumes mid-epoch by skipping the batches
    already trained on, so a resumed run equals an uninterrupted one. That
    needs data whose batches are a function of (epoch, index): numpy arrays
    (``fit`` then shuffles them per epoch from the game's seed) or a
    ``PyDataset`` with ``set_epoch(epoch)``; other data (``tf.data``, a torch
    ``DataLoader``, generators) resume at the restored state but replay the
    interrupted epoch from its first batch (with a warning).

    Args:
        backup_dir: folder of this run's checkpoints (not shared with others).
        save_freq: "epoch", or an int: save every that many batches (and at
            the end of ``fit`` when it stopped early).
        double_checkpoint: keep the previous checkpoint too (default True):
            a corrupt newest one is reported and the previous one used.
        delete_checkpoint: delete ``backup_dir`` once ``fit`` has run all its
            epochs (Keras' default). A run stopped by ``TimeLimit`` keeps it.
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=True, delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("BackupAndRestore: backup_dir must be a folder path; got an empty value.")
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 1):
            raise ValueError(f"BackupAndRestore: save_freq must be 'epoch' or an int >= 1; got {save_freq!r}.")
        self.backup_dir = Path(backup_dir)
        self.save_freq = save_freq
        self.keep = 2 if double_checkpoint else 1
        self.delete_checkpoint = delete_checkpoint
        self.restored = None  # metadata of the checkpoint restored, if any
        self.refused = None  # the variable that held NaN/inf when a save was refused
        self._metric_values = None
        self._restored_by_fit = False
        self._final_phase = True
        self._offset = 0
        self._epoch, self._step, self._since_save = 0, 0, 0
        self.steps_per_epoch = None

    # called by AdversarialGame.fit before it builds its data iterator
    def restore_into(self, model):
        """Load the newest valid checkpoint into ``model``; returns its
        ``(epoch, step)`` or None when there is none."""
        from keras_gans import checkpoint

        self.restored = checkpoint.restore(model, self.backup_dir)
        self._restored_by_fit = True
        if self.restored is None:
            return None
        # Keras resets the metrics when an epoch begins; a resumed epoch
        # puts its running means back (on_epoch_begin)
        self._metric_values = [keras.ops.convert_to_numpy(v) for v in model.metrics_variables]
        epoch, step = int(self.restored["epoch"]), int(self.restored["step"])
        spe = self.restored.get("steps_per_epoch")
        if spe and step >= spe:
            epoch, step = epoch + 1, 0
        return epoch, step

    def begin_phase(self, offset, final=True):
        """Called by a game's ``fit`` before each of its inner Keras fits: the
        first one may finish an interrupted epoch from batch ``offset``;
        only the ``final`` one may delete the checkpoints when done."""
        self._offset, self._final_phase = int(offset), bool(final)

    def on_train_begin(self, logs=None):
        if not self._restored_by_fit:  # a plain keras.Model: epoch-level resume
            point = self.restore_into(self.model)
            if point is not None:
                self.model._initial_epoch = point[0] + (1 if point[1] else 0)
        steps = (self.params or {}).get("steps")
        # during a resumed epoch fit() sees only its remaining batches
        self.steps_per_epoch = None if steps is None else steps + self._offset

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch, self._step = epoch, self._offset
        if self._offset and self._metric_values is not None:
            for v, value in zip(self.model.metrics_variables, self._metric_values):
                v.assign(value)
        self._metric_values = None

    def on_train_batch_end(self, batch, logs=None):
        self._step = self._offset + batch + 1
        self._since_save += 1
        if self.save_freq != "epoch" and self._since_save >= self.save_freq:
            self.save()

    def on_epoch_end(self, epoch, logs=None):
        spe = self.steps_per_epoch
        if spe is not None and self._step < spe:  # fit stopped mid-epoch (TimeLimit)
            return
        self._offset = 0
        self._epoch, self._step = epoch + 1, 0
        if self.save_freq == "epoch":
            self.save()

    def save(self):
        """Write a checkpoint of the model now; a model holding NaN or inf is
        not written (the previous good checkpoint stays) and is reported."""
        from keras_gans import checkpoint

        bad = checkpoint.first_nonfinite(self.model)
        if bad is not None:
            self.refused = bad
            warnings.warn(
                f"BackupAndRestore: not saving epoch {self._epoch + 1} batch {self._step}: {bad} holds NaN/inf; "
                f"the last good checkpoint in {self.backup_dir} is kept.",
                stacklevel=2,
            )
            return

        checkpoint.save(
            self.model,
            self.backup_dir,
            {"epoch": self._epoch, "step": self._step, "steps_per_epoch": self.steps_per_epoch},
            keep=self.keep,
        )
        self._since_save = 0

    def on_train_end(self, logs=None):
        if getattr(self.model, "stopped_by_time_limit", False):
            if self._since_save:
                self.save()
        elif not self._final_phase:
            return
        elif self.refused is not None or self._step or self._epoch < (self.params or {}).get("epochs", self._epoch):
            pass  # stopped early (NaN, an exception, EarlyStopping mid-run): keep the checkpoints
        elif self.delete_checkpoint and self.backup_dir.exists():
            shutil.rmtree(self.backup_dir)
        self._restored_by_fit = False


class TerminateOnNaN(keras.callbacks.Callback):
    """Stop ``fit`` after the batch whose logs hold a NaN or inf, naming the
    loss and the step. (Keras' ``TerminateOnNaN`` reads ``logs["loss"]``,
    which a game does not log: it logs one loss per player.) With a
    ``BackupAndRestore``, the last good checkpoint stays: a model holding
    NaN is never saved."""

    def __init__(self):
        super().__init__()
        self.stopped = None  # (loss name, step, epoch) once fired
        self._step = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        self._step += 1
        for name, value in (logs or {}).items():
            if np.ndim(value) == 0 and not math.isfinite(float(value)):
                self.stopped = (name, self._step, self._epoch + 1)
                self.model.stop_training = True
                warnings.warn(
                    f"TerminateOnNaN: `{name}` became {float(value)} at step {self._step} of this fit "
                    f"(epoch {self._epoch + 1}, batch {batch + 1}); training stopped. Check the data for "
                    "NaN/inf and the learning rate.",
                    stacklevel=2,
                )
                return


class TimeLimit(keras.callbacks.Callback):
    """Stop ``fit`` cleanly before a deadline: after the batch during which
    less than ``margin`` x (the slowest batch so far) is left. With a
    ``BackupAndRestore`` in the same ``fit``, a checkpoint is written as it
    stops and kept, so the same command resumes later.

    Args:
        seconds: time budget from the first ``on_train_begin`` (a resumed
            game's ``fit`` runs Keras' fit twice: the interrupted epoch's
            rest, then the other epochs; the budget spans both); or
            ``deadline`` (a ``time.time()`` value).
        stop_signals: signals (e.g. ``(signal.SIGTERM,)``) that stop ``fit``
            the same clean way after the batch in progress (``kill PID`` ends
            a background run with its checkpoint written); the handlers are
            installed for the ``fit`` only (from the main thread).
    """

    def __init__(self, seconds=None, deadline=None, margin=2.0, stop_signals=()):
        super().__init__()
        self.stop_signals, self._previous, self._signalled = tuple(stop_signals), {}, None
        if (seconds is None) == (deadline is None):
            raise ValueError("TimeLimit: pass exactly one of seconds= or deadline=.")
        if seconds is not None and not (isinstance(seconds, (int, float)) and seconds > 0):
            raise ValueError(f"TimeLimit: seconds must be a positive number; got {seconds!r}.")
        self.seconds, self.deadline, self.margin = seconds, deadline, float(margin)
        self.reached = False

    def on_train_begin(self, logs=None):
        if self.deadline is None:  # once: a later phase of the same fit must not restart the clock
            self.deadline = time.time() + self.seconds
        self._t = time.time()
        self._slowest = 0.0
        self.model.stopped_by_time_limit = False
        import signal
        import threading

        if self.stop_signals and threading.current_thread() is threading.main_thread():
            for sig in self.stop_signals:
                self._previous[sig] = signal.signal(sig, self._on_signal)

    def _on_signal(self, signum, frame):
        self._signalled = signum

    def on_train_end(self, logs=None):
        import signal

        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous = {}

    def on_train_batch_end(self, batch, logs=None):
        now = time.time()
        self._slowest = max(self._slowest, now - self._t)
        self._t = now
        if self._signalled is not None or now + self.margin * self._slowest >= self.deadline:
            self.reached = True
            self.model.stopped_by_time_limit = True
            self.model.stop_training = True


class StopAtStep(keras.callbacks.Callback):
    """Stop ``fit`` after its ``steps``-th batch, counted across resumes (a
    game's ``fit`` resumed by ``BackupAndRestore`` counts on from the step it
    resumed at): a run of a set number of steps that is not a whole number
    of epochs."""

    def __init__(self, steps):
        super().__init__()
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
            raise ValueError(f"StopAtStep: steps must be a positive int; got {steps!r}.")
        self.steps, self.step = steps, None

    def on_train_begin(self, logs=None):
        if self.step is None:  # first fit phase only (a resumed game's fit has two)
            self.step = int(getattr(self.model, "resumed_from_step", 0) or 0)
        if self.step >= self.steps:
            self.model.stop_training = True

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        if self.step >= self.steps:
            self.model.stop_training = True


class ProgressLog(keras.callbacks.Callback):
    """One line at most every ``every`` seconds (and at each epoch end):
    global step, epoch, the logs, steps/s and the ETA of this ``fit``.
    ``total_steps``: for the ETA when ``fit`` does not know its length.
    ``start_step``: the first step's number; by default the step a game's
    ``fit`` resumed from (``BackupAndRestore``), else 0."""

    def __init__(self, every=60.0, total_steps=None, start_step=None, print_fn=print):
        super().__init__()
        self.every, self.total_steps, self.print_fn = float(every), total_steps, print_fn
        self.step = None if start_step is None else int(start_step)

    def on_train_begin(self, logs=None):
        if self.step is None:  # first fit phase: count on from where a resumed run stopped
            self.step = int(getattr(self.model, "resumed_from_step", 0) or 0)
        p = self.params or {}
        if self.total_steps is None and p.get("steps") and p.get("epochs"):
            self.total_steps = p["steps"] * p["epochs"]
        self._t0 = self._last = time.time()
        self._done = 0

    def _line(self, epoch, logs):
        el = time.time() - self._t0
        rate = self._done / el if el > 0 else math.nan
        text = " ".join(f"{k} {float(v):.4g}" for k, v in (logs or {}).items() if np.ndim(v) == 0)
        eta = ""
        if self.total_steps and rate > 0:
            eta = f" eta {max(0.0, (self.total_steps - self._done) / rate) / 60:.1f} min"
        line = f"[step {self.step} epoch {epoch + 1}] {text} | {rate:.3f} steps/s{eta}"
        if self.print_fn is print:
            print(line, flush=True)
        else:
            self.print_fn(line)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        self._done += 1
        if time.time() - self._last >= self.every:
            self._last = time.time()
            self._line(self._epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._last = time.time()
        self._line(epoch, logs)


__all__ = ["SampleGrid", "BackupAndRestore", "TerminateOnNaN", "TimeLimit", "StopAtStep", "ProgressLog"]
