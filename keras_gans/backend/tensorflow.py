"""TensorFlow: GradientTape for gradients, nested tapes for double backward.

The step runs inside Keras' ``tf.function`` (with XLA when ``jit_compile``).
"""

import os

import tensorflow as tf

JIT_DOUBLE_BACKWARD = True
# Model.export formats that work here with the installed packages (keras-gans export)
EXPORT_FORMATS = ("tf_saved_model",)
# why mixed_float16 (dynamic loss scaling) cannot train a game here (None: it can)
LOSS_SCALING_REFUSAL = None
# why `keras-gans train --distribute data-parallel` cannot run here (None: it can)
DATA_PARALLEL_REFUSAL = (
    "data-parallel training is refused on TensorFlow: under tf.distribute every replica would draw the "
    "same noise instead of its slice of the global batch's, and per-replica losses would be summed, so the "
    "result would differ from one device's. Use KERAS_BACKEND=jax (keras.distribution.DataParallel)."
)


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


class GameTrainer:
    """Keras' TF trainer calls ``train_step(data)`` inside its tf.function.
    Without a distribution strategy it builds a model at the first trace
    (not from a symbolic first batch, as the JAX and torch trainers do):
    a game whose state is sized by its data (CycleGAN's pools) is built
    there too."""

    def train_step(self, data):
        replicas = tf.distribute.get_replica_context()
        if replicas is not None and replicas.num_replicas_in_sync > 1:
            raise NotImplementedError(
                f"{type(self).__name__}: keras_gans games do not train under a tf.distribute strategy "
                f"with {replicas.num_replicas_in_sync} replicas yet: every replica would draw the same "
                "noise (not its slice of the global batch's) and the per-replica losses would be "
                "summed, so the result would differ from one device's. Train on one device, or use "
                "the JAX backend with keras.distribution.DataParallel (README: More than one device)."
            )
        if not self.built:
            self.build_from_batch(data)
        return self.game_step(data)
