"""PyTorch: ``torch.autograd.grad`` for gradients, ``create_graph=True`` for
double backward.

``torch.compile`` (Keras' ``jit_compile=True`` on torch) captures whole steps
but cannot trace a double backward, so games that need one run eagerly here
(the game warns once, see ``JIT_DOUBLE_BACKWARD``).
"""

import torch

JIT_DOUBLE_BACKWARD = False
# Model.export formats that work here with the installed packages (keras-gans export)
EXPORT_FORMATS = ("onnx",)
# why mixed_float16 (dynamic loss scaling) cannot train a game here (None: it can)
LOSS_SCALING_REFUSAL = None
# why `keras-gans train --distribute data-parallel` cannot run here (None: it can)
DATA_PARALLEL_REFUSAL = (
    "data-parallel training is not available on the torch backend yet (a game's two optimizers and its "
    "double backward are not wired to DistributedDataParallel). Use KERAS_BACKEND=jax "
    "(keras.distribution.DataParallel) or KERAS_BACKEND=tensorflow (tf.distribute.MirroredStrategy)."
)


def resolve_auto_jit(model):
    """``compile(jit_compile="auto")`` for a game: Keras' own rule."""
    return "auto"


def _tensor(v):
    return v.value if hasattr(v, "value") else v


def value_and_grad(fn, variables):
    variables = list(variables)
    loss, aux = fn()
    if not variables:
        return loss, aux, []
    params = [_tensor(v) for v in variables]
    grads = torch.autograd.grad(loss, params, allow_unused=True)
    grads = [
        torch.zeros_like(p) if g is None else g for g, p in zip(grads, params)
    ]
    return loss, aux, grads


def input_gradient(fn, x):
    x = torch.as_tensor(x)
    if not x.requires_grad:
        x = x.detach().requires_grad_(True)
    y = fn(x)
    (grad,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    return grad


class GameTrainer:
    """Keras' torch trainer calls ``train_step(data)``, eagerly or under
    ``torch.compile``."""

    def train_step(self, data):
        return self.game_step(data)


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
    raise ValueError(DATA_PARALLEL_REFUSAL)
