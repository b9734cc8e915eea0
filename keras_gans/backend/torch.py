"""PyTorch: ``torch.autograd.grad`` for gradients, ``create_graph=True`` for
double backward.

``torch.compile`` (Keras' ``jit_compile=True`` on torch) captures whole steps
but cannot trace a double backward, so games that need one run eagerly here
(the game warns once, see ``JIT_DOUBLE_BACKWARD``).
"""

import contextlib
import threading

import keras
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

# where kg.streaming keeps its windows between convolutions: backend tensors (eager calls are
# cheap and use every thread; see kg.backend)
WINDOW_MATH = "backend"


@contextlib.contextmanager
def inference_mode():
    """Eager inference without autograd (no graph kept for the backward pass:
    memory in proportion to the activations otherwise), with the
    convolutions of ``fast_convolutions``."""
    with torch.inference_mode(), fast_convolutions():
        yield


# ---------------------------------------------------------------- convolutions
# Keras 3.15's torch ``conv`` makes a contiguous channels-first copy of every
# channels-last activation, then a channels-last copy of that, before calling
# torch: two passes over the activation per convolution (a quarter of the
# time of a CycleGAN generator at 1024x768 on the 2-core EPYC). A channels-last
# tensor permuted to (N, C, H, W) is already in torch's channels_last memory
# format, which oneDNN convolves directly: same kernels, same numbers.
_fast_depth = 0
_fast_lock = threading.Lock()


def _float32(*tensors):
    """Only float32 is measured (bf16 / fp16 convolutions go to Keras' path:
    on CPUs without bf16 units torch takes its slow reference kernels for
    them, and those were not timed with these layouts)."""
    return all(keras.backend.standardize_dtype(t.dtype) == "float32" for t in tensors)


def _tracing():
    """Being traced or compiled (torch.jit / ONNX export, torch.compile): Keras'
    own ops then, whose graph exports."""
    return torch.jit.is_tracing() or torch.compiler.is_compiling()


def _torch_padding(padding, kernel_hw, strides, dilation):
    """torch's ``padding=`` for Keras' ``padding``, or None where torch's
    symmetric padding cannot say it ("same" with strides or an even kernel)."""
    if padding == "valid":
        return 0
    if padding == "same" and all(s == 1 for s in strides) and all(k % 2 for k in kernel_hw):
        return tuple(d * (k - 1) // 2 for k, d in zip(kernel_hw, dilation))
    return None


def _conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1, bias=None):
    """Keras' ``conv`` for 2-D channels-last convolutions, without the copies;
    anything else (other ranks, strided "same", channels-first, torch.export /
    tracing, where Keras' copies make the graph exportable) goes to Keras'."""
    from keras.src.backend import standardize_data_format
    from keras.src.utils.argument_validation import standardize_tuple

    fallback = (
        _tracing()
        or standardize_data_format(data_format) != "channels_last"
        or len(getattr(inputs, "shape", ())) != 4
        or len(getattr(kernel, "shape", ())) != 4
        or not _float32(inputs, kernel)
    )
    if not fallback:
        strides = standardize_tuple(strides, 2, "strides")
        dilation = standardize_tuple(dilation_rate, 2, "dilation_rate")
        pad = _torch_padding(padding, tuple(kernel.shape[:2]), strides, dilation)
        channels, kernel_channels = inputs.shape[-1], kernel.shape[2]
        fallback = pad is None or not kernel_channels or channels % kernel_channels
    if fallback:
        y = _keras_calls[_keras_nn(), "conv"](inputs, kernel, strides, padding, data_format, dilation_rate)
        return y if bias is None else y + bias
    from keras.src.backend.torch.core import convert_to_tensor

    x = convert_to_tensor(inputs).permute(0, 3, 1, 2)  # a view in channels_last memory format
    k = convert_to_tensor(kernel).permute(3, 2, 0, 1)
    if bias is not None:
        bias = convert_to_tensor(bias).to(x.dtype)
    y = torch.nn.functional.conv2d(x, k, bias, stride=strides, padding=pad, dilation=dilation,
                                   groups=channels // kernel_channels)
    return y.permute(0, 2, 3, 1)


def _conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None, data_format=None,
                    dilation_rate=1):
    """Keras' ``conv_transpose`` for 2-D channels-last "valid" ones without
    its copy of the activation (the rest: Keras')."""
    from keras.src.backend import standardize_data_format

    if (_tracing() or padding != "valid" or output_padding is not None
            or standardize_data_format(data_format) != "channels_last" or len(getattr(inputs, "shape", ())) != 4
            or len(getattr(kernel, "shape", ())) != 4 or inputs.shape[-1] != kernel.shape[3]
            or not _float32(inputs, kernel)):
        return _keras_calls[_keras_nn(), "conv_transpose"](inputs, kernel, strides, padding, output_padding, data_format, dilation_rate)
    from keras.src.backend.torch.core import convert_to_tensor

    x = convert_to_tensor(inputs).permute(0, 3, 1, 2)
    k = convert_to_tensor(kernel).permute(3, 2, 0, 1)  # (kh, kw, out, in) -> torch's (in, out, kh, kw)
    y = torch.nn.functional.conv_transpose2d(x, k, stride=strides, dilation=dilation_rate)
    return y.permute(0, 2, 3, 1)


def _conv_layer_call(self, inputs):
    """``Conv2D.call`` with the bias inside torch's convolution (one pass
    less); layers with LoRA, quantization, their own ``convolution_op`` or
    another rank go to Keras'."""
    from keras.src.layers.convolutional.base_conv import BaseConv

    if (self.rank != 2 or self.lora_enabled or self.quantization_mode is not None
            or type(self).convolution_op is not BaseConv.convolution_op or self.data_format != "channels_last"):
        return _keras_calls[BaseConv, "call"](self, inputs)
    y = _conv(inputs, self.kernel, self.strides, self.padding, self.data_format, self.dilation_rate,
              bias=self.bias if self.use_bias else None)
    return y if self.activation is None else self.activation(y)


def _prelu_call(self, inputs):
    """``PReLU.call`` as torch's one-pass ``prelu`` where the slopes are one
    per channel (shared over the spatial axes); else Keras'."""
    from keras.src.backend.torch.core import convert_to_tensor

    alpha = convert_to_tensor(self.alpha)
    x = convert_to_tensor(inputs)
    if x.ndim != 4 or alpha.ndim != 3 or tuple(alpha.shape[:2]) != (1, 1) or alpha.dtype != x.dtype or _tracing():
        return _keras_calls[keras.layers.PReLU, "call"](self, inputs)
    return torch.nn.functional.prelu(x.permute(0, 3, 1, 2), alpha.reshape(-1)).permute(0, 2, 3, 1)


def _batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """Keras' torch ``batch_normalization`` (three passes) as torch's one-pass
    inference kernel, where the statistics take no gradient (inference)."""
    from keras.src.backend.torch.core import convert_to_tensor

    x, mean, variance = (convert_to_tensor(t) for t in (x, mean, variance))
    if x.ndim != 4 or axis not in (-1, 3) or mean.requires_grad or variance.requires_grad or _tracing():
        return _keras_calls[_keras_nn(), "batch_normalization"](x, mean, variance, axis, offset, scale, epsilon)
    offset = None if offset is None else convert_to_tensor(offset)
    scale = None if scale is None else convert_to_tensor(scale)
    y = torch.nn.functional.batch_norm(x.permute(0, 3, 1, 2), mean, variance, scale, offset, False, 0.0, epsilon)
    return y.permute(0, 2, 3, 1)


#: (owner, attribute) -> Keras' own, while swapped
_keras_calls = {}


def _keras_nn():
    from keras.src.backend.torch import nn

    return nn


def _fast_patches():
    """``(owner, attribute, ours)`` for everything ``fast_convolutions`` swaps."""
    from keras.src.layers.convolutional.base_conv import BaseConv

    nn = _keras_nn()
    return [(nn, "conv", _conv), (nn, "conv_transpose", _conv_transpose),
            (nn, "batch_normalization", _batch_normalization),
            (BaseConv, "call", _conv_layer_call), (keras.layers.PReLU, "call", _prelu_call)]


@contextlib.contextmanager
def fast_convolutions():
    """Within it, Keras' torch 2-D convolutions (transposed too) skip the
    copies above and take their bias inside the convolution, PReLU and
    inference batch norm run as torch's one-pass kernels: outputs equal to
    float rounding (convolutions and PReLU: to the bit). Process-wide while
    any thread is in one; nests."""
    global _fast_depth
    with _fast_lock:
        if _fast_depth == 0:
            for owner, attr, ours in _fast_patches():
                _keras_calls[owner, attr] = owner.__dict__[attr] if isinstance(owner, type) else getattr(owner, attr)
                setattr(owner, attr, ours)
        _fast_depth += 1
    try:
        yield
    finally:
        with _fast_lock:
            _fast_depth -= 1
            if _fast_depth == 0:
                for owner, attr, _ in _fast_patches():
                    setattr(owner, attr, _keras_calls[owner, attr])


def instance_norm(x, epsilon):
    """``(x - mean) / sqrt(var + epsilon)`` over the spatial axes of a float32
    channels-last ``x``, in three passes where Keras ops take five (torch's
    ``var_mean`` over non-trailing axes is slower still; its ``batch_norm``
    route, native PyTorch's, reads 40x farther from a float64 reference)."""
    axes = tuple(range(1, x.ndim - 1))
    centered = x - x.mean(axes, keepdim=True)
    scale = torch.rsqrt(centered.square().mean(axes, keepdim=True) + epsilon)
    if torch.is_grad_enabled() and centered.requires_grad:
        return centered * scale
    return centered.mul_(scale)


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
    ``torch.compile``, here inside ``fast_convolutions()``. Under torch.distributed (one process per device,
    started by torchrun, each fitting its shard of every global batch) the
    batch norms' statistics are summed over the processes first."""

    def train_step(self, data):
        if _replica()[1] > 1 and not getattr(self, "_synchronized_batch_norm", False):
            _synchronize_batch_norm(self)
            self._synchronized_batch_norm = True
        with fast_convolutions():  # the same gradients, ~10% less time per SRResNet step
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


def random_normal(shape, dtype, seed):
    """``keras.random.normal``: the same numbers inside and outside compiled steps here."""
    return keras.random.normal(shape, dtype=dtype, seed=seed)


def random_uniform(shape, dtype, seed):
    """``keras.random.uniform`` on [0, 1)."""
    return keras.random.uniform(shape, dtype=dtype, seed=seed)


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



