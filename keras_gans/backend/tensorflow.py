"""TensorFlow: GradientTape for gradients, nested tapes for double backward.

The step runs inside Keras' ``tf.function`` (with XLA when ``jit_compile``).
"""

import tensorflow as tf

JIT_DOUBLE_BACKWARD = True
# Model.export formats that work here with the installed packages (keras-gans export)
EXPORT_FORMATS = ("tf_saved_model",)


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
