"""CycleGAN networks (Zhu et al., ICCV 2017): the ResNet generator and the
70x70 PatchGAN discriminator, layer for layer as in the authors' PyTorch code
(junyanz/pytorch-CycleGAN-and-pix2pix, ``models/networks.py``:
``ResnetGenerator`` and ``NLayerDiscriminator`` with ``norm='instance'``,
``init_type='normal'``, ``init_gain=0.02``, no dropout).

PyTorch conventions reproduced exactly, so that the official weights load
(``kg.cyclegan.from_torch``) and give the same images:

- instance normalization without affine parameters and without running
  statistics (``InstanceNorm2d(affine=False, track_running_stats=False)``,
  eps 1e-5); convolutions followed by it keep their biases (``use_bias=True``
  when ``norm='instance'``);
- ``Conv2d(padding=1)`` is ``ZeroPadding2D(1)`` + a ``valid`` convolution
  (Keras' ``same`` pads stride-2 convolutions asymmetrically);
- ``ConvTranspose2d(k=3, stride=2, padding=1, output_padding=1)`` is a
  ``valid`` ``Conv2DTranspose`` (output ``2H + 1``) followed by cropping the
  first row and column (output ``2H``): PyTorch's output position is
  ``o = 2 i + k - 1`` while Keras' ``same`` gives ``o = 2 i + k``, a one-pixel
  shift;
- layers are named after the PyTorch module they stand for
  (``model_1`` is ``model.1``, ``model_10_conv_block_5`` is
  ``model.10.conv_block.5``).

Images are RGB in ``[-1, 1]`` (the generator ends in tanh). Both networks are
fully convolutional; ``image_size=None`` accepts any height and width
(the generator needs multiples of 4, the PatchGAN at least
``3 * 2**n_layers`` pixels, e.g. 24 for ``n_layers=3``).
"""

import keras

from keras_gans.layers.instance_normalization import InstanceNormalization
from keras_gans.layers.reflection_padding import ReflectionPadding2D


def _positive_int(value, what):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{what} must be a positive int; got {value!r}.")
    return value


@keras.saving.register_keras_serializable("keras_gans")
class NumpyNormal(keras.initializers.Initializer):
    """``N(mean, stddev)`` drawn with NumPy's ``default_rng(seed)``.

    The official ``init_type='normal', init_gain=0.02`` (conv weights ~
    N(0, 0.02)). Drawing on the host gives the same weights for a seed on
    every backend, and avoids one XLA compilation per weight shape on JAX
    (about a second each on a small CPU). ``seed=None`` draws fresh values.
    """

    def __init__(self, mean=0.0, stddev=0.02, seed=None):
        self.mean = float(mean)
        self.stddev = float(stddev)
        self.seed = seed

    def __call__(self, shape, dtype=None):
        import numpy as np

        rng = np.random.default_rng(self.seed)
        values = rng.normal(self.mean, self.stddev, size=tuple(shape))
        return values.astype(keras.backend.standardize_dtype(dtype or "float32"))

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


def _init(seed, index):
    """``init_type='normal', init_gain=0.02``: conv weights ~ N(0, 0.02), biases 0."""
    return NumpyNormal(0.0, 0.02, seed=None if seed is None else seed + index)


def _instance_norm(name):
    return InstanceNormalization(epsilon=1e-5, center=False, scale=False, name=name)


NORMS = ("instance", "batch")


def _check_norm(norm, what):
    if norm not in NORMS:
        raise ValueError(f"{what}: norm must be 'instance' or 'batch'; got {norm!r}.")
    return norm


def _norm(norm, name, seed=None):
    """The authors' ``get_norm_layer(norm)``: "instance" is
    ``InstanceNorm2d(affine=False)`` (no weights, no running statistics);
    "batch" is ``BatchNorm2d(affine=True)`` with running statistics, eps
    1e-5 and PyTorch's momentum 0.1 (Keras' 0.9), its scale initialised
    ~ N(1, 0.02) as ``init_weights`` does."""
    if norm == "instance":
        return _instance_norm(name)
    return keras.layers.BatchNormalization(
        momentum=0.9, epsilon=1e-5, gamma_initializer=NumpyNormal(1.0, 0.02, seed=seed), name=name
    )


def _input(image_size, channels, multiple, what):
    if image_size is None:
        return keras.Input((None, None, channels), name="image")
    if isinstance(image_size, int) and not isinstance(image_size, bool):
        image_size = (image_size, image_size)
    if (
        not isinstance(image_size, (tuple, list))
        or len(image_size) != 2
        or any(isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in image_size)
    ):
        raise ValueError(f"{what}: image_size must be None, an int or (height, width); got {image_size!r}.")
    h, w = image_size
    if h % multiple or w % multiple:
        raise ValueError(
            f"{what}: image_size {tuple(image_size)} must be a multiple of {multiple} on both sides."
        )
    return keras.Input((h, w, channels), name="image")


def resnet_generator(
    n_blocks=9,
    filters=64,
    channels=3,
    image_size=None,
    output_channels=None,
    seed=None,
    upsample="transpose",
    name="resnet_generator",
):
    """The CycleGAN generator (``ResnetGenerator``, ``resnet_9blocks`` /
    ``resnet_6blocks``): ``[-1, 1]`` image -> ``[-1, 1]`` image, same size.

    ``c7s1-F``: ReflectionPad(3), Conv 7x7 ``F``, IN, ReLU;
    ``d2F``, ``d4F``: Conv 3x3 stride 2 (zero pad 1), IN, ReLU;
    ``n_blocks`` x ``R4F``: ``x + [ReflectionPad(1), Conv 3x3, IN, ReLU,
    ReflectionPad(1), Conv 3x3, IN](x)``;
    ``u2F``, ``uF``: ConvTranspose 3x3 stride 2 (padding 1, output_padding 1),
    IN, ReLU; ``c7s1-3``: ReflectionPad(3), Conv 7x7, tanh.

    ``upsample="nearest"`` replaces each ConvTranspose by a nearest-neighbour
    x2 upsampling and a Conv 3x3 (zero pad 1), the resize-convolution of
    Odena et al. (Distill 2016): every output pixel then sees the same
    number of input pixels, so the transposed convolutions' checkerboard
    (energy at the stride-2 and stride-4 lattice) cannot arise. The authors'
    checkpoints use ``"transpose"`` (the default);
    ``kg.cyclegan.networks.transpose_to_resize_kernel`` starts the resize
    version from a trained transposed kernel.

    Args:
        n_blocks: residual blocks: 9 (the paper's for 256x256) or 6 (128x128).
        filters: ``F``, the width of the first layer (the paper: 64).
        channels: input image channels.
        image_size: None (any height and width divisible by 4), an int or
            ``(height, width)``.
        output_channels: output channels (default: ``channels``).
        seed: seed of the N(0, 0.02) weight initialization.
        upsample: ``"transpose"`` (the paper's) or ``"nearest"``
            (resize-convolution, see above).
    """
    if upsample not in ("transpose", "nearest"):
        raise ValueError(f"resnet_generator: upsample must be 'transpose' or 'nearest'; got {upsample!r}.")
    _positive_int(n_blocks, "resnet_generator: n_blocks")
    _positive_int(filters, "resnet_generator: filters")
    _positive_int(channels, "resnet_generator: channels")
    out_ch = channels if output_channels is None else _positive_int(output_channels, "output_channels")
    inp = _input(image_size, channels, 4, "resnet_generator")
    count = iter(range(10_000))

    def conv(x, f, k, idx, strides=1, pad=0):
        if pad:
            x = keras.layers.ZeroPadding2D(pad, name=f"{idx}_pad")(x)
        return keras.layers.Conv2D(
            f, k, strides=strides, padding="valid", use_bias=True,
            kernel_initializer=_init(seed, next(count)), name=idx,
        )(x)

    x = ReflectionPadding2D(3, name="model_0")(inp)
    x = conv(x, filters, 7, "model_1")
    x = _instance_norm("model_2")(x)
    x = keras.layers.ReLU(name="model_3")(x)
    i = 4
    for k in range(2):  # downsampling
        x = conv(x, filters * 2 ** (k + 1), 3, f"model_{i}", strides=2, pad=1)
        x = _instance_norm(f"model_{i + 1}")(x)
        x = keras.layers.ReLU(name=f"model_{i + 2}")(x)
        i += 3
    dim = filters * 4
    for _ in range(n_blocks):
        p = f"model_{i}_conv_block"
        h = ReflectionPadding2D(1, name=f"{p}_0")(x)
        h = conv(h, dim, 3, f"{p}_1")
        h = _instance_norm(f"{p}_2")(h)
        h = keras.layers.ReLU(name=f"{p}_3")(h)
        h = ReflectionPadding2D(1, name=f"{p}_4")(h)
        h = conv(h, dim, 3, f"{p}_5")
        h = _instance_norm(f"{p}_6")(h)
        x = keras.layers.Add(name=f"model_{i}")([x, h])
        i += 1
    for k in range(2):  # upsampling
        f = filters * 2 ** (1 - k)
        if upsample == "nearest":
            x = keras.layers.UpSampling2D(2, interpolation="nearest", name=f"model_{i}_up")(x)
            x = conv(x, f, 3, f"model_{i}", pad=1)
        else:
            x = keras.layers.Conv2DTranspose(
                f, 3, strides=2, padding="valid", use_bias=True,
                kernel_initializer=_init(seed, next(count)), name=f"model_{i}",
            )(x)
            x = keras.layers.Cropping2D(((1, 0), (1, 0)), name=f"model_{i}_crop")(x)
        x = _instance_norm(f"model_{i + 1}")(x)
        x = keras.layers.ReLU(name=f"model_{i + 2}")(x)
        i += 3
    x = ReflectionPadding2D(3, name=f"model_{i}")(x)
    x = conv(x, out_ch, 7, f"model_{i + 1}")
    out = keras.layers.Activation("tanh", name=f"model_{i + 2}")(x)
    return keras.Model(inp, out, name=name)


def _transpose_taps():
    """The linear maps from a 3x3 kernel to the taps of each output phase.

    ``T[p, q]`` (p, q in {0, 1}, the output row/column parity) is a (4, 9)
    matrix: the weights the PyTorch-convention transposed convolution
    (k3, s2, p1, op1) gives input pixels ``(m + dy, n + dx)``, dy, dx in
    {-1, 0, 1, ...} restricted to the 2x2 neighbourhood it reaches, as a
    function of its flattened kernel; ``N[p, q]`` the same for nearest x2
    upsampling followed by a 3x3 zero-padded convolution.
    """
    import numpy as np

    def taps_1d(kind, parity):
        # {input offset: [kernel index]} for output position o = 2m + parity
        if kind == "transpose":  # o = 2i + k - 1
            return {0: [1]} if parity == 0 else {0: [2], 1: [0]}
        # nearest: out(o) = sum_d up(o + d - 1) K[d], up(j) = x(j // 2)
        out = {}
        for d in range(3):
            out.setdefault((2 * 0 + parity + d - 1) // 2, []).append(d)
        return out

    offsets = (-1, 0, 1)
    mats = {}
    for kind in ("transpose", "nearest"):
        for p in (0, 1):
            for q in (0, 1):
                m = np.zeros((9, 9))
                ty, tx = taps_1d(kind, p), taps_1d(kind, q)
                for oy, ky in ty.items():
                    for ox, kx in tx.items():
                        row = offsets.index(oy) * 3 + offsets.index(ox)
                        for a in ky:
                            for b in kx:
                                m[row, a * 3 + b] += 1.0
                mats[kind, p, q] = m
    return mats


def transpose_to_resize_kernel(kernel):
    """A start for ``upsample="nearest"`` from a trained transposed kernel.

    ``kernel``: a Keras ``Conv2DTranspose`` kernel ``(3, 3, out, in)`` of
    ``resnet_generator(upsample="transpose")``. Returns the ``Conv2D`` kernel
    ``(3, 3, in, out)`` whose resize-convolution is closest, in least squares
    over the four output phases, to the transposed convolution (as a map
    from input pixels to output pixels). Not equal (the resize version
    cannot make the phase-dependent pattern that is the checkerboard): a
    fine-tune finishes the change.
    """
    import numpy as np

    mats = _transpose_taps()
    # PyTorch's weight[i, o, ky, kx] is Keras' kernel[ky, kx, o, i] (the converter's mapping)
    w = np.asarray(kernel, np.float64).transpose(2, 3, 0, 1)  # (out, in, ky, kx)
    flat = w.reshape(*w.shape[:2], 9)
    a = np.concatenate([mats["nearest", p, q] for p in (0, 1) for q in (0, 1)])  # (36, 9)
    b = np.concatenate([mats["transpose", p, q] for p in (0, 1) for q in (0, 1)])  # (36, 9)
    solve = np.linalg.lstsq(a, b, rcond=None)[0]  # (9, 9): resize kernel = solve @ transpose kernel
    k = np.einsum("ij,abj->abi", solve, flat).reshape(*w.shape[:2], 3, 3)  # (out, in, ky, kx)
    return k.transpose(2, 3, 1, 0).astype(np.float32)  # (ky, kx, in, out): a Keras Conv2D kernel


def patchgan_discriminator(
    filters=64,
    n_layers=3,
    channels=3,
    image_size=None,
    seed=None,
    norm="instance",
    name="patchgan_discriminator",
):
    """The PatchGAN discriminator (``NLayerDiscriminator``; ``n_layers=3`` is
    the 70x70 PatchGAN of CycleGAN and pix2pix): image -> map of logits, one
    per overlapping patch (30x30 for a 256x256 input).

    ``C64``: Conv 4x4 stride 2, LeakyReLU(0.2) (no norm); then for
    ``n = 1 .. n_layers-1``: Conv 4x4 stride 2 to ``F * min(2**n, 8)``, IN,
    LeakyReLU(0.2); then Conv 4x4 stride 1 to ``F * min(2**n_layers, 8)``,
    IN, LeakyReLU(0.2); then Conv 4x4 stride 1 to 1 channel (raw scores: the
    least-squares loss is applied to them directly). Every conv pads 1 with
    zeros. Spatial size: ``s -> floor(s/2)`` per stride-2 conv, ``-1`` per
    stride-1 conv.

    Args:
        filters: ``F`` (the paper: 64).
        n_layers: stride-2 convolutions (3: 70x70 receptive field).
        channels: input image channels (pix2pix's conditional
            discriminator: input + output channels, seen concatenated).
        image_size: None (any size large enough), an int or ``(height, width)``.
        seed: seed of the N(0, 0.02) weight initialization.
        norm: "instance" (CycleGAN's) or "batch" (pix2pix's: BatchNorm with
            running statistics, and, as in the authors' code, no bias in
            the convolutions it follows).
    """
    _positive_int(filters, "patchgan_discriminator: filters")
    _positive_int(n_layers, "patchgan_discriminator: n_layers")
    _positive_int(channels, "patchgan_discriminator: channels")
    _check_norm(norm, "patchgan_discriminator")
    use_bias = norm == "instance"  # the authors' use_bias: a batch norm's shift makes a bias redundant
    inp = _input(image_size, channels, 1, "patchgan_discriminator")
    count = iter(range(10_000))

    def conv(x, f, strides, idx, bias=True, **kwargs):
        x = keras.layers.ZeroPadding2D(1, name=f"{idx}_pad")(x)
        return keras.layers.Conv2D(
            f, 4, strides=strides, padding="valid", use_bias=bias,
            kernel_initializer=_init(seed, next(count)), name=idx, **kwargs,
        )(x)

    x = conv(inp, filters, 2, "model_0")
    x = keras.layers.LeakyReLU(0.2, name="model_1")(x)
    i = 2
    mult = 1
    for n in range(1, n_layers + 1):
        mult = min(2**n, 8)
        x = conv(x, filters * mult, 2 if n < n_layers else 1, f"model_{i}", bias=use_bias)
        x = _norm(norm, f"model_{i + 1}", None if seed is None else seed + 1000 + i)(x)
        x = keras.layers.LeakyReLU(0.2, name=f"model_{i + 2}")(x)
        i += 3
    # the score layer computes in float32 under a mixed precision policy (as Keras'
    # guide advises for output layers; torch's CPU bf16 backward of a 1-channel
    # 4x4 conv also fails: "slow_conv2d: grad_weight must be contiguous")
    out = conv(x, 1, 1, f"model_{i}", dtype="float32")
    return keras.Model(inp, out, name=name)
