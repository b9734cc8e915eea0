"""The pix2pix U-Net generator (Isola et al., CVPR 2017), layer for layer as
the authors' PyTorch ``UnetGenerator`` / ``UnetSkipConnectionBlock``
(junyanz/pytorch-CycleGAN-and-pix2pix, ``models/networks.py``), so that
their checkpoints load (``kg.pix2pix.from_torch``) and give the same images.

The network is ``num_downs`` nested blocks. Block ``d`` (0 = outermost)
halves the image with ``Conv 4x4 stride 2`` (zero pad 1), hands the result
to block ``d + 1``, doubles it back with ``ConvTranspose 4x4 stride 2``
(padding 1) and, except the outermost, concatenates its own input in front
of the result (the skip connection: channels ``[x, up(x)]``):

- outermost: ``Conv(in -> F)``, block 1, ``ReLU``, ``ConvT(2F -> out)``, ``tanh``;
- middle: ``LeakyReLU(0.2)``, ``Conv``, norm, block ``d + 1``, ``ReLU``,
  ``ConvT``, norm (``Dropout(0.5)`` in the ``num_downs - 5`` blocks of
  width ``8F`` above the innermost, when ``use_dropout``);
- innermost: ``LeakyReLU(0.2)``, ``Conv``, ``ReLU``, ``ConvT``, norm (no
  norm at the 1x1 bottleneck).

Widths (input -> inner channels) from the outside in: ``F, 2F, 4F, 8F,
8F, ...``. ``unet_256`` is ``num_downs=8`` (a 256x256 image reaches 1x1),
``unet_128`` is 7; sides must be multiples of ``2**num_downs``.

PyTorch conventions reproduced:

- ``norm="batch"`` (pix2pix's default) is ``BatchNorm2d(affine=True)`` with
  running statistics, eps 1e-5, momentum 0.1 (Keras' 0.9); the convolutions
  have no bias then, except the outermost ConvTranspose (the authors'
  ``use_bias = norm is InstanceNorm``). ``norm="instance"`` is
  ``InstanceNorm2d(affine=False)`` and every convolution has a bias;
- ``Conv2d(k=4, s=2, padding=1)`` is ``ZeroPadding2D(1)`` + a ``valid``
  convolution; ``ConvTranspose2d(k=4, s=2, padding=1)`` is a ``valid``
  ``Conv2DTranspose`` (``2H + 2``) cropped by one pixel on every side
  (``2H``);
- the authors' in-place ``LeakyReLU`` also rewrites the skip tensor, but
  the skip is only ever read through the enclosing block's ``ReLU``, and
  ``ReLU(LeakyReLU(x)) = ReLU(x)``: plain skips give the same output.

Layer names: every layer is named after the PyTorch module it stands for,
with "." written "_". Block ``d``'s ``nn.Sequential`` is ``model.model``
for the outermost, ``model.model.1.model`` for block 1, and one more
``.3.model`` per level below (``model.model.1.model.3.model`` is block 2);
its modules are numbered as in the authors' lists: outermost ``0`` Conv,
``3`` ConvT; middle ``0`` LeakyReLU, ``1`` Conv, ``2`` norm, ``4`` ReLU,
``5`` ConvT, ``6`` norm, ``7`` Dropout; innermost ``1`` Conv, ``3`` ConvT,
``4`` norm. So the state-dict entry ``model.model.1.model.3.model.1.weight``
is the kernel of layer ``model_model_1_model_3_model_1``, and a converter
only renames. Helper layers without weights carry a suffix: ``_pad``,
``_crop``, and ``_cat`` on the block module's own name for the
concatenation its ``forward`` does (``model_model_1_cat``: block 1's input
and output).
"""

import keras

from keras_gans.cyclegan.networks import _check_norm, _init, _input, _norm, _positive_int

MIN_DOWNS = 5  # the authors' UnetGenerator always has the outermost block, three below it and the innermost


def block_path(depth):
    """The PyTorch module path of block ``depth``'s ``nn.Sequential``
    (0: ``model.model``, 1: ``model.model.1.model``, 2:
    ``model.model.1.model.3.model``, ...)."""
    if depth == 0:
        return "model.model"
    return "model.model.1.model" + ".3.model" * (depth - 1)


def layer_name(depth, index):
    """The Keras name of module ``index`` of block ``depth``."""
    return f"{block_path(depth)}.{index}".replace(".", "_")


def torch_prefix(name):
    """The state-dict prefix of a U-Net layer (``model_model_0`` ->
    ``model.model.0``)."""
    return name.replace("_", ".")


def unet_depth(image_size):
    """The U-Net's ``num_downs`` for a training crop: the authors' unet_256
    (8) from 256 px up, else the depth that takes the crop to 1x1 (unet_128:
    7 at 128 px); the crop must be a multiple of ``2**num_downs``."""
    depth = min(8, int(image_size).bit_length() - 1) if image_size >= 2**MIN_DOWNS else 0
    if depth < MIN_DOWNS or image_size % 2**depth:
        raise ValueError(f"pix2pix: the image size must be a multiple of 256, or 32, 64 or 128 (the U-Net halves it "
                         f"5 to 8 times); got {image_size}.")
    return depth


def norm_of(model):
    """The norm a U-Net (or PatchGAN) was built with: "batch" when it has a
    ``BatchNormalization`` layer, else "instance"."""
    return "batch" if any(isinstance(layer, keras.layers.BatchNormalization) for layer in model.layers) else "instance"


def unet_generator(
    num_downs=8,
    filters=64,
    in_channels=3,
    out_channels=3,
    norm="batch",
    use_dropout=True,
    image_size=None,
    seed=None,
    name="unet_generator",
):
    """The pix2pix generator (the authors' ``UnetGenerator``; see the module
    docstring for the layers): ``[-1, 1]`` image -> ``[-1, 1]`` image of the
    same height and width.

    Args:
        num_downs: downsamplings: 8 (``unet_256``, the paper's) or 7
            (``unet_128``); at least 5. Sides must be multiples of
            ``2**num_downs``.
        filters: ``F``, the width of the outermost convolution (the paper: 64).
        in_channels, out_channels: image channels in and out.
        norm: "batch" (pix2pix's) or "instance".
        use_dropout: ``Dropout(0.5)`` in the ``num_downs - 5`` decoder blocks
            next to the innermost (the paper's noise ``z``; the authors'
            default, on).
        image_size: None (any multiple of ``2**num_downs``), an int or
            ``(height, width)``.
        seed: seed of the N(0, 0.02) weight initialization (batch-norm
            scales ~ N(1, 0.02)), as the authors' ``init_weights``.
    """
    _positive_int(num_downs, "unet_generator: num_downs")
    if num_downs < MIN_DOWNS:
        raise ValueError(f"unet_generator: num_downs must be >= {MIN_DOWNS} (the authors' smallest U-Net); "
                         f"got {num_downs}.")
    for what, v in (("filters", filters), ("in_channels", in_channels), ("out_channels", out_channels)):
        _positive_int(v, f"unet_generator: {what}")
    _check_norm(norm, "unet_generator")
    use_bias = norm == "instance"
    inp = _input(image_size, in_channels, 2**num_downs, "unet_generator")
    count = iter(range(10_000))
    s = lambda k: None if seed is None else seed + k  # noqa: E731

    def down(x, f, depth, index, bias):
        name = layer_name(depth, index)
        x = keras.layers.ZeroPadding2D(1, name=f"{name}_pad")(x)
        return keras.layers.Conv2D(f, 4, strides=2, padding="valid", use_bias=bias,
                                   kernel_initializer=_init(seed, next(count)), name=name)(x)

    def up(x, f, depth, index, bias):
        name = layer_name(depth, index)
        x = keras.layers.Conv2DTranspose(f, 4, strides=2, padding="valid", use_bias=bias,
                                         kernel_initializer=_init(seed, next(count)), name=name)(x)
        return keras.layers.Cropping2D(1, name=f"{name}_crop")(x)

    def norm_layer(x, depth, index):
        return _norm(norm, layer_name(depth, index), s(5000 + 10 * depth + index))(x)

    def width(depth):  # (outer, inner) channels of block depth >= 1
        return filters * min(2 ** (depth - 1), 8), filters * min(2**depth, 8)

    def block(x, depth):
        """Block ``depth >= 1`` applied to ``x``: ``[x, block(x)]`` on channels."""
        outer, inner = width(depth)
        h = keras.layers.LeakyReLU(0.2, name=layer_name(depth, 0))(x)
        h = down(h, inner, depth, 1, use_bias)
        if depth == num_downs - 1:  # innermost
            h = keras.layers.ReLU(name=layer_name(depth, 2))(h)
            h = up(h, outer, depth, 3, use_bias)
            h = norm_layer(h, depth, 4)
        else:
            h = norm_layer(h, depth, 2)
            h = block(h, depth + 1)
            h = keras.layers.ReLU(name=layer_name(depth, 4))(h)
            h = up(h, outer, depth, 5, use_bias)
            h = norm_layer(h, depth, 6)
            if use_dropout and depth >= 4:  # the num_downs - 5 blocks of width 8F above the innermost
                # always seeded: an unseeded Dropout on torch ignores its seed state (translate's repeatable masks)
                h = keras.layers.Dropout(0.5, seed=(seed or 0) + 9000 + depth, name=layer_name(depth, 7))(h)
        # the UnetSkipConnectionBlock (its Sequential's parent module) concatenates
        block_module = block_path(depth)[: -len(".model")]
        return keras.layers.Concatenate(axis=-1, name=f"{block_module.replace('.', '_')}_cat")([x, h])

    x = down(inp, filters, 0, 0, use_bias)
    x = block(x, 1)
    x = keras.layers.ReLU(name=layer_name(0, 2))(x)
    x = up(x, out_channels, 0, 3, True)
    out = keras.layers.Activation("tanh", name=layer_name(0, 4))(x)
    return keras.Model(inp, out, name=name)


__all__ = ["unet_generator", "unet_depth", "block_path", "layer_name", "torch_prefix", "norm_of"]
