"""Whole-image inference of a fully convolutional network in bounded memory.

    out = kg.streaming.run(generator, image_in_model_range, tile=512)   # (H', W', C') float32

Why: a network whose normalization layers use the statistics of the whole
image (instance normalization, as in CycleGAN's and pix2pix's generators)
cannot be run on overlapping tiles independently: each tile would be
normalized by its own statistics, get its own colours, and seams would show.
Running the whole image at once needs memory in proportion to the image
(a 12-megapixel photo through CycleGAN's ResNet generator: ~45 GB).

How: the network is executed layer by layer, and each layer tile by tile:

- a convolution (``Conv2D``, ``Conv2DTranspose``) computes its output in
  ``tile`` x ``tile`` pieces, each from exactly the input window it needs
  (the kernel's reach, not the network's receptive field), and stores the
  result in memory while all stored arrays together stay within
  ``spill_bytes`` (a budget, 128 MiB by default), else in a temporary file
  (read and written by windows, so it sits in the page cache, not in the
  process);
- a normalization with whole-image statistics (``InstanceNormalization``)
  first streams over its input for each channel's mean and variance (per
  tile, the tiles combined in float64), then becomes a per-channel affine
  map applied as tiles are read;
- padding, cropping, nearest upsampling and element-wise layers (ReLU,
  activations, Add, ...) are applied lazily as tiles are read (as backend
  tensors or NumPy arrays: ``kg.backend.WINDOW_MATH``); a tensor read by
  several layers (a residual block's input) is stored once, a convolution
  that only a pixel shuffle reads is not stored at all.

The result equals the whole-image forward pass up to float rounding (the
convolutions see the same inputs; only summation order differs). Peak memory
is a few tiles' activations plus what is kept in memory below
``spill_bytes``; the disk holds the intermediate arrays of the layers still
needed (the page cache keeps them in memory when there is room). Compute is
one forward pass plus the kernels' halos.

Supported layers: InputLayer, Conv2D (any stride, 'valid' or stride-1
'same'), Conv2DTranspose ('valid'), ZeroPadding2D,
``kg.layers.ReflectionPadding2D``, Cropping2D, UpSampling2D (nearest),
``kg.layers.PixelShuffle``/``PixelUnshuffle``/``BilinearUpSampling2D``/
``CropToScaledSize``, any stride-1 block that states its
``receptive_radius`` (``kg.esrgan.RRDB``), ``kg.layers.InstanceNormalization``,
BatchNormalization (inference: moving statistics), ReLU, LeakyReLU, PReLU,
Activation, Add, Concatenate, Rescaling. Any other layer is an error naming
it. So the super-resolution networks (SRResNet, RRDBNet, SRVGGNetCompact,
MSRResNet, EDSR) stream too: exact tiles with memory bounded by the tile
even where the receptive field is hundreds of pixels (RRDBNet: 349).
"""

import math
import os
import tempfile
import weakref

import keras
import numpy as np
from keras import ops

from keras_gans.backend import WINDOW_MATH, inference_mode
from keras_gans.layers.instance_normalization import InstanceNormalization
from keras_gans.layers.pixel_shuffle import CropToScaledSize, PixelShuffle, PixelUnshuffle
from keras_gans.layers.upsampling import BilinearUpSampling2D
from keras_gans.layers.reflection_padding import ReflectionPadding2D

#: memory budget (bytes) for the arrays a run stores, all of them together: an array that would take
#: the total alive past it goes to a temporary file instead (files cost a copy through the page
#: cache on every write and read). A budget, not a size limit per array, so that memory stays bounded
#: by it plus the tiles whatever the photo and the network (benchmarks/RESULTS.md: peak RSS by size).
SPILL_BYTES = 128 << 20
_CONVS = (keras.layers.Conv2D, keras.layers.Conv2DTranspose)  # the second is no subclass of the first


# ------------------------------------------------------------ lazy tensors
def _numpy(tensor):
    """A backend tensor (or a NumPy array, not copied) as a float32 NumPy array."""
    if not isinstance(tensor, np.ndarray):
        tensor = ops.convert_to_numpy(tensor)  # (TF's copies even a NumPy array)
    return np.asarray(tensor, np.float32)


class _BackendMath:
    """Windows as backend tensors: the element-wise work between convolutions
    runs on the backend's threads (torch: cheap eager calls)."""

    @staticmethod
    def tensor(array):
        return ops.convert_to_tensor(np.ascontiguousarray(array, np.float32))

    @staticmethod
    def layer_output(y):
        return y

    @staticmethod
    def zeros(shape):
        return ops.zeros(shape, "float32")

    @staticmethod
    def tile_moments(x):
        mean = ops.mean(x, axis=(0, 1))
        m2 = ops.sum(ops.square(x - mean), axis=(0, 1))
        return _numpy(mean).astype(np.float64), _numpy(m2).astype(np.float64)

    @staticmethod
    def affine(x, a, b):
        return ops.add(ops.multiply(x, a), b)

    pad, take, add = staticmethod(ops.pad), staticmethod(ops.take), staticmethod(ops.add)
    concatenate, expand_dims = staticmethod(ops.concatenate), staticmethod(ops.expand_dims)


class _NumPyMath:
    """Windows as NumPy arrays (one thread, but no per-call dispatch, and no
    compilation per window shape as JAX's eager operations have)."""

    tensor = layer_output = staticmethod(_numpy)

    @staticmethod
    def zeros(shape):
        return np.zeros(shape, np.float32)

    @staticmethod
    def tile_moments(x):
        mean = x.mean(axis=(0, 1), dtype=np.float64)
        d = x - mean.astype(np.float32)  # one float32 temporary
        return mean, np.square(d, out=d).sum(axis=(0, 1), dtype=np.float64)

    @staticmethod
    def affine(x, a, b):
        y = x * a
        y += b  # in place: one window-sized temporary, not two
        return y

    pad, take, add = staticmethod(np.pad), staticmethod(np.take), staticmethod(np.add)
    concatenate, expand_dims = staticmethod(np.concatenate), staticmethod(np.expand_dims)


#: where windows live between convolutions on this backend (``kg.backend.WINDOW_MATH``); tests set both
_MATH = {"backend": _BackendMath, "numpy": _NumPyMath}[WINDOW_MATH]


class _Node:
    """A (H, W, C) float32 tensor that can be read by windows (each a
    ``_MATH`` window: a backend tensor or a NumPy array)."""

    shape = (0, 0, 0)

    def read(self, y0, y1, x0, x1):  # pragma: no cover - interface
        raise NotImplementedError


class _Stored(_Node):
    """An array (in memory or a file) or the input image, read through
    ``fn`` (e.g. uint8 -> the model's range) when given."""

    def __init__(self, array, fn=None):
        self.array, self.fn = array, fn
        self.shape = tuple(array.shape)

    def read(self, y0, y1, x0, x1):
        window = self.array[y0:y1, x0:x1]
        return _MATH.tensor(window if self.fn is None else self.fn(window))


class _FileArray:
    """A float32 ``(H, W, C)`` array in a temporary file, read and written by
    windows with ``os.pread``/``os.pwrite`` (row by row): the data live in
    the page cache, not in the process (a memmap's touched pages would
    count in its resident memory). The file is deleted with the object."""

    def __init__(self, shape, folder):
        self.shape = tuple(int(s) for s in shape)
        fd, path = tempfile.mkstemp(suffix=".f32", dir=folder)
        os.ftruncate(fd, 4 * math.prod(self.shape))
        self.fd = fd
        weakref.finalize(self, _close_and_remove, fd, path)

    def _rows(self, key):
        (ys, xs), (h, w, c) = key, self.shape
        y0, y1, _ = ys.indices(h)
        x0, x1, _ = xs.indices(w)
        return y0, y1, x0, x1, c, 4 * (w * c)

    def __getitem__(self, key):
        y0, y1, x0, x1, c, row = self._rows(key)
        out = np.empty((y1 - y0, x1 - x0, c), np.float32)
        n = 4 * (x1 - x0) * c
        for i, y in enumerate(range(y0, y1)):
            buf = os.pread(self.fd, n, y * row + 4 * x0 * c)
            out[i] = np.frombuffer(buf, np.float32).reshape(x1 - x0, c)
        return out

    def __setitem__(self, key, value):
        y0, y1, x0, x1, c, row = self._rows(key)
        value = np.ascontiguousarray(value, np.float32)
        for i, y in enumerate(range(y0, y1)):
            os.pwrite(self.fd, value[i].tobytes(), y * row + 4 * x0 * c)


def _close_and_remove(fd, path):
    try:
        os.close(fd)
        os.unlink(path)
    except OSError:
        pass


class _Budget:
    """Bytes of the stored arrays alive in memory, against ``limit``."""

    def __init__(self, limit):
        self.limit, self.used = limit, 0

    def new_array(self, shape, spill_dir):
        """An empty float32 array: in memory while the budget allows it, else
        in a temporary file in ``spill_dir``."""
        nbytes = 4 * math.prod(shape)
        if spill_dir is not None and self.used + nbytes > self.limit:
            return _FileArray(shape, spill_dir)
        out = np.empty(shape, np.float32)
        self.used += nbytes
        weakref.finalize(out, self._release, nbytes)  # given back when no node holds the array
        return out

    def _release(self, nbytes):
        self.used -= nbytes


class _Pad(_Node):
    """Zero or reflection padding as an index map over its source."""

    def __init__(self, src, padding, mode):
        (t, b), (l, r) = padding
        self.src, self.t, self.l, self.mode = src, t, l, mode
        h, w, c = src.shape
        if mode == "reflect" and (t >= h or b >= h or l >= w or r >= w):
            raise ValueError(f"reflection padding of {padding} needs an input larger than {h}x{w}.")
        self.shape = (h + t + b, w + l + r, c)

    def read(self, y0, y1, x0, x1):
        h, w, c = self.src.shape
        ya, yb, xa, xb = y0 - self.t, y1 - self.t, x0 - self.l, x1 - self.l
        if ya >= 0 and xa >= 0 and yb <= h and xb <= w:  # inside the source: no index map
            return self.src.read(ya, yb, xa, xb)
        ca, cb, da, db = max(ya, 0), min(yb, h), max(xa, 0), min(xb, w)  # the part inside
        if self.mode != "reflect":  # zeros around what lies inside
            if ca >= cb or da >= db:
                return _MATH.zeros((y1 - y0, x1 - x0, c))
            return _MATH.pad(self.src.read(ca, cb, da, db), ((ca - ya, yb - cb), (da - xa, xb - db), (0, 0)))
        # reflection about the first / last row and column: i -> |i|, then n - 1 - |n - 1 - i|
        iy = (h - 1) - np.abs((h - 1) - np.abs(np.arange(ya, yb)))
        ix = (w - 1) - np.abs((w - 1) - np.abs(np.arange(xa, xb)))
        ra, rb, sa, sb = int(iy.min()), int(iy.max()) + 1, int(ix.min()), int(ix.max()) + 1
        block = self.src.read(ra, rb, sa, sb)
        return _MATH.take(_MATH.take(block, iy - ra, axis=0), ix - sa, axis=1)


class _Crop(_Node):
    def __init__(self, src, cropping):
        (t, b), (l, r) = cropping
        self.src, self.t, self.l = src, t, l
        h, w, c = src.shape
        self.shape = (h - t - b, w - l - r, c)

    def read(self, y0, y1, x0, x1):
        return self.src.read(y0 + self.t, y1 + self.t, x0 + self.l, x1 + self.l)


class _Upsample(_Node):
    def __init__(self, src, size):
        self.src, (self.sy, self.sx) = src, size
        h, w, c = src.shape
        self.shape = (h * self.sy, w * self.sx, c)

    def read(self, y0, y1, x0, x1):
        ya, yb = y0 // self.sy, (y1 - 1) // self.sy + 1
        xa, xb = x0 // self.sx, (x1 - 1) // self.sx + 1
        block = self.src.read(ya, yb, xa, xb)
        iy = np.arange(y0, y1) // self.sy - ya
        ix = np.arange(x0, x1) // self.sx - xa
        return _MATH.take(_MATH.take(block, iy, axis=0), ix, axis=1)


class _Conv(_Node):
    """A convolution computed on read: each window from exactly the input
    window it needs (stride-1 'same' convolutions run on a zero-padded window
    whose rim is dropped)."""

    def __init__(self, layer, src, runner):
        k, s = layer.kernel_size, layer.strides
        self.layer, self.runner, self.k, self.s = layer, runner, k, s
        self.transpose = isinstance(layer, keras.layers.Conv2DTranspose)
        self.same = layer.padding == "same"
        if self.same:
            src = _Pad(src, ((k[0] // 2, (k[0] - 1) // 2), (k[1] // 2, (k[1] - 1) // 2)), "zero")
        self.src = src
        h, w, _ = src.shape
        if self.transpose:
            self.shape = (s[0] * (h - 1) + k[0], s[1] * (w - 1) + k[1], layer.filters)
        else:
            self.shape = ((h - k[0]) // s[0] + 1, (w - k[1]) // s[1] + 1, layer.filters)

    def read(self, y0, y1, x0, x1):
        (k, s), (h, w, _) = (self.k, self.s), self.src.shape
        if self.transpose:  # output o = s * i + j, j < k: inputs i in [ceil((o0 - k + 1) / s), (o1 - 1) // s]
            ia, ib = max(0, -(-(y0 - k[0] + 1) // s[0])), min(h, (y1 - 1) // s[0] + 1)
            ja, jb = max(0, -(-(x0 - k[1] + 1) // s[1])), min(w, (x1 - 1) // s[1] + 1)
            res = self.runner.call(self.layer, self.src.read(ia, ib, ja, jb))
            return res[y0 - s[0] * ia : y1 - s[0] * ia, x0 - s[1] * ja : x1 - s[1] * ja]
        window = self.src.read(y0 * s[0], (y1 - 1) * s[0] + k[0], x0 * s[1], (x1 - 1) * s[1] + k[1])
        res = self.runner.call(self.layer, window)
        if self.same:
            top, left = k[0] // 2, k[1] // 2
            return res[top : top + y1 - y0, left : left + x1 - x0]
        return res


class _Local(_Node):
    """A layer whose output pixel ``o`` depends on input pixels within
    ``halo`` of ``o * down / up`` (a stride-1 block with a
    ``receptive_radius``, pixel shuffles, bilinear upsampling), computed on
    read: each output window from the input window around it, clipped at the
    image's border so the layer's own border handling applies there as on
    the whole image; the window's rim is dropped."""

    def __init__(self, layer, src, runner, up=1, down=1, halo=0):
        self.layer, self.src, self.runner, self.up, self.down, self.halo = layer, src, runner, up, down, halo
        h, w, _ = src.shape
        channels = layer.compute_output_shape((1, up * down, up * down, src.shape[-1]))[-1]
        self.shape = (h * up // down, w * up // down, channels)

    def read(self, y0, y1, x0, x1):
        (h, w, _), up, down, halo = self.src.shape, self.up, self.down, self.halo
        ia, ib = max(0, y0 * down // up - halo), min(h, -(-y1 * down // up) + halo)
        ja, jb = max(0, x0 * down // up - halo), min(w, -(-x1 * down // up) + halo)
        if down > 1:  # the window starts on the unshuffle grid
            ia, ja = ia - ia % down, ja - ja % down
        res = self.runner.call(self.layer, self.src.read(ia, ib, ja, jb))
        ya, xa = ia * up // down, ja * up // down
        return res[y0 - ya : y1 - ya, x0 - xa : x1 - xa]


class _Output(_Node):
    """The network's output, read window by window as float32 NumPy arrays
    (what ``run(..., output=)`` receives); ``count``: each read is a step of
    the progress (the last convolution runs as its output is read)."""

    def __init__(self, src, runner, count):
        self.src, self.runner, self.count, self.shape, self.tile = src, runner, count, src.shape, runner.tile

    def read(self, y0, y1, x0, x1):
        out = _numpy(self.src.read(y0, y1, x0, x1))
        if self.count:
            self.runner.step()
        return out


class _Map(_Node):
    """``fn(*windows of srcs)``: an element-wise layer (or a channel concat)."""

    def __init__(self, fn, srcs, channels=None):
        self.fn, self.srcs = fn, srcs
        h, w, c = srcs[0].shape
        self.shape = (h, w, c if channels is None else channels)

    def read(self, y0, y1, x0, x1):
        return self.fn(*[s.read(y0, y1, x0, x1) for s in self.srcs])


# ------------------------------------------------------------------ runner
class _Runner:
    def __init__(self, tile, spill_dir, spill_bytes, progress, total):
        self.tile, self.spill_dir, self.budget = tile, spill_dir, _Budget(spill_bytes)
        self.progress, self.total, self.done = progress, total, 0

    def tiles(self, h, w):
        t = self.tile
        for y0 in range(0, h, t):
            for x0 in range(0, w, t):
                yield y0, min(y0 + t, h), x0, min(x0 + t, w)

    def store(self, node, count=False):
        """``node`` computed once, tile by tile, into an array (memory or a
        temporary file); ``count``: each tile is a step of the progress."""
        out = self.budget.new_array(node.shape, self.spill_dir)
        for y0, y1, x0, x1 in self.tiles(*node.shape[:2]):
            out[y0:y1, x0:x1] = _numpy(node.read(y0, y1, x0, x1))
            if count:
                self.step()
        return _Stored(out)

    def step(self):
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)

    def call(self, layer, window):
        """``layer`` on one window; its output, a window."""
        x = _MATH.expand_dims(window, 0)
        return _MATH.layer_output((layer(x, training=False) if _takes_training(layer) else layer(x))[0])

    def conv(self, layer, src, store=True):
        """A convolution's output: computed tile by tile from the input windows
        it needs and stored, or (``store=False``: the network's last
        convolution) computed when its windows are read."""
        node = _Conv(layer, src, self)
        return self.store(node, count=True) if store else node

    def local(self, layer, src, up=1, down=1, halo=0, store=True):
        """A ``_Local`` layer's output: computed tile by tile and stored, or
        (``store=False``) computed when its windows are read."""
        node = _Local(layer, src, self, up, down, halo)
        return self.store(node, count=True) if store else node

    def moments(self, src):
        """Per-channel mean and (biased) variance of ``src`` over the whole
        image: each tile's mean and sum of squared deviations on the backend,
        the tiles combined in float64 (Chan et al.'s pairwise update: no
        cancellation however large the mean is against the spread)."""
        c = src.shape[-1]
        n, mean, m2 = 0, np.zeros(c), np.zeros(c)
        for y0, y1, x0, x1 in self.tiles(*src.shape[:2]):
            k = (y1 - y0) * (x1 - x0)
            tile_mean, tile_m2 = _MATH.tile_moments(src.read(y0, y1, x0, x1))
            delta, total = tile_mean - mean, n + k
            mean = mean + delta * (k / total)
            m2 = m2 + tile_m2 + delta**2 * (n * k / total)
            n = total
        return mean, m2 / n


def _takes_training(layer):
    return isinstance(layer, (keras.layers.BatchNormalization, keras.layers.Dropout))


def _affine(mean, var, epsilon, gamma, beta):
    """``(x - mean) / sqrt(var + epsilon) * gamma + beta`` as ``x * a + b`` (float32)."""
    inv = 1.0 / np.sqrt(var + epsilon)
    a = inv * (1.0 if gamma is None else np.asarray(ops.convert_to_numpy(gamma), np.float64))
    b = (0.0 if beta is None else np.asarray(ops.convert_to_numpy(beta), np.float64)) - mean * a
    a, b = _MATH.tensor(a), _MATH.tensor(np.broadcast_to(b, a.shape))
    return lambda x: _MATH.affine(x, a, b)


def _add(*xs):
    """``Add`` without the layer: a Keras call of a merge layer on the torch
    backend (Keras 3.15) leaves its converted inputs in a reference cycle that
    only a full garbage collection frees (window-sized garbage per tile: +1 GB
    of peak memory on a 12-megapixel translation)."""
    y = xs[0]
    for x in xs[1:]:
        y = _MATH.add(y, x)
    return y


def _elementwise(layer):
    def fn(*xs):
        y = layer(_MATH.expand_dims(xs[0], 0)) if len(xs) == 1 else layer([_MATH.expand_dims(x, 0) for x in xs])
        return _MATH.layer_output(y[0])

    return fn


def _tiled(layer):
    return isinstance(layer, _CONVS + _LOCAL) or getattr(layer, "receptive_radius", None) is not None


def _readers(model):
    """{id(tensor): [the layers that read it]}"""
    readers = {}
    for layer in model.layers:
        for node in layer._inbound_nodes:
            for t in node.input_tensors:
                readers.setdefault(id(t), []).append(layer)
    return readers


def _computed_as_read(model):
    """The layers computed as their output is read, never stored: the last
    convolution (only point-wise layers between it and the output: no float
    copy of the output), a convolution that only a pixel shuffle reads (each
    pixel read once), and a pixel shuffle that only point-wise layers
    separate from the last convolution (its halo's rows are computed twice:
    a few percent, against writing and reading an upscaler's largest map).
    Returns ``(last convolution or None, {id(layer)})``."""
    readers = _readers(model)
    last = _last_conv(model, {k: len(v) for k, v in readers.items()})
    lazy = set() if last is None else {id(last)}
    for layer in model.layers:
        if isinstance(layer, _CONVS) and len(layer._inbound_nodes) == 1:
            (t,) = layer._inbound_nodes[0].outputs
            only = readers.get(id(t), [])
            if len(only) == 1 and isinstance(only[0], PixelShuffle):
                lazy.add(id(layer))
    t = None if last is None else last._inbound_nodes[0].input_tensors[0]
    while t is not None and len(readers.get(id(t), [])) == 1:
        layer = t._keras_history[0]
        if isinstance(layer, PixelShuffle):
            lazy.add(id(layer))
        if not isinstance(layer, _POINTWISE) or len(layer._inbound_nodes) != 1:
            break
        (t,) = layer._inbound_nodes[0].input_tensors
    return last, lazy


def _conv_tiles(model, shape, tile):
    """How many tiles a run computes (the progress total), from the output
    shape of every layer computed and stored in tiles, and of the output
    (None if Keras cannot say)."""
    last, lazy = _computed_as_read(model)
    convs = [layer for layer in model.layers if _tiled(layer) and (id(layer) not in lazy or layer is last)]
    if not convs:
        return 0
    try:
        shapes = keras.Model(model.inputs, [c.output for c in convs]).compute_output_shape((1, *shape))
    except Exception:  # noqa: BLE001  (a graph Keras cannot re-shape: no total, progress still counts)
        return None
    return sum(math.ceil(s[1] / tile) * math.ceil(s[2] / tile) for s in shapes)


def run(model, image, tile=512, progress=None, spill_dir=None, spill_bytes=None, output=None,
        input_map=None):
    """Run a functional Keras ``model`` on one image, layer by layer in tiles.

    Args:
        model: a functional ``keras.Model`` of the supported layers (see the
            module docstring), one input and one output.
        image: ``(H, W, C)`` array in the model's input range, or in any
            range with ``input_map``: a function applied to each window of
            it as it is read (e.g. ``kg.images.to_model_range`` for uint8, so
            no float copy of the whole image is made).
        tile: side of the tiles each layer is computed in, in that layer's
            own pixels (memory per tile: ``tile**2 * channels * 4`` bytes).
        progress: optional ``callable(done, total)`` after each conv tile
            (``total`` may be None when it cannot be counted in advance).
        spill_dir: folder for the temporary files of the arrays beyond
            the budget (default: the system's temporary folder); deleted
            when no longer needed.
        spill_bytes: the budget: bytes of stored arrays kept in memory at
            once (default ``SPILL_BYTES``, read at call time; 0: every
            array in a file).
        output: optional ``callable(node) -> result`` instead of storing the
            output: receives the output as a lazy tensor with ``.shape``
            and ``.read(y0, y1, x0, x1)`` (e.g. to convert it to uint8 tile
            by tile). Default: a float32 array of the output.

    Returns the output ``(H', W', C')`` (float32; see ``output``).
    """
    if isinstance(tile, bool) or not isinstance(tile, (int, np.integer)) or tile < 1:
        raise ValueError(f"streaming: tile must be a positive int; got {tile!r}.")
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise ValueError("streaming: the model must have one input and one output.")
    image = np.asarray(image)
    if image.ndim != 3:
        raise ValueError(f"streaming: one image (height, width, channels) expected; got shape {image.shape}.")
    for layer in model.layers:
        _check_supported(layer)
    spill_bytes = SPILL_BYTES if spill_bytes is None else spill_bytes
    with inference_mode(), tempfile.TemporaryDirectory(prefix="keras_gans_stream_", dir=spill_dir) as tmp:
        runner = _Runner(int(tile), tmp, spill_bytes, progress, _conv_tiles(model, image.shape, int(tile)))
        return _walk(model, image, runner, output, input_map)


def supported(model):
    """True when ``run`` can stream ``model`` (a functional model of the supported layers)."""
    try:
        if len(model.inputs) != 1 or len(model.outputs) != 1:
            return False
        for layer in model.layers:
            _check_supported(layer)
    except (AttributeError, ValueError, TypeError):
        return False
    return True


def collect(node, fn=None, dtype=np.float32, tile=None):
    """A lazy output (what ``run(..., output=)`` receives) as an array of
    ``dtype``, window by window (``tile``, default the run's) through ``fn``
    (e.g. a conversion to uint8): no float copy of a large output is made."""
    tile = tile or getattr(node, "tile", 512)
    h, w, c = node.shape
    out = np.empty((h, w, c), dtype)
    for y0 in range(0, h, tile):
        for x0 in range(0, w, tile):
            y1, x1 = min(y0 + tile, h), min(x0 + tile, w)
            block = node.read(y0, y1, x0, x1)
            out[y0:y1, x0:x1] = block if fn is None else fn(block)
    return out


def _walk(model, image, runner, output, input_map):
    values = {id(model.inputs[0]): _Stored(image, input_map)}
    consumers = {k: len(v) for k, v in _readers(model).items()}
    last, lazy = _computed_as_read(model)
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if len(layer._inbound_nodes) != 1:
            raise ValueError(f"streaming: layer {layer.name} is used {len(layer._inbound_nodes)} times; "
                             "shared layers are not supported.")
        node = layer._inbound_nodes[0]
        srcs = [values[id(t)] for t in node.input_tensors]
        out = _apply(layer, srcs, runner, store=id(layer) not in lazy)
        for t in node.input_tensors:  # what no later layer reads is dropped (its file deleted)
            consumers[id(t)] -= 1
            if consumers[id(t)] == 0 and t is not model.outputs[0]:
                del values[id(t)]
        (t_out,) = node.outputs
        if consumers.get(id(t_out), 0) > 1 and not isinstance(out, _Stored):
            out = runner.store(out)  # read by several layers: computed once
        values[id(t_out)] = out
    final = _Output(values[id(model.outputs[0])], runner, count=last is not None)
    return collect(final) if output is None else output(final)


_POINTWISE = (keras.layers.ReLU, keras.layers.LeakyReLU, keras.layers.PReLU, keras.layers.Activation,
              keras.layers.Rescaling, keras.layers.Dropout)


def _last_conv(model, consumers):
    """The convolution that only point-wise layers separate from the output
    (CycleGAN's last conv before tanh, an upscaler's before its rescaling):
    computed as the output is read, so no float copy of the output is made."""
    t = model.outputs[0]
    while True:
        layer = t._keras_history[0]
        if isinstance(layer, _CONVS):
            return layer
        if not isinstance(layer, _POINTWISE) or len(layer._inbound_nodes) != 1:
            return None
        (t,) = layer._inbound_nodes[0].input_tensors
        if consumers.get(id(t), 0) != 1:
            return None


_LOCAL = (PixelShuffle, PixelUnshuffle, BilinearUpSampling2D)  # and layers stating a receptive_radius
_LAZY = (CropToScaledSize, ReflectionPadding2D, keras.layers.ZeroPadding2D, keras.layers.Cropping2D, keras.layers.UpSampling2D,
         InstanceNormalization, keras.layers.BatchNormalization, keras.layers.Concatenate, keras.layers.ReLU,
         keras.layers.LeakyReLU, keras.layers.Activation, keras.layers.Add, keras.layers.Rescaling,
         keras.layers.Dropout, keras.layers.InputLayer, keras.layers.PReLU)


def _check_supported(layer):
    """Before any work: every layer is one streaming runs, with settings it runs."""
    if not isinstance(layer, _CONVS + _LAZY + _LOCAL) and getattr(layer, "receptive_radius", None) is None:
        raise ValueError(
            f"streaming: layer {layer.name} ({type(layer).__name__}) is not supported: tiled whole-image "
            "inference runs convolutions, paddings, croppings, nearest upsampling, instance/batch "
            "normalization and element-wise layers."
        )
    if isinstance(layer, _CONVS):
        if max(layer.dilation_rate) != 1:
            raise ValueError(f"streaming: {layer.name} is dilated; not supported.")
        if layer.padding == "same" and (isinstance(layer, keras.layers.Conv2DTranspose) or max(layer.strides) != 1):
            raise ValueError(f"streaming: {layer.name} has padding='same' with strides {layer.strides}; only "
                             "stride-1 'same' convolutions (and 'valid' ones) are supported.")
    if isinstance(layer, keras.layers.UpSampling2D) and not isinstance(layer, BilinearUpSampling2D) \
            and layer.interpolation != "nearest":
        raise ValueError(f"streaming: {layer.name} upsamples with {layer.interpolation!r}; only 'nearest'.")


def _apply(layer, srcs, runner, store=True):
    """``layer`` on its sources' nodes; ``store``: whether a convolution or
    pixel shuffle stores its output (else it is computed as read)."""
    src = srcs[0]
    if isinstance(layer, _CONVS):
        return runner.conv(layer, src, store)
    if isinstance(layer, PixelShuffle):
        return runner.local(layer, src, up=layer.scale, store=store)
    if isinstance(layer, PixelUnshuffle):
        r = layer.scale
        if layer.padding == "reflect":  # bottom / right up to a multiple of r, as the layer itself does
            src = _Pad(src, ((0, -src.shape[0] % r), (0, -src.shape[1] % r)), "reflect")
        return runner.local(layer, src, down=r)
    if isinstance(layer, BilinearUpSampling2D):
        return runner.local(layer, src, up=layer.size[0], halo=1)
    if getattr(layer, "receptive_radius", None) is not None:  # a stride-1 block (e.g. kg.esrgan.RRDB)
        return runner.local(layer, src, halo=int(layer.receptive_radius))
    if isinstance(layer, CropToScaledSize):
        ref, s = srcs[1], layer.scale
        return _Crop(src, ((0, src.shape[0] - s * ref.shape[0]), (0, src.shape[1] - s * ref.shape[1])))
    if isinstance(layer, ReflectionPadding2D):
        return _Pad(src, layer.padding, "reflect")
    if isinstance(layer, keras.layers.ZeroPadding2D):
        return _Pad(src, layer.padding, "zero")
    if isinstance(layer, keras.layers.Cropping2D):
        return _Crop(src, layer.cropping)
    if isinstance(layer, keras.layers.UpSampling2D):
        return _Upsample(src, tuple(layer.size))
    if isinstance(layer, InstanceNormalization):
        mean, var = runner.moments(src)
        return _Map(_affine(mean, var, layer.epsilon, layer.gamma, layer.beta), [src])
    if isinstance(layer, keras.layers.BatchNormalization):
        mean = np.asarray(ops.convert_to_numpy(layer.moving_mean), np.float64)
        var = np.asarray(ops.convert_to_numpy(layer.moving_variance), np.float64)
        return _Map(_affine(mean, var, layer.epsilon, layer.gamma, layer.beta), [src])
    if isinstance(layer, keras.layers.Concatenate):
        return _Map(lambda *xs: _MATH.concatenate(xs, axis=-1), srcs, sum(s.shape[-1] for s in srcs))
    if isinstance(layer, keras.layers.Add):  # the residual connections
        return _Map(_add, srcs)
    return _Map(_elementwise(layer), srcs)  # ReLU, LeakyReLU, PReLU, Activation, Rescaling, Dropout


__all__ = ["run", "supported", "collect", "SPILL_BYTES"]
