"""Backend-specific machinery, one module per Keras backend.

Everything that differs between TensorFlow, JAX and PyTorch -- how gradients
are taken (including double backward for gradient penalties), how the train
step is wired into ``fit`` and which steps can be compiled -- lives in
``keras_gans/backend/<name>.py``, the way Keras keeps
``keras/src/backend/<name>/trainer.py``. Games and layers import only the
names re-exported here:

- ``value_and_grad(fn, variables)`` -> ``(loss, aux, grads)`` where ``fn()``
  returns ``(loss, aux)`` and reads the variables statefully.
- ``input_gradient(fn, x)`` -> ``d sum(fn(x)) / dx``, itself differentiable
  with respect to the variables ``fn`` reads (double backward).
- ``GameTrainer``: the mixin that adapts Keras' per-backend ``train_step``
  signature to a game's backend-agnostic ``game_step(data)``.
- ``JIT_DOUBLE_BACKWARD``: whether a compiled step can contain a double
  backward on this backend.
- ``DATA_PARALLEL_REFUSAL``: None where ``keras-gans train --distribute
  data-parallel`` runs (JAX, TF), else the reason it cannot;
  ``data_parallel(batch_size)`` -> ``(scope, record)``: sets it up (the game
  is built and compiled inside ``with scope():``).
- ``LOSS_SCALING_REFUSAL``: None where games train under ``mixed_float16``
  (TF, torch: dynamic loss scaling), else the reason (JAX).
- ``random_normal(shape, dtype, seed)``, ``random_uniform(shape, dtype,
  seed)``: the draws games make (``seed``: a ``keras.random.SeedGenerator``),
  the same numbers inside and outside a compiled step (TF: from Philox bits;
  ``keras.random``'s floats differ under XLA there);
- ``replica_draw(draw, shape)``: ``draw(shape)`` for this replica's rows of
  the global batch (under tf.distribute: its slice of the global draw), and
  ``replica_loss_scale()``: the factor a replica's loss takes so that summed
  gradients are the global batch's (TF: 1 / replicas; else 1);
  ``replica_gather(x)`` -> ``(global batch, rows)`` for state updated from
  the whole batch (image pools).
- ``resolve_auto_jit(model)``: what ``compile(jit_compile="auto")`` means
  for a game (TF: XLA even on CPU, where Keras turns it off; it is the
  faster step there).
- ``inference_mode()``: a context for eager inference calls (torch: no
  autograd graph, and Keras' convolutions without their copies of the
  activation; elsewhere nothing to do).
- ``fast_convolutions()``: a context in which Keras' convolutions, PReLU
  and inference batch norm run as one-pass kernels (torch: Keras 3.15 copies
  every activation twice per convolution there; elsewhere nothing to do).
- ``instance_norm(x, epsilon)``: the normalization of a float32
  channels-last ``x`` over its spatial axes where the backend has a faster
  form than ``keras.ops`` (torch), else None.
- ``WINDOW_MATH``: where ``kg.streaming`` keeps an image's windows between
  convolutions: ``"backend"`` (tensors: the element-wise work runs on the
  backend's threads; torch) or ``"numpy"`` (JAX: each eager operation
  compiles once per new window shape; TF: as tensors the tiles ran faster,
  but the process kept more memory, 2.25 / 2.68 GB peak translating 4 / 12
  MP against the 2.01 / 2.11 GB rule). Zoo CycleGAN generator, 1024x768,
  512-px tiles, 2 threads, AMD EPYC family 26 model 2: torch 1.4 s as
  tensors vs 1.9 s in NumPy, TF 2.7 vs 3.4 s; SRResNet 256x192 -> x4,
  192-px tiles: TF 2.6 vs 4.0 s, JAX 3.7 vs 3.1 s.
- ``EXPORT_FORMATS``: the ``Model.export`` formats ``keras-gans export``
  offers on this backend (ONNX goes through torch.onnx; a SavedModel
  through TF, or jax2tf).
"""

import importlib

import keras

_SUPPORTED = ("tensorflow", "jax", "torch")

name = keras.backend.backend()
if name not in _SUPPORTED:
    raise ImportError(
        f"keras_gans supports the Keras backends {', '.join(_SUPPORTED)}; "
        f"the active backend is {name!r}. Set KERAS_BACKEND to one of them "
        "before importing keras."
    )

_impl = importlib.import_module(f"{__name__}.{name}")

value_and_grad = _impl.value_and_grad
input_gradient = _impl.input_gradient
GameTrainer = _impl.GameTrainer
JIT_DOUBLE_BACKWARD = _impl.JIT_DOUBLE_BACKWARD
EXPORT_FORMATS = _impl.EXPORT_FORMATS
resolve_auto_jit = _impl.resolve_auto_jit
inference_mode = _impl.inference_mode
fast_convolutions = _impl.fast_convolutions
instance_norm = _impl.instance_norm
WINDOW_MATH = _impl.WINDOW_MATH
DATA_PARALLEL_REFUSAL = _impl.DATA_PARALLEL_REFUSAL
LOSS_SCALING_REFUSAL = _impl.LOSS_SCALING_REFUSAL
replica_draw = _impl.replica_draw
random_normal = _impl.random_normal
random_uniform = _impl.random_uniform
data_parallel = _impl.data_parallel
replica_loss_scale = _impl.replica_loss_scale
replica_gather = _impl.replica_gather

__all__ = [
    "name",
    "value_and_grad",
    "input_gradient",
    "GameTrainer",
    "instance_norm",
    "WINDOW_MATH",
    "fast_convolutions",
    "JIT_DOUBLE_BACKWARD",
    "EXPORT_FORMATS",
    "resolve_auto_jit",
    "inference_mode",
    "DATA_PARALLEL_REFUSAL",
    "LOSS_SCALING_REFUSAL",
    "replica_draw",
    "random_normal",
    "random_uniform",
    "data_parallel",
    "replica_loss_scale",
    "replica_gather",
]
