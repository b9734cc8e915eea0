"""DCGAN players (Radford, Metz & Chintala 2016, "Unsupervised Representation
Learning with Deep Convolutional GANs").

Generator: z -> Dense projection to a 4x4 (7x7 for 28 px) feature map -> BN +
ReLU -> stride-2 ``Conv2DTranspose`` (kernel 4) + BN + ReLU, doubling the size
and halving the filters each time -> a last stride-2 ``Conv2DTranspose`` to the
image channels with ``tanh`` (images in [-1, 1]).

Discriminator: stride-2 ``Conv2D`` (kernel 4) + LeakyReLU(0.2), BatchNorm on
every block but the first, doubling the filters, down to 4x4 (7x7) -> one
linear logit (no sigmoid: use a logit loss such as ``"non_saturating"``).

Weights are initialised as in the paper (N(0, 0.02) kernels, BN gamma
N(1, 0.02)); BatchNorm uses PyTorch's epsilon 1e-5 and momentum 0.1 (Keras
``momentum=0.9``).

Class-conditional variants (``num_classes=K``) take ``[z, labels]`` and
``[x, labels]`` with integer labels of shape ``(batch,)``, as
``kg.ConditionalGAN`` expects: the generator concatenates a learned label
embedding to z; the discriminator appends a learned per-class map as an extra
image channel.
"""

import math

import keras

_SIZES = (28, 32, 64)
BN_EPSILON = 1e-5
BN_MOMENTUM = 0.9  # Keras convention; equals PyTorch's momentum=0.1


def _check(image_size, channels, filters, num_classes, latent_dim=None):
    if image_size not in _SIZES:
        raise ValueError(
            f"DCGAN supports image_size in {_SIZES}; got {image_size!r}. "
            "(28 starts from 7x7, 32 and 64 from 4x4.)"
        )
    if not isinstance(channels, int) or channels < 1:
        raise ValueError(f"channels must be a positive int, got {channels!r}.")
    if not isinstance(filters, int) or filters < 1:
        raise ValueError(f"filters must be a positive int, got {filters!r}.")
    if num_classes is not None and (not isinstance(num_classes, int) or num_classes < 2):
        raise ValueError(f"num_classes must be None or an int >= 2, got {num_classes!r}.")
    if latent_dim is not None and (not isinstance(latent_dim, int) or latent_dim < 1):
        raise ValueError(f"latent_dim must be a positive int, got {latent_dim!r}.")


def _plan(image_size):
    """(start size, number of stride-2 stages)."""
    start = 7 if image_size == 28 else 4
    return start, int(round(math.log2(image_size // start)))


def _init(seed):
    return keras.initializers.RandomNormal(0.0, 0.02, seed=seed)


def _bn(name, seed):
    return keras.layers.BatchNormalization(
        epsilon=BN_EPSILON,
        momentum=BN_MOMENTUM,
        gamma_initializer=keras.initializers.RandomNormal(1.0, 0.02, seed=seed),
        name=name,
    )


def dcgan_generator(
    latent_dim=100,
    image_size=64,
    channels=3,
    filters=64,
    num_classes=None,
    embedding_dim=None,
    seed=None,
    name="generator",
):
    """The DCGAN generator.

    Args:
        latent_dim: size of z.
        image_size: 28, 32 or 64.
        channels: image channels (1 grey, 3 RGB).
        filters: filters of the last hidden stage; earlier stages double it
            (64 px, filters=64: 512 -> 256 -> 128 -> 64 -> channels).
        num_classes: make it class-conditional: inputs ``[z, labels]``.
        embedding_dim: size of the label embedding concatenated to z
            (default: min(50, num_classes)).
        seed: seed of the weight initialisers.

    Returns a ``keras.Model`` from z (or [z, labels]) to images in [-1, 1].
    """
    _check(image_size, channels, filters, num_classes, latent_dim)
    start, stages = _plan(image_size)
    seed_gen = _seeds(seed)
    z = keras.Input((latent_dim,), name="z")
    inputs = z
    h = z
    if num_classes is not None:
        labels = keras.Input((), dtype="int32", name="labels")
        emb = keras.layers.Embedding(
            num_classes,
            embedding_dim or min(50, num_classes),
            embeddings_initializer=keras.initializers.RandomNormal(0.0, 1.0, seed=next(seed_gen)),
            name="label_embedding",
        )(labels)
        h = keras.layers.Concatenate(name="z_and_label")([z, emb])
        inputs = [z, labels]
    width = filters * 2 ** (stages - 1)
    h = keras.layers.Dense(
        start * start * width, use_bias=False, kernel_initializer=_init(next(seed_gen)), name="project"
    )(h)
    h = keras.layers.Reshape((start, start, width), name="reshape")(h)
    h = _bn("project_bn", next(seed_gen))(h)
    h = keras.layers.ReLU(name="project_relu")(h)
    for i in range(stages - 1):
        width //= 2
        h = keras.layers.Conv2DTranspose(
            width, 4, strides=2, padding="same", use_bias=False,
            kernel_initializer=_init(next(seed_gen)), name=f"up{i}",
        )(h)
        h = _bn(f"up{i}_bn", next(seed_gen))(h)
        h = keras.layers.ReLU(name=f"up{i}_relu")(h)
    h = keras.layers.Conv2DTranspose(
        channels, 4, strides=2, padding="same", kernel_initializer=_init(next(seed_gen)), name="to_image"
    )(h)
    out = keras.layers.Activation("tanh", name="tanh")(h)
    return keras.Model(inputs, out, name=name)


def dcgan_discriminator(
    image_size=64,
    channels=3,
    filters=64,
    num_classes=None,
    seed=None,
    name="discriminator",
    norm="batch",
):
    """The DCGAN discriminator.

    Args:
        image_size: 28, 32 or 64.
        channels: image channels.
        filters: filters of the first conv; each further stage doubles them
            (64 px, filters=64: 64 -> 128 -> 256 -> 512 -> logit).
        num_classes: make it class-conditional: inputs ``[x, labels]``; a
            learned image-sized map per class is appended as an extra channel.
        seed: seed of the weight initialisers.
        norm: "batch" (the paper's), or None: no normalisation, for a critic
            with a gradient penalty (WGAN-GP's paper drops batch norm there:
            the penalty is per sample, batch norm mixes the samples).

    Returns a ``keras.Model`` from images (or [images, labels]) to one logit
    per image, shape (batch, 1).
    """
    _check(image_size, channels, filters, num_classes)
    if norm not in ("batch", None):
        raise ValueError(f"dcgan_discriminator: norm must be 'batch' or None; got {norm!r}.")
    _, stages = _plan(image_size)
    seed_gen = _seeds(seed)
    x = keras.Input((image_size, image_size, channels), name="x")
    inputs = x
    h = x
    if num_classes is not None:
        labels = keras.Input((), dtype="int32", name="labels")
        label_map = keras.layers.Embedding(
            num_classes,
            image_size * image_size,
            embeddings_initializer=keras.initializers.RandomNormal(0.0, 1.0, seed=next(seed_gen)),
            name="label_map",
        )(labels)
        label_map = keras.layers.Reshape((image_size, image_size, 1), name="label_channel")(label_map)
        h = keras.layers.Concatenate(axis=-1, name="x_and_label")([x, label_map])
        inputs = [x, labels]
    width = filters
    for i in range(stages):
        h = keras.layers.Conv2D(
            width, 4, strides=2, padding="same", use_bias=(i == 0 or norm is None),
            kernel_initializer=_init(next(seed_gen)), name=f"down{i}",
        )(h)
        bn_seed = next(seed_gen) if i > 0 else None  # drawn either way: the same seeds with or without norm
        if i > 0 and norm == "batch":
            h = _bn(f"down{i}_bn", bn_seed)(h)
        h = keras.layers.LeakyReLU(0.2, name=f"down{i}_lrelu")(h)
        width *= 2
    h = keras.layers.Flatten(name="flatten")(h)
    out = keras.layers.Dense(1, kernel_initializer=_init(next(seed_gen)), name="logit")(h)
    return keras.Model(inputs, out, name=name)


def _seeds(seed):
    """Distinct initializer seeds derived from ``seed`` (None: unseeded)."""
    i = 0
    while True:
        yield None if seed is None else seed * 1000 + i
        i += 1
