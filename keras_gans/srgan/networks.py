"""SRResNet generator and SRGAN discriminator (Ledig et al., CVPR 2017, Fig. 4).

Value ranges (the paper's convention, section 3.2 / 4.2):

- generator input: the low-resolution (LR) image, RGB in ``[0, 1]``;
- generator output and discriminator input: the high-resolution (HR) image,
  RGB in ``[-1, 1]``. The output is linear (no tanh, as in the paper): clip it
  for display (``SRGAN.upscale`` does, and converts back to uint8 or [0, 1]).

Layers follow PyTorch's defaults where the paper's reference implementations
are PyTorch: BatchNormalization with ``epsilon=1e-5, momentum=0.9`` (PyTorch's
``eps=1e-5, momentum=0.1``), PReLU initialised to 0.25 (one slope per channel,
shared over height and width), convolutions with biases, strided convolutions
padded symmetrically by 1 (``ZeroPadding2D(1)`` + ``valid``, PyTorch's
``padding=1``), PixelShuffle with PyTorch's channel order. Weights trained in
PyTorch can thus be ported layer by layer (conv kernels OIHW -> HWIO, Dense
weights transposed; the discriminator's Flatten is channels-last, so the first
Dense's rows must be permuted from PyTorch's CHW flattening to HWC).
"""

import math

import keras

from keras_gans.layers.pixel_shuffle import PixelShuffle

BN_EPSILON = 1e-5
BN_MOMENTUM = 0.9


def _bn(name):
    return keras.layers.BatchNormalization(epsilon=BN_EPSILON, momentum=BN_MOMENTUM, name=name)


def _prelu(name):
    return keras.layers.PReLU(
        alpha_initializer=keras.initializers.Constant(0.25), shared_axes=[1, 2], name=name
    )


def _positive_int(value, what):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{what} must be a positive int; got {value!r}.")
    return value


def upsampling_factors(scale):
    """The PixelShuffle factors for ``scale``: ``[2] * log2(scale)`` for a
    power of two (the paper's two x2 blocks for x4), ``[3]`` for x3."""
    if isinstance(scale, bool) or not isinstance(scale, int) or scale < 2:
        raise ValueError(
            f"scale must be an int upscaling factor: a power of two (2, 4, 8, ...) or 3; got {scale!r}."
        )
    if scale == 3:
        return [3]
    n = int(round(math.log2(scale)))
    if 2**n != scale:
        raise ValueError(
            f"scale={scale} is not supported: SRResNet upsamples with x2 sub-pixel blocks, so "
            "scale must be a power of two (2, 4, 8, ...) or 3."
        )
    return [2] * n


def srresnet(scale=4, blocks=16, filters=64, channels=3, image_size=None, name="srresnet"):
    """The SRResNet generator ``G``: LR ``[0, 1]`` -> HR ``[-1, 1]``, ``scale`` x larger.

    ``k9n64s1`` conv + PReLU; ``blocks`` residual blocks (conv3x3 - BN -
    PReLU - conv3x3 - BN, + identity); conv3x3 - BN + the long skip from the
    first PReLU; per x2 factor: conv3x3 to ``4 * filters`` - PixelShuffle(2)
    - PReLU; final ``k9`` conv to ``channels`` (linear).

    Args:
        scale: upscaling factor, a power of two (the paper: 4) or 3.
        blocks: residual blocks ``B`` (the paper: 16).
        filters: feature maps (the paper: 64).
        channels: image channels (3 for RGB).
        image_size: LR input side, or None (the default) for any height and
            width (the network is fully convolutional).
    """
    factors = upsampling_factors(scale)
    _positive_int(blocks, "blocks")
    _positive_int(filters, "filters")
    _positive_int(channels, "channels")
    if image_size is not None:
        _positive_int(image_size, "image_size")

    def conv(f, k, n):
        return keras.layers.Conv2D(f, k, padding="same", name=n)

    lr = keras.Input((image_size, image_size, channels), name="low_res")
    x = conv(filters, 9, "conv_in")(lr)
    x = skip = _prelu("prelu_in")(x)
    for b in range(blocks):
        h = conv(filters, 3, f"res{b}_conv1")(x)
        h = _bn(f"res{b}_bn1")(h)
        h = _prelu(f"res{b}_prelu")(h)
        h = conv(filters, 3, f"res{b}_conv2")(h)
        h = _bn(f"res{b}_bn2")(h)
        x = keras.layers.Add(name=f"res{b}_add")([x, h])
    x = conv(filters, 3, "conv_mid")(x)
    x = _bn("bn_mid")(x)
    x = keras.layers.Add(name="long_skip")([skip, x])
    for i, r in enumerate(factors):
        x = conv(filters * r * r, 3, f"up{i}_conv")(x)
        x = PixelShuffle(r, name=f"up{i}_shuffle")(x)
        x = _prelu(f"up{i}_prelu")(x)
    hr = conv(channels, 9, "conv_out")(x)
    model = keras.Model(lr, hr, name=name)
    return model


def srgan_discriminator(filters=64, image_size=96, channels=3, dense=1024, name="srgan_discriminator"):
    """The SRGAN discriminator ``D``: HR ``[-1, 1]`` -> one logit per image.

    Eight 3x3 convolutions with ``filters, filters, 2f, 2f, 4f, 4f, 8f, 8f``
    feature maps (64 ... 512 in the paper) and strides ``1, 2, 1, 2, ...``,
    BatchNorm after every convolution but the first, LeakyReLU(0.2); then
    Dense(``dense``) - LeakyReLU(0.2) - Dense(1). No sigmoid: the adversarial
    losses take logits.

    Args:
        filters: feature maps of the first convolutions (the paper: 64).
        image_size: HR crop side (the paper: 96); a multiple of 16.
        channels: image channels.
        dense: units of the hidden dense layer (the paper: 1024).
    """
    _positive_int(filters, "filters")
    _positive_int(channels, "channels")
    _positive_int(dense, "dense")
    if image_size is None:
        raise ValueError(
            "srgan_discriminator needs a fixed image_size (its Dense layers see the flattened "
            "final feature map); the paper uses 96x96 HR crops."
        )
    _positive_int(image_size, "image_size")
    if image_size % 16:
        raise ValueError(
            f"srgan_discriminator: image_size must be a multiple of 16 (four stride-2 "
            f"convolutions); got {image_size}."
        )
    x = inp = keras.Input((image_size, image_size, channels), name="high_res")
    for i in range(8):
        f = filters * 2 ** (i // 2)
        stride = 1 + i % 2
        if stride == 2:
            x = keras.layers.ZeroPadding2D(1, name=f"pad{i}")(x)
            x = keras.layers.Conv2D(f, 3, strides=2, padding="valid", name=f"conv{i}")(x)
        else:
            x = keras.layers.Conv2D(f, 3, padding="same", name=f"conv{i}")(x)
        if i > 0:
            x = _bn(f"bn{i}")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"lrelu{i}")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(dense, name="dense")(x)
    x = keras.layers.LeakyReLU(0.2, name="lrelu_dense")(x)
    logit = keras.layers.Dense(1, name="logit")(x)
    return keras.Model(inp, logit, name=name)
