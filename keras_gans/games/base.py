"""What every game shares: two optimizers, metrics, RNG, compile/save plumbing.

The game contract. A game is an ``AdversarialGame`` subclass, registered with
``@keras.saving.register_keras_serializable("keras_gans")``, that implements:

- ``_player_variables()`` -> ``{optimizer name: trainable variables}``; with
  ``optimizer_names`` (the ``compile()`` arguments, default ``g_optimizer``,
  ``d_optimizer``);
- ``game_step(data)`` -> logs: one training step written with ``keras.ops``
  and ``backend.value_and_grad``; no variables created, no host sync;
  randomness from ``self.seed_generator``;
- ``_unpack(data)`` -> the step's tensors from a batch, in the model's dtype
  and range (helpers here: ``unpack_batch``, ``unpack_pair``,
  ``step_images``);
- ``metrics`` (the loss trackers ``game_step`` updates);
- ``get_config``: ``{**super().get_config(), ...}`` with its constructor
  arguments, Keras objects through ``serialize``, and ``nested_config``:
  the keys holding them, which the one ``from_config`` here rebuilds;
- ``self.built = True`` at the end of ``__init__`` when no state is sized
  by the data (else ``build(input_shape)``, called from the first batch).
  ``examples/custom_game.py`` is a complete game in 60 lines.

Everything else -- compile, fit (resume, EMA), save/load of both optimizers,
the per-backend ``train_step`` -- comes from here and ``keras_gans.backend``.
"""

import warnings

import keras
import numpy as np

from keras_gans import backend


class OptimizerGroup:
    """The optimizers of a game seen as one ``model.optimizer``.

    Keras' trainers (JAX's in particular) carry ``model.optimizer.variables``
    through ``fit``; a game exposes all of its optimizers' variables that way.
    ``iterations`` and ``learning_rate`` are the first optimizer's (the
    generator's), for callbacks that read them.
    """

    def __init__(self, optimizers, player_variables=None):
        self.by_name = dict(optimizers)  # {compile argument: optimizer}
        # a list, as Keras' callbacks expect of a multi-optimizer (TensorBoard logs each one's learning rate)
        self.optimizers = list(self.by_name.values())
        self.player_variables = player_variables
        self.built = True

    def finalize_variable_values(self, variables=None):
        """For each optimizer built with ``use_ema=True``, put the moving
        averages into the variables it updates (Keras does this at the end
        of ``fit`` for a plain model's optimizer)."""
        players = self.player_variables() if self.player_variables else {}
        for name, opt in self.by_name.items():
            if name in players:
                opt.finalize_variable_values(players[name])

    @property
    def variables(self):
        return [v for opt in self.optimizers for v in opt.variables]

    @property
    def iterations(self):
        return self.optimizers[0].iterations

    @property
    def learning_rate(self):
        return self.optimizers[0].learning_rate

    def build(self, variables):
        pass

    def scale_loss(self, loss):
        return loss

    def __repr__(self):
        return f"OptimizerGroup({', '.join(self.by_name)})"


def _check_optimizer(name, opt):
    if opt is None:
        raise ValueError(
            f"compile() needs `{name}`: pass a keras optimizer, e.g. "
            f"{name}=keras.optimizers.Adam(2e-4, beta_1=0.5)."
        )
    opt = keras.optimizers.get(opt)
    if not isinstance(opt, keras.optimizers.Optimizer):
        raise TypeError(f"`{name}` must be a keras optimizer, got {type(opt).__name__}.")
    if keras.mixed_precision.global_policy().name == "mixed_float16" and backend.LOSS_SCALING_REFUSAL:
        raise ValueError(f"Policy mixed_float16 on {backend.name}: {backend.LOSS_SCALING_REFUSAL}")
    if (keras.mixed_precision.global_policy().name == "mixed_float16"
            and not isinstance(opt, keras.optimizers.LossScaleOptimizer)):
        # as Keras' compile() does: float16 gradients underflow without dynamic loss scaling
        opt = keras.optimizers.LossScaleOptimizer(opt)
    return opt


class AdversarialGame(backend.GameTrainer, keras.Model):
    """Base class of the games. Subclasses define ``game_step(data)``, a
    backend-agnostic training step written with ``keras.ops`` that returns the
    logs dict, and ``optimizer_names`` (the compile() arguments)."""

    optimizer_names = ("g_optimizer", "d_optimizer")

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self._double_backward_warned = False

    # ----------------------------------------------------------------- compile
    def compile(
        self,
        g_optimizer=None,
        d_optimizer=None,
        jit_compile="auto",
        run_eagerly=False,
        steps_per_execution=1,
        **optimizers,
    ):
        """Configure the players' optimizers.

        Args:
            g_optimizer, d_optimizer: keras optimizers (instances or names).
            jit_compile: compile the whole step (XLA on TF and JAX,
                ``torch.compile`` on torch). "auto": XLA on TF (also on CPU,
                where Keras' own "auto" turns it off: the step is 1.3-1.65x
                faster with it, benchmarks/RESULTS.md) and JAX, eager on
                torch. A game whose step needs a double
                backward (gradient penalty, R1) cannot be ``torch.compile``d;
                it then runs eagerly on torch with one warning.
        """
        if "optimizer" in optimizers:
            raise TypeError(
                f"{type(self).__name__}.compile() takes one optimizer per player: "
                f"pass {', '.join(n + '=' for n in self.optimizer_names)} instead of optimizer=."
            )
        unknown = set(optimizers) - set(self.optimizer_names)
        if unknown:
            raise TypeError(
                f"{type(self).__name__}.compile() got unexpected arguments "
                f"{sorted(unknown)}; it takes {', '.join(self.optimizer_names)}, "
                "jit_compile, run_eagerly and steps_per_execution."
            )
        optimizers.update(g_optimizer=g_optimizer, d_optimizer=d_optimizer)
        opts = {
            name: _check_optimizer(name, optimizers.get(name))
            for name in self.optimizer_names
        }
        if len({id(o) for o in opts.values()}) != len(opts):
            raise ValueError(
                "Each player needs its own optimizer instance (they keep "
                "separate moment estimates); got the same object twice."
            )
        if jit_compile == "auto" and not run_eagerly:
            jit_compile = backend.resolve_auto_jit(self)
        if (
            jit_compile is True
            and self.needs_double_backward
            and not backend.JIT_DOUBLE_BACKWARD
        ):
            warnings.warn(
                f"{type(self).__name__}: the {backend.name} backend cannot "
                "compile a step that contains a double backward (gradient "
                "penalty / R1); running the step without jit_compile.",
                stacklevel=2,
            )
            jit_compile = False
        super().compile(
            optimizer=None,
            jit_compile=jit_compile,
            run_eagerly=run_eagerly,
            steps_per_execution=steps_per_execution,
        )
        for name, opt in opts.items():
            setattr(self, name, opt)
        self._loss_tracker = None  # games report their own losses
        self.optimizer = OptimizerGroup(opts, self._player_variables)
        self._build_optimizers()

    @property
    def needs_double_backward(self):
        return False

    def _player_variables(self):
        """{optimizer name: trainable variables it updates}."""
        raise NotImplementedError

    def _build_optimizers(self):
        for name, variables in self._player_variables().items():
            opt = getattr(self, name)
            if not opt.built:
                opt.build(variables)

    def get_compile_config(self):
        if not getattr(self, "compiled", False):
            return None
        return {
            name: keras.saving.serialize_keras_object(getattr(self, name))
            for name in self.optimizer_names
        }

    #: get_config keys whose values are serialized Keras objects (models,
    #: losses, ...; a list: each item), rebuilt by ``from_config``
    nested_config = ()

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in cls.nested_config:
            if key in config:
                value = config[key]
                config[key] = [deserialize(v) for v in value] if isinstance(value, list) else deserialize(value)
        return cls(**config)

    def compile_from_config(self, config):
        opts = {
            name: keras.saving.deserialize_keras_object(config[name])
            for name in self.optimizer_names
        }
        self.compile(**opts)

    # -------------------------------------------------------------------- fit
    def fit(self, x=None, y=None, batch_size=None, epochs=1, callbacks=None, shuffle=True,
            initial_epoch=0, **kwargs):
        """Keras' ``fit``, plus two things Keras' trainer does not do for a
        model with two optimizers:

        - resume: with a ``kg.callbacks.BackupAndRestore`` among the
          callbacks, the newest checkpoint in its folder is restored first
          and training goes on from the exact batch where it stopped (see
          that callback for which data can be replayed mid-epoch);
        - EMA: optimizers built with ``use_ema=True`` swap their moving
          averages into the players' weights at the end, as Keras does for
          a plain model (``finalize_variable_values``).
        """
        if not getattr(self, "compiled", False) or not hasattr(self, self.optimizer_names[0]):
            raise RuntimeError(
                f"{type(self).__name__}.fit() was called before compile(). Call "
                f"compile({', '.join(n + '=...' for n in self.optimizer_names)}) first, e.g. "
                "keras.optimizers.Adam(2e-4, beta_1=0.5) for each."
            )
        from keras_gans.data import resumable

        if resumable.is_arrays(x) and (y is None or resumable.is_arrays(y)):
            self.check_arrays(x, y)
        self.stopped_by_time_limit = False  # set by kg.callbacks.TimeLimit
        self.resumed_from_step = 0
        callbacks = list(callbacks or [])
        backups = [c for c in callbacks if callable(getattr(c, "restore_into", None))]
        if len(backups) > 1:
            raise ValueError(f"{type(self).__name__}.fit() got {len(backups)} BackupAndRestore callbacks; pass one.")
        if not backups:
            history = super().fit(x, y, batch_size=batch_size, epochs=epochs, callbacks=callbacks,
                                  shuffle=shuffle, initial_epoch=initial_epoch, **kwargs)
            if epochs > initial_epoch:
                self.optimizer.finalize_variable_values()
            return history
        return self._fit_resumable(backups[0], x, y, batch_size, epochs, callbacks, shuffle,
                                   initial_epoch, kwargs)

    def check_arrays(self, x, y):
        """Checks numpy arrays given to ``fit`` before any step runs (see
        ``kg.games.checks.check_array``); games override it with their data's
        shapes and ranges. Datasets and loaders are not read ahead."""
        from keras_gans.games.checks import check_array

        for what, part in (("x", x), ("y", y)):
            for i, a in enumerate(part if isinstance(part, (tuple, list)) else [part] if part is not None else []):
                check_array(type(self).__name__, what if not isinstance(part, (tuple, list)) else f"{what}[{i}]", a)

    @staticmethod
    def _pair(x, y):
        """(first, second) of ``fit(x, y)`` or ``fit((x, y))``."""
        if y is None and isinstance(x, (tuple, list)) and len(x) == 2:
            return x[0], x[1], ("x[0]", "x[1]")
        if isinstance(x, (tuple, list)) and len(x) == 1:
            x = x[0]
        return x, y, ("x", "y")

    def _fit_resumable(self, backup, x, y, batch_size, epochs, callbacks, shuffle, initial_epoch, kwargs):
        from keras_gans.data import resumable

        data = x
        if resumable.is_arrays(x) and (y is None or resumable.is_arrays(y)) and not kwargs.get("validation_split"):
            data, y = resumable.ArrayBatches(x, y, batch_size, shuffle, self.seed), None
            batch_size = None
        if not self.built:  # state sized from the data (CycleGAN's pools) must exist before a restore
            self._build_from(data, y)
        point = backup.restore_into(self)
        epoch, skip = point if point is not None else (initial_epoch, 0)
        meta = backup.restored or {}
        # the global step the run goes on from (ProgressLog counts on from it)
        self.resumed_from_step = int(meta.get("epoch", 0)) * int(meta.get("steps_per_epoch") or 0) + int(meta.get("step", 0))
        if epoch >= epochs:
            return self.history if getattr(self, "history", None) else keras.callbacks.History()
        indexed = resumable.epoch_indexed(data)
        if skip and not indexed:
            warnings.warn(
                f"Resuming epoch {epoch + 1} at batch {skip} from {backup.backup_dir}: this data "
                f"({type(data).__name__}) cannot replay a batch by its index, so the epoch is replayed "
                "from its first batch. Numpy arrays or a keras.utils.PyDataset with set_epoch(epoch) "
                "resume exactly.",
                stacklevel=3,
            )
            skip = 0
        def fit(d, e0, e1, steps=None):
            # EpochData fixes the order itself (Keras would shuffle a PyDataset's indices)
            return super(AdversarialGame, self).fit(
                d, y, batch_size=batch_size, epochs=e1, callbacks=callbacks,
                shuffle=shuffle if steps is None else False, initial_epoch=e0,
                **{**kwargs, **({"steps_per_epoch": steps} if steps else {})},
            )

        if not indexed:
            history = fit(data, epoch, epochs)
            self.optimizer.finalize_variable_values()
            return history
        n = kwargs.pop("steps_per_epoch", None) or len(data)
        history = None
        if skip:  # finish the interrupted epoch on its remaining batches
            backup.begin_phase(skip, final=epoch + 1 >= epochs)
            history = fit(resumable.EpochData(data, 1, epoch, skip, n), epoch, epoch + 1, n - skip)
            epoch += 1
        backup.begin_phase(0, final=True)
        if epoch < epochs and not (history is not None and self.stop_training):
            rest = fit(resumable.EpochData(data, epochs - epoch, epoch, 0, n), epoch, epochs, n)
            if history is None:
                history = rest
            else:
                for k, v in rest.history.items():
                    history.history.setdefault(k, []).extend(v)
                history.epoch.extend(rest.epoch)
        self.optimizer.finalize_variable_values()
        return history

    def build_from_batch(self, data):
        """Build the game (``build(shape of the batch's first input)``) from
        one batch, for games whose state is sized by the data."""
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        if isinstance(x, (tuple, list)):
            x = x[0]
        self.build((None, *tuple(x.shape)[1:]))

    def _build_from(self, data, y):
        from keras_gans.data import resumable

        if y is not None and hasattr(data, "shape"):
            self.build((None, *tuple(np.shape(data))[1:]))
            return
        batch = resumable.first_batch(data)
        if batch is None:
            raise ValueError(
                f"{type(self).__name__} is not built and its first batch cannot be read without "
                "consuming the data (an iterator or a Python generator): call "
                f"{type(self).__name__.lower()}.build((None, H, W, C)) first."
            )
        self.build_from_batch(batch)


    def _value_and_grad(self, optimizer_name, fn, variables):
        """``backend.value_and_grad`` for one player: under ``mixed_float16``
        its LossScaleOptimizer's scale multiplies the loss before the
        backward pass (``apply`` divides it out and skips non-finite steps);
        when data-parallel (tf.distribute, torch.distributed), ``1 /
        replicas`` does (the replicas' gradients are summed). The unscaled
        loss is returned."""
        opt = getattr(self, optimizer_name)
        replicas = backend.replica_loss_scale()  # 1 / replicas when data-parallel: summed grads = global mean's
        if not isinstance(opt, keras.optimizers.LossScaleOptimizer) and replicas == 1.0:
            return backend.value_and_grad(fn, variables)

        def scaled():
            loss, aux = fn()
            out = loss * replicas if replicas != 1.0 else loss
            if isinstance(opt, keras.optimizers.LossScaleOptimizer):
                out = opt.scale_loss(out)
            return out, (loss, aux)

        _, (loss, aux), grads = backend.value_and_grad(scaled, variables)
        return loss, aux, grads

    def _apply(self, optimizer_name, grads, variables):
        if variables:
            getattr(self, optimizer_name).apply(grads, variables)

    def _logs(self):
        return {m.name: m.result() for m in self.metrics}

    # ------------------------------------------------------------- sampling
    @staticmethod
    def _check_count(n, batch_size):
        """``n`` and ``batch_size`` of ``generate`` as ints, or a clear error."""
        for what, v, low in (("n", n, 0), ("batch_size", batch_size, 1)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
                raise ValueError(f"generate: `{what}` must be an int >= {low}; got {v!r}.")
        return int(n), int(batch_size)

    @staticmethod
    def _numpy_normal(n, dim, seed):
        rng = np.random.default_rng(seed)
        return rng.standard_normal((n, dim)).astype("float32")


def serialize(obj):
    """A constructor argument for ``get_config``: None and strings as they
    are, Keras objects (models, losses, regularizers) by Keras."""
    if obj is None or isinstance(obj, str):
        return obj
    return keras.saving.serialize_keras_object(obj)


def deserialize(config):
    """The inverse of ``serialize``."""
    if config is None or isinstance(config, str):
        return config
    return keras.saving.deserialize_keras_object(config)


def unpack_pair(data, game, what):
    """``(x, y)`` from a batch given as ``fit(x, y)``, ``(x, y)`` tuples or
    ``((x, y),)``; ``what`` names the pair in the error when ``y`` is missing."""
    x, y, _ = unpack_batch(data, game)
    if y is None and isinstance(x, (tuple, list)) and len(x) == 2:
        x, y = x
    if y is None:
        raise ValueError(f"{game} trains on {what}; the batches held one tensor.")
    return x, y


def step_images(t, game, what, uint8_range=(-1.0, 1.0), dtype="float32"):
    """A batch of images inside a game's step, as a ``dtype`` tensor: rank 4
    is checked; integer (uint8) images 0..255 are mapped to ``uint8_range``,
    floats pass as they are. (Host-side NumPy conversion is
    ``kg.images.to_model_range``.)"""
    from keras import ops

    if len(t.shape) != 4:
        raise ValueError(
            f"{game}: {what} batches must have rank 4 (batch, height, width, channels); got shape "
            f"{tuple(t.shape)}."
        )
    if "int" in keras.backend.standardize_dtype(t.dtype):
        lo, hi = uint8_range
        t = ops.cast(t, "float32") * ((hi - lo) / 255.0) + lo
    return ops.cast(t, dtype)


def unpack_batch(data, game):
    """``(x, y, sample_weight)`` from one batch, with an explanation when the
    batch is not shaped like ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, w)``."""
    if isinstance(data, (tuple, list)) and len(data) > 3:
        raise ValueError(
            f"{game}: a batch arrived as a sequence of {len(data)} elements; expected x, "
            "(x,), (x, y) or (x, y, sample_weight). A torch DataLoader whose Dataset "
            "returns bare tensors is split into rows by Keras: make __getitem__ return "
            "(x,) or (x, label)."
        )
    return keras.utils.unpack_x_y_sample_weight(data)
