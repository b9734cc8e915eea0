"""JAX: pure functions over a ``StatelessScope``.

Keras' JAX trainer passes ``train_step(state, data)`` the values of the
model's trainable, non-trainable, optimizer and metric variables, and expects
new values back. A game has two optimizers; ``AdversarialGame`` exposes both
as ``model.optimizer`` (an ``OptimizerGroup``) so that both travel in that
state. The game step itself is ordinary stateful Keras code: it runs inside a
``StatelessScope`` that maps every variable to its value in ``state`` and
records every assignment, and the new state is read back from the scope.
"""

import jax
import keras

from keras_gans.backend.scopes import inherited_scope

JIT_DOUBLE_BACKWARD = True
# Model.export formats that work here with the installed packages (keras-gans export)
EXPORT_FORMATS = ("tf_saved_model",)
# why mixed_float16 (dynamic loss scaling) cannot train a game here (None: it can)
LOSS_SCALING_REFUSAL = (
    "mixed_float16 needs Keras' LossScaleOptimizer, whose stateful update (a cond that assigns "
    "variables) leaks JAX tracers out of a game's step. Use mixed_bfloat16 on JAX: bfloat16 has "
    "float32's range, so it needs no loss scaling."
)
# why `keras-gans train --distribute data-parallel` cannot run here (None: it can)
DATA_PARALLEL_REFUSAL = None  # keras.distribution.DataParallel: every game (tests/test_distribution.py)


# the InstanceNormalization layer's keras.ops form is the fast one here (fused under XLA)
instance_norm = None

# where kg.streaming keeps its windows between convolutions: NumPy arrays (each eager jax operation
# compiles once per new window shape, and tiles come in many shapes: see kg.backend)
WINDOW_MATH = "numpy"


def fast_convolutions():
    """Nothing to swap here (torch only)."""
    import contextlib

    return contextlib.nullcontext()


def inference_mode():
    """Eager inference needs no gradient bookkeeping here: nothing to turn off."""
    import contextlib

    return contextlib.nullcontext()


def resolve_auto_jit(model):
    """``compile(jit_compile="auto")`` for a game: Keras' own rule."""
    return "auto"


def value_and_grad(fn, variables):
    variables = list(variables)
    ids = [id(v) for v in variables]
    values = [v.value for v in variables]

    base_scope = inherited_scope()
    base = base_scope.state_mapping

    assigned = {}

    def pure(vals):
        scope = inherited_scope()
        scope.state_mapping.update(dict(zip(ids, vals)))
        with scope:
            loss, aux = fn()
        wrt = set(ids)
        updates = {
            k: v
            for k, v in scope.state_mapping.items()
            if k not in wrt and base.get(k) is not v
        }
        assigned.update(scope.assigned)
        return loss, (aux, updates)

    (loss, (aux, updates)), grads = jax.value_and_grad(pure, has_aux=True)(
        values
    )
    _write_back(updates, assigned)
    return loss, aux, list(grads)


def _write_back(updates, assigned):
    """Hand state updates made inside the differentiated function (batch-norm
    statistics, spectral-norm vectors, seeds) to the enclosing scope."""
    if not updates:
        return
    from keras.src.backend.common.stateless_scope import get_stateless_scope

    outer = get_stateless_scope()
    if outer is not None:
        outer.state_mapping.update(updates)
        return
    # Eager use outside fit(): the values are concrete, assign them.
    for key, value in updates.items():
        assigned[key].assign(value)


def input_gradient(fn, x):
    def total(x_):
        with inherited_scope():
            return jax.numpy.sum(fn(x_))

    return jax.grad(total)(x)


class GameTrainer:
    """Adapts Keras' JAX ``train_step(state, data)`` to ``game_step(data)``."""

    def train_step(self, state, data):
        trainable, non_trainable, optimizer_vars, metrics_vars = state
        groups = (
            self.trainable_variables,
            self.non_trainable_variables,
            self.optimizer.variables,
            self.metrics_variables,
        )
        mapping = []
        for refs, vals in zip(groups, state):
            mapping.extend(zip(refs, vals))
        with keras.StatelessScope(state_mapping=mapping) as scope:
            logs = self.game_step(data)

        def read(refs, vals):
            out = []
            for ref, old in zip(refs, vals):
                new = scope.get_current_value(ref)
                out.append(old if new is None else new)
            return out

        new_state = tuple(read(refs, vals) for refs, vals in zip(groups, state))
        return logs, new_state


def random_normal(shape, dtype, seed):
    """``keras.random.normal``: the same numbers inside and outside compiled steps here."""
    return keras.random.normal(shape, dtype=dtype, seed=seed)


def random_uniform(shape, dtype, seed):
    """``keras.random.uniform`` on [0, 1)."""
    return keras.random.uniform(shape, dtype=dtype, seed=seed)


def replica_draw(draw, shape):
    """``draw(shape)``: one process sees the global batch (on JAX,
    ``DataParallel`` shards global arrays), so its draw is the global one."""
    return draw(shape)


def replica_loss_scale():
    """1: gradients are of the global batch's loss (no cross-replica sum)."""
    return 1.0


def replica_gather(x):
    """``(x, rows)``: the batch is already global; ``rows(y)`` is ``y``."""
    return x, lambda y: y


def data_parallel(batch_size):
    """``(scope, record)`` for ``keras-gans train --distribute data-parallel``:
    ``keras.distribution.DataParallel`` over every device, set globally."""
    import contextlib

    devices = keras.distribution.list_devices()
    if batch_size % len(devices):
        raise ValueError(f"the batch ({batch_size}) must be a multiple of the {len(devices)} devices "
                         f"({', '.join(devices)}); pass --batch-size.")
    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
    return contextlib.nullcontext, {
        "distribution": f"keras.distribution.DataParallel over {len(devices)} devices", "devices": devices,
    }
