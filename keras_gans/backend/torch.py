"""PyTorch: ``torch.autograd.grad`` for gradients, ``create_graph=True`` for
double backward.

``torch.compile`` (Keras' ``jit_compile=True`` on torch) captures whole steps
but cannot trace a double backward, so games that need one run eagerly here
(the game warns once, see ``JIT_DOUBLE_BACKWARD``).
"""

import torch
import torch.distributed as dist

JIT_DOUBLE_BACKWARD = False
# Model.export formats that work here with the installed packages (keras-gans export)
EXPORT_FORMATS = ("onnx",)
# why mixed_float16 (dynamic loss scaling) cannot train a game here (None: it can)
LOSS_SCALING_REFUSAL = None
# why `keras-gans train --distribute data-parallel` cannot run here (None: it can)
DATA_PARALLEL_REFUSAL = (
    "on the torch backend, data-parallel training runs one process per device under torchrun "
    "(torch.distributed, each process fitting its shard of every batch: README, More than one device), "
    "which this command does not launch. Use the Python API with torchrun, or KERAS_BACKEND=jax "
    "(keras.distribution.DataParallel) or KERAS_BACKEND=tensorflow (tf.distribute.MirroredStrategy)."
)


def inference_mode():
    """Eager inference without autograd: no graph kept for the backward pass
    (memory in proportion to the activations otherwise)."""
    import torch

    return torch.inference_mode()


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
    if _replica()[1] > 1:  # torch.distributed: sum the processes' gradients (each loss is / world size)
        flat = torch.cat([g.reshape(-1) for g in grads])
        dist.all_reduce(flat)
        grads = [f.view_as(g) for f, g in zip(torch.split(flat, [g.numel() for g in grads]), grads)]
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
    ``torch.compile``. Under torch.distributed (one process per device,
    started by torchrun, each fitting its shard of every global batch) the
    batch norms' statistics are summed over the processes first."""

    def train_step(self, data):
        if _replica()[1] > 1 and not getattr(self, "_synchronized_batch_norm", False):
            _synchronize_batch_norm(self)
            self._synchronized_batch_norm = True
        return self.game_step(data)


def _replica():
    if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def _synchronize_batch_norm(model):
    """Give every Keras BatchNormalization of ``model`` moments over the
    global batch: sums of x and x^2 and the count, all-reduced across the
    processes with a differentiable all-reduce (torch.distributed.nn), as
    Keras' ``synchronized=True`` does on TensorFlow (which Keras refuses on
    torch). The override is an instance attribute: not in the saved config."""
    import keras
    from torch.distributed.nn.functional import all_reduce

    def moments_of(layer):
        def moments(inputs, mask):
            if mask is not None:
                raise NotImplementedError(f"{layer.name}: a masked batch norm cannot be synchronized on torch.")
            x = inputs.float()
            axes = list(layer._reduction_axes)
            count = torch.tensor(float(x.numel() // x.shape[layer.axis]), device=x.device)
            sums = torch.stack([x.sum(dim=axes), torch.square(x).sum(dim=axes)])
            sums = all_reduce(sums)
            total = all_reduce(count.clone())
            mean = sums[0] / total
            variance = torch.clamp(sums[1] / total - torch.square(mean), min=0.0)
            return mean.to(inputs.dtype), variance.to(inputs.dtype)

        return moments

    for layer in model._flatten_layers(include_self=False, recursive=True):
        if isinstance(layer, keras.layers.BatchNormalization):
            layer._moments = moments_of(layer)


def replica_draw(draw, shape):
    """This process's rows of what one device would draw for the global batch
    (the processes' seed generators advance alike); one process: ``draw(shape)``."""
    rank, n = _replica()
    if n == 1:
        return draw(shape)
    b = int(shape[0])
    return draw((b * n, *shape[1:]))[rank * b:(rank + 1) * b]


def replica_loss_scale():
    """1 / processes under torch.distributed (``value_and_grad`` sums their
    gradients); else 1."""
    return 1.0 / _replica()[1]


def replica_gather(x):
    """``(global x, rows)``: under torch.distributed, the processes' batches
    concatenated in rank order and ``rows(y)`` this process's rows (for state
    updated from the whole batch: image pools); one process: ``(x, identity)``."""
    rank, n = _replica()
    if n == 1:
        return x, lambda y: y
    parts = [torch.empty_like(x) for _ in range(n)]
    dist.all_gather(parts, x.contiguous())
    b = x.shape[0]
    return torch.cat(parts), lambda y: y[rank * b:(rank + 1) * b]


def data_parallel(batch_size):
    raise ValueError(DATA_PARALLEL_REFUSAL)



