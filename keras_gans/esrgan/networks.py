"""ESRGAN / Real-ESRGAN / BasicSR super-resolution networks in Keras 3.

The authors' networks map RGB in ``[0, 1]`` to RGB in ``[0, 1]``; these end
with ``Rescaling(2, -1)`` (layer ``to_hr_range``), so that each is a
keras_gans SR generator, LR ``[0, 1]`` -> HR ``[-1, 1]``: it plugs into
``kg.SRGAN(g, None, adversarial_weight=0)``, ``upscale_images``, the
``keras-gans upscale`` / ``evaluate-sr`` commands and the zoo unchanged.

Every layer holding weights is named after the PyTorch module it stands
for, dots turned into underscores (``conv_first``; ``body.0.rdb1.conv1`` ->
layer ``body_0`` (an ``RRDB``), its convolution ``rdb1_conv1``), so that
converting a checkpoint is a renaming (``kg.esrgan.from_torch``). PyTorch's ``Conv2d(k, padding=k // 2)`` is a
``same`` convolution here (stride 1: the padding is symmetric).
"""

import keras
from keras import ops

from keras_gans.layers.pixel_shuffle import CropToScaledSize, PixelShuffle, PixelUnshuffle
from keras_gans.layers.upsampling import BilinearUpSampling2D
from keras_gans.srgan.networks import upsampling_factors


def _positive_int(value, what):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{what} must be a positive int; got {value!r}.")
    return value


def _conv(filters, name, activation=None, kernel=3):
    return keras.layers.Conv2D(filters, kernel, padding="same", activation=activation, name=name)


def _to_hr_range(x):
    """[0, 1] (the authors' output) -> [-1, 1] (keras_gans' SR generators')."""
    return keras.layers.Rescaling(2.0, offset=-1.0, name="to_hr_range")(x)


def _scaled_add(residual, x, scale, name):
    """``residual * scale + x`` (the authors' residual scaling)."""
    if scale != 1:
        residual = keras.layers.Rescaling(scale, name=f"{name}_scale")(residual)
    return keras.layers.Add(name=name)([residual, x])


def _lr_input(in_channels):
    return keras.Input((None, None, _positive_int(in_channels, "in_channels")), name="low_res")


@keras.saving.register_keras_serializable("keras_gans")
class RRDB(keras.layers.Layer):
    """ESRGAN's residual-in-residual dense block, as one layer.

    Three residual dense blocks ``rdb1..rdb3``, each five 3x3 convolutions
    ``rdbR_conv1..5``: conv ``k`` sees the block's input and the outputs of
    convs ``1..k-1`` concatenated (channels in that order), gives
    ``num_grow_ch`` maps through LeakyReLU(0.2), conv 5 ``num_feat`` maps
    without activation; each block returns ``conv5 * residual_scale +
    input``, and the RRDB ``rdb3 * residual_scale + input``.

    One layer rather than thirty: a model's intermediate tensors live until
    its call returns on eager backends (PyTorch), and the dense blocks'
    concatenations would hold about 300 KB per input pixel for 23 RRDBs.

    Args:
        num_feat: input and output maps (64).
        num_grow_ch: growth maps (32).
        residual_scale: the authors' 0.2.
    """

    #: input pixels an output pixel sees: fifteen 3x3 convolutions
    receptive_radius = 15

    def __init__(self, num_feat=64, num_grow_ch=32, residual_scale=0.2, **kwargs):
        super().__init__(**kwargs)
        self.num_feat = _positive_int(num_feat, "num_feat")
        self.num_grow_ch = _positive_int(num_grow_ch, "num_grow_ch")
        self.residual_scale = float(residual_scale)
        # keras' "leaky_relu" activation has negative_slope 0.2, the authors' slope
        self.convs = [
            _conv(num_grow_ch if k < 5 else num_feat, f"rdb{r}_conv{k}", "leaky_relu" if k < 5 else None)
            for r in (1, 2, 3)
            for k in (1, 2, 3, 4, 5)
        ]

    def build(self, input_shape):
        if input_shape[-1] != self.num_feat:
            raise ValueError(f"RRDB({self.num_feat}) takes {self.num_feat} channels; got shape {tuple(input_shape)}.")
        for i, conv in enumerate(self.convs):
            conv.build((*input_shape[:-1], self.num_feat + (i % 5) * self.num_grow_ch))
        self.built = True

    def call(self, x):
        s = self.residual_scale
        h = x
        for r in range(3):
            convs = self.convs[5 * r : 5 * r + 5]
            dense = [h]
            for conv in convs[:4]:
                dense.append(conv(dense[0] if len(dense) == 1 else ops.concatenate(dense, axis=-1)))
            h = convs[4](ops.concatenate(dense, axis=-1)) * s + h
        return h * s + x

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "num_feat": self.num_feat, "num_grow_ch": self.num_grow_ch,
                "residual_scale": self.residual_scale}


def rrdbnet(scale=4, num_block=23, num_feat=64, num_grow_ch=32, in_channels=3, out_channels=3, name="rrdbnet"):
    """ESRGAN's RRDBNet (Wang et al. 2018) as BasicSR / Real-ESRGAN build it.

    ``conv_first``; ``num_block`` ``RRDB`` layers ``body_N`` (three residual
    dense blocks of five 3x3 convolutions, growth ``num_grow_ch``, LeakyReLU
    0.2, residual scaling 0.2, and the RRDB's own); ``conv_body`` + the long
    skip; two nearest x2 upsamplings, each followed by a convolution
    (``conv_up1``, ``conv_up2``) and LeakyReLU 0.2; ``conv_hr`` + LeakyReLU;
    ``conv_last``. The network always upsamples x4: for ``scale`` 2 and 1 the
    input is first pixel-unshuffled by 2 and 4 (reflect-padded at the bottom
    and right to a multiple, as Real-ESRGAN's inference does, and the output
    cropped back), so any image size works.

    Args:
        scale: 4, 2 or 1 (RealESRGAN_x4plus: 4; RealESRGAN_x2plus: 2).
        num_block: RRDBs (23; the anime model: 6).
        num_feat: feature maps (64).
        num_grow_ch: growth channels of the dense blocks (32).
        in_channels / out_channels: image channels (3).

    LR ``[0, 1]`` -> HR ``[-1, 1]`` (see the module's docstring).
    """
    if scale not in (1, 2, 4):
        raise ValueError(f"rrdbnet: scale must be 4, 2 or 1 (BasicSR's RRDBNet); got {scale!r}.")
    for value, what in ((num_block, "num_block"), (num_feat, "num_feat"), (num_grow_ch, "num_grow_ch"),
                        (out_channels, "out_channels")):
        _positive_int(value, what)
    lr = _lr_input(in_channels)
    x = lr
    if scale != 4:
        x = PixelUnshuffle(4 // scale, padding="reflect", name="pixel_unshuffle")(lr)
    feat = _conv(num_feat, "conv_first")(x)
    h = feat
    for b in range(num_block):
        h = RRDB(num_feat, num_grow_ch, name=f"body_{b}")(h)
    feat = keras.layers.Add(name="body_skip")([feat, _conv(num_feat, "conv_body")(h)])
    for i in (1, 2):
        feat = keras.layers.UpSampling2D(2, interpolation="nearest", name=f"upsample{i}")(feat)
        feat = _conv(num_feat, f"conv_up{i}", activation="leaky_relu")(feat)
    feat = _conv(num_feat, "conv_hr", activation="leaky_relu")(feat)
    out = _conv(out_channels, "conv_last")(feat)
    if scale != 4:
        out = CropToScaledSize(scale, name="crop")([out, lr])
    return keras.Model(lr, _to_hr_range(out), name=name)


def srvgg_net_compact(num_feat=64, num_conv=16, upscale=4, act_type="prelu", in_channels=3, out_channels=3,
                      name="srvgg_net_compact"):
    """Real-ESRGAN's SRVGGNetCompact (realesr-animevideov3: ``num_conv=16``;
    realesr-general-x4v3: ``num_conv=32``).

    ``body_0``: 3x3 conv to ``num_feat`` and ``body_1`` its activation; then
    ``num_conv`` times conv + activation (``body_2`` ... ``body_{2 num_conv
    + 1}``); the last conv ``body_{2 num_conv + 2}`` to ``out_channels *
    upscale**2``; PixelShuffle(``upscale``); plus the input upsampled by
    ``upscale`` (nearest): the body learns the residual.

    Args:
        num_feat: feature maps (64).
        num_conv: body convolutions between the first and the last (16).
        upscale: the factor (4).
        act_type: "prelu" (one slope per channel, the published models),
            "relu" or "leakyrelu" (slope 0.1).
        in_channels / out_channels: image channels (3).

    LR ``[0, 1]`` -> HR ``[-1, 1]`` (see the module's docstring).
    """
    for value, what in ((num_feat, "num_feat"), (upscale, "upscale"), (out_channels, "out_channels")):
        _positive_int(value, what)
    if isinstance(num_conv, bool) or not isinstance(num_conv, int) or num_conv < 0:
        raise ValueError(f"num_conv must be an int >= 0; got {num_conv!r}.")
    if act_type not in ("prelu", "relu", "leakyrelu"):
        raise ValueError(f"act_type must be 'prelu', 'relu' or 'leakyrelu'; got {act_type!r}.")
    if in_channels != out_channels:
        raise ValueError(
            f"srvgg_net_compact adds the upsampled input to its output, so in_channels ({in_channels}) "
            f"must equal out_channels ({out_channels})."
        )

    def activation(i):
        if act_type == "prelu":
            return keras.layers.PReLU(shared_axes=[1, 2], name=f"body_{i}")
        if act_type == "relu":
            return keras.layers.ReLU(name=f"body_{i}")
        return keras.layers.LeakyReLU(0.1, name=f"body_{i}")

    lr = _lr_input(in_channels)
    x = lr
    for i in range(num_conv + 1):
        x = _conv(num_feat, f"body_{2 * i}")(x)
        x = activation(2 * i + 1)(x)
    x = _conv(out_channels * upscale * upscale, f"body_{2 * num_conv + 2}")(x)
    x = PixelShuffle(upscale, name="upsampler")(x)
    base = keras.layers.UpSampling2D(upscale, interpolation="nearest", name="base")(lr)
    out = keras.layers.Add(name="add_base")([x, base])
    return keras.Model(lr, _to_hr_range(out), name=name)


def msrresnet(upscale=4, num_block=16, num_feat=64, in_channels=3, out_channels=3, name="msrresnet"):
    """BasicSR's MSRResNet (the "modified SRResNet": no BatchNorm, LeakyReLU 0.1).

    ``conv_first`` + LeakyReLU; ``num_block`` residual blocks ``body_N``
    (conv1 - ReLU - conv2, + identity); ``upconv1`` (and ``upconv2`` for x4)
    to ``num_feat * r * r``, PixelShuffle(r), LeakyReLU; ``conv_hr`` +
    LeakyReLU; ``conv_last``; plus the input upsampled bilinearly (half-pixel
    centres, PyTorch's ``align_corners=False``).

    Args:
        upscale: 2, 3 or 4.
        num_block: residual blocks (16).
        num_feat: feature maps (64).
        in_channels / out_channels: image channels (3).
    """
    if upscale not in (2, 3, 4):
        raise ValueError(f"msrresnet: upscale must be 2, 3 or 4 (BasicSR's MSRResNet); got {upscale!r}.")
    for value, what in ((num_block, "num_block"), (num_feat, "num_feat"), (out_channels, "out_channels")):
        _positive_int(value, what)
    if in_channels != out_channels:
        raise ValueError(f"msrresnet adds the upsampled input: in_channels ({in_channels}) must equal "
                         f"out_channels ({out_channels}).")
    lr = _lr_input(in_channels)
    x = keras.layers.LeakyReLU(0.1, name="conv_first_act")(_conv(num_feat, "conv_first")(lr))
    for b in range(num_block):
        h = _conv(num_feat, f"body_{b}_conv1", activation="relu")(x)
        x = keras.layers.Add(name=f"body_{b}_out")([x, _conv(num_feat, f"body_{b}_conv2")(h)])
    factors = [2, 2] if upscale == 4 else [upscale]
    for i, r in enumerate(factors, start=1):
        x = _conv(num_feat * r * r, f"upconv{i}")(x)
        x = PixelShuffle(r, name=f"pixel_shuffle{i}")(x)
        x = keras.layers.LeakyReLU(0.1, name=f"upconv{i}_act")(x)
    x = keras.layers.LeakyReLU(0.1, name="conv_hr_act")(_conv(num_feat, "conv_hr")(x))
    x = _conv(out_channels, "conv_last")(x)
    base = BilinearUpSampling2D(upscale, name="base")(lr)
    out = keras.layers.Add(name="add_base")([x, base])
    return keras.Model(lr, _to_hr_range(out), name=name)


#: EDSR's DIV2K RGB mean (BasicSR's default ``rgb_mean``).
DIV2K_RGB_MEAN = (0.4488, 0.4371, 0.4040)


def edsr(upscale=4, num_block=16, num_feat=64, res_scale=1.0, img_range=255.0, rgb_mean=DIV2K_RGB_MEAN,
         in_channels=3, out_channels=3, name="edsr"):
    """EDSR (Lim et al. 2017) as BasicSR builds it.

    The input is mean-shifted and scaled, ``(x - rgb_mean) * img_range``
    (layer ``sub_mean``); ``conv_first``; ``num_block`` residual blocks
    ``body_N`` (conv1 - ReLU - conv2, scaled by ``res_scale``, + identity);
    ``conv_after_body`` + the long skip; ``upsample``: per x2 factor (or once
    for x3) a conv to ``num_feat * r * r`` and PixelShuffle(r), named
    ``upsample_0``, ``upsample_2``, ... as in BasicSR's ``nn.Sequential``;
    ``conv_last``; ``x / img_range + rgb_mean``, folded with the move to
    ``[-1, 1]`` into one ``Rescaling`` (``to_hr_range``).

    Args:
        upscale: a power of two or 3 (EDSR-M/L x2, x3, x4).
        num_block: residual blocks (EDSR-M 16, EDSR-L 32).
        num_feat: feature maps (EDSR-M 64, EDSR-L 256).
        res_scale: residual scaling (EDSR-M 1, EDSR-L 0.1).
        img_range, rgb_mean: BasicSR's defaults (255, the DIV2K mean).
        in_channels / out_channels: image channels (3).
    """
    factors = upsampling_factors(upscale)
    for value, what in ((num_block, "num_block"), (num_feat, "num_feat"), (out_channels, "out_channels")):
        _positive_int(value, what)
    _positive_int(in_channels, "in_channels")
    mean = [float(m) for m in rgb_mean]
    if len(mean) not in (1, in_channels) or len(mean) not in (1, out_channels):
        raise ValueError(f"rgb_mean must hold one value per channel ({in_channels}); got {rgb_mean!r}.")
    img_range = float(img_range)
    lr = _lr_input(in_channels)
    x = keras.layers.Rescaling(img_range, offset=[-m * img_range for m in mean], name="sub_mean")(lr)
    x = _conv(num_feat, "conv_first")(x)
    h = x
    for b in range(num_block):
        r = _conv(num_feat, f"body_{b}_conv1", activation="relu")(h)
        h = _scaled_add(_conv(num_feat, f"body_{b}_conv2")(r), h, float(res_scale), f"body_{b}_out")
    h = keras.layers.Add(name="body_skip")([_conv(num_feat, "conv_after_body")(h), x])
    for i, r in enumerate(factors):
        h = _conv(num_feat * r * r, f"upsample_{2 * i}")(h)
        h = PixelShuffle(r, name=f"upsample_{2 * i + 1}")(h)
    out = _conv(out_channels, "conv_last")(h)
    # x / img_range + mean, then [0, 1] -> [-1, 1], in one affine map
    out = keras.layers.Rescaling(2.0 / img_range, offset=[2.0 * m - 1.0 for m in mean], name="to_hr_range")(out)
    return keras.Model(lr, out, name=name)
