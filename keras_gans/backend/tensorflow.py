"""TensorFlow: GradientTape for gradients, nested tapes for double backward.

The step runs inside Keras' ``tf.function`` (with XLA when ``jit_compile``).
"""

import os
import threading

import keras
import tensorflow as tf

JIT_DOUBLE_BACKWARD = True
# Model.export formats that work here with the installed packages (keras-gans export)
EXPORT_FORMATS = ("tf_saved_model",)
# why mixed_float16 (dynamic loss scaling) cannot train a game here (None: it can)
LOSS_SCALING_REFUSAL = None
# why `keras-gans train --distribute data-parallel` cannot run here (None: it can)
DATA_PARALLEL_REFUSAL = None  # tf.distribute.MirroredStrategy: every game (tests/test_distribution.py)


# the InstanceNormalization layer's keras.ops form is the fast one here (fused under XLA)
instance_norm = None

# where kg.streaming keeps its windows between convolutions: NumPy arrays (as tensors the tiles ran
# faster, but the process kept more memory: 2.68 GB peak at 12 MP against the 2.11 GB rule; see kg.backend)
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
    """What a game's ``compile(jit_compile="auto")`` means here: XLA.

    Keras' own "auto" turns XLA off on CPU-only TensorFlow machines. Measured
    on the 2-core CPU (benchmarks/RESULTS.md), XLA makes every game's step
    1.3-1.65x faster there (SRResNet 2.18 -> 1.32 s, CycleGAN 1.60 -> 1.06 s),
    so games keep it on; Keras still falls back (with its warning) for a model
    with a layer that does not support XLA. Under a tf.distribute strategy
    Keras' rule stands, and ``KERAS_GANS_TF_AUTO_XLA=0`` restores it
    everywhere (XLA compiles for seconds per step function: a loss for runs
    of a few steps, such as the test suite)."""
    if tf.distribute.has_strategy() or os.environ.get("KERAS_GANS_TF_AUTO_XLA", "1") == "0":
        return "auto"
    return True


def _zeros_for_none(grads, variables):
    return [
        tf.zeros(v.shape, v.dtype) if g is None else g
        for g, v in zip(grads, variables)
    ]


def value_and_grad(fn, variables):
    variables = list(variables)
    with tf.GradientTape(watch_accessed_variables=True) as tape:
        loss, aux = fn()
    grads = tape.gradient(loss, variables) if variables else []
    return loss, aux, _zeros_for_none(grads, variables)


def input_gradient(fn, x):
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
        total = tf.reduce_sum(y)
    return tape.gradient(total, x)


class _SynchronizedBatchNorm:
    """Batch norms compute their statistics over the global batch while a
    replica traces its step (Keras' ``synchronized=True``, an all-reduce of
    the sums), so a data-parallel step normalises as one device would.

    ``synchronized`` is read when the step is traced. MirroredStrategy
    traces the replicas in threads, one at a time, switching at the
    optimizers' cross-replica points: the attribute is set while any
    replica is inside its step and reset when the last one leaves, so a
    model saved afterwards loads on every backend (Keras refuses
    ``synchronized=True`` outside TensorFlow)."""

    _lock = threading.Lock()
    _inside = {}

    def __init__(self, model):
        self.layers = [
            layer for layer in model._flatten_layers(include_self=False, recursive=True)
            if isinstance(layer, keras.layers.BatchNormalization) and not layer.synchronized
        ]
        self.key = id(model)

    def __enter__(self):
        with self._lock:
            self._inside[self.key] = self._inside.get(self.key, 0) + 1
            for layer in self.layers:
                layer.synchronized = True

    def __exit__(self, *exc):
        with self._lock:
            self._inside[self.key] -= 1
            if not self._inside[self.key]:
                for layer in self.layers:
                    layer.synchronized = False


class GameTrainer:
    """Keras' TF trainer calls ``train_step(data)`` inside its tf.function.
    Without a distribution strategy it builds a model at the first trace
    (not from a symbolic first batch, as the JAX and torch trainers do):
    a game whose state is sized by its data (CycleGAN's pools) is built
    there too."""

    def train_step(self, data):
        if not self.built:
            self.build_from_batch(data)
        if _replica()[1] == 1:
            return self.game_step(data)
        with _SynchronizedBatchNorm(self):
            return self.game_step(data)


def _replica():
    ctx = tf.distribute.get_replica_context()
    if ctx is None or ctx.num_replicas_in_sync == 1:
        return 0, 1
    return ctx.replica_id_in_sync_group, ctx.num_replicas_in_sync


def _random_bits(shape, seed):
    """Two words of Philox bits per value: integers are drawn the same with
    and without XLA (floats are not: XLA converts bits to floats its own way,
    so the same seed gave other noise in a compiled step)."""
    from keras.src.random.seed_generator import draw_seed

    seed = tf.cast(tf.math.floormod(draw_seed(seed), tf.int32.max - 1), tf.int32)  # as keras' TF backend
    bits = tf.random.stateless_uniform((2, *shape), seed=seed, minval=None, maxval=None, dtype=tf.uint32,
                                       alg="philox")
    return tf.cast(tf.bitwise.right_shift(bits, tf.constant(8, tf.uint32)), tf.float32) * (2.0**-24)  # [0, 1)


def random_uniform(shape, dtype, seed):
    """Uniform on [0, 1) with 24-bit resolution, the same numbers with and
    without XLA (a one-device step compiles, a MirroredStrategy step does
    not: with keras.random their draws differed)."""
    return tf.cast(_random_bits(shape, seed)[0], dtype)


def random_normal(shape, dtype, seed):
    """N(0, 1) by Box-Muller from ``random_uniform``'s bits: the same numbers
    with and without XLA up to the last bits of log/cos (5e-7)."""
    u = _random_bits(shape, seed)
    z = tf.sqrt(-2.0 * tf.math.log(1.0 - u[0])) * tf.cos((2.0 * 3.141592653589793) * u[1])
    return tf.cast(z, dtype)


def replica_draw(draw, shape):
    """The replica's slice of what one device would draw for the global batch.

    Under a tf.distribute strategy with n replicas each replica sees its own
    ``b = batch / n`` rows. Every replica draws the global ``(n b, ...)``
    tensor from the same seed state (the seed generators advance alike) and
    keeps rows ``[i b, (i + 1) b)`` of it: replica i's rows of the global
    batch get the noise one device would have given them."""
    replica, n = _replica()
    if n == 1:
        return draw(shape)
    b = shape[0]  # an int, or a scalar tensor when the batch is not known when tracing
    full = draw((b * n, *shape[1:]))
    return full[replica * b:(replica + 1) * b]


def replica_loss_scale():
    """1 / replicas: Keras' TF optimizer sums the replicas' gradients, so each
    replica's loss (a mean over its rows) is divided by their number to give
    the gradient of the global batch's mean."""
    return 1.0 / _replica()[1]


def replica_gather(x):
    """``(global x, rows)``: under a tf.distribute strategy, the replicas'
    batches concatenated in replica order (what one device would hold), and
    ``rows(y)``, this replica's rows of a tensor over that global batch. For
    state that one device updates from the whole batch (CycleGAN's image
    pools): every replica runs the same update on the same global batch."""
    replica, n = _replica()
    if n == 1:
        return x, lambda y: y
    b = tf.shape(x)[0]
    return tf.distribute.get_replica_context().all_gather(x, axis=0), lambda y: y[replica * b:(replica + 1) * b]


def _check_split(batch_size, devices):
    if batch_size % len(devices):
        raise ValueError(f"the batch ({batch_size}) must be a multiple of the {len(devices)} devices "
                         f"({', '.join(devices)}); pass --batch-size.")


def data_parallel(batch_size):
    """``(scope, record)`` for ``keras-gans train --distribute data-parallel``:
    a ``tf.distribute.MirroredStrategy`` over every GPU (the CPU when there
    is none); the game is built and compiled inside ``with scope():``, as
    the Keras guide does it."""
    strategy = tf.distribute.MirroredStrategy()
    devices = [str(d) for d in strategy.extended.worker_devices]
    _check_split(batch_size, devices)
    return strategy.scope, {
        "distribution": f"tf.distribute.MirroredStrategy over {len(devices)} devices", "devices": devices,
    }
