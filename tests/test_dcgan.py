"""DCGAN builders: shapes for 28/32/64 px, conditional variants, tanh range,
PyTorch BatchNorm settings, one training step."""

import keras
import numpy as np
import pytest

import keras_gans as kg
from keras_gans.architectures import dcgan_discriminator, dcgan_generator


@pytest.mark.parametrize("size,channels,start", [(28, 1, 7), (32, 3, 4), (64, 3, 4)])
def test_shapes(size, channels, start):
    g = dcgan_generator(latent_dim=8, image_size=size, channels=channels, filters=4, seed=0)
    d = dcgan_discriminator(image_size=size, channels=channels, filters=4, seed=0)
    assert tuple(g.output.shape) == (None, size, size, channels)
    assert tuple(d.output.shape) == (None, 1)
    assert tuple(g.get_layer("reshape").output.shape)[1:3] == (start, start)
    z = np.random.default_rng(0).standard_normal((3, 8)).astype("float32")
    x = keras.ops.convert_to_numpy(g(z, training=False))
    assert x.shape == (3, size, size, channels)
    assert tuple(d(x, training=False).shape) == (3, 1)
    # stride-2 stages: generator doubles up to `size`, discriminator halves down to `start`
    n_stages = int(np.log2(size // start))
    assert len([l for l in g.layers if isinstance(l, keras.layers.Conv2DTranspose)]) == n_stages
    convs = [l for l in d.layers if isinstance(l, keras.layers.Conv2D)]
    assert len(convs) == n_stages and all(c.strides == (2, 2) for c in convs)
    assert tuple(d.get_layer("flatten").input.shape)[1:3] == (start, start)


def test_filters_double_per_stage_and_radford_details():
    g = dcgan_generator(latent_dim=8, image_size=64, channels=3, filters=4)
    d = dcgan_discriminator(image_size=64, channels=3, filters=4)
    assert [l.filters for l in g.layers if isinstance(l, keras.layers.Conv2DTranspose)] == [16, 8, 4, 3]
    assert tuple(g.get_layer("reshape").output.shape) == (None, 4, 4, 32)
    assert [l.filters for l in d.layers if isinstance(l, keras.layers.Conv2D)] == [4, 8, 16, 32]
    for bn in [l for m in (g, d) for l in m.layers if isinstance(l, keras.layers.BatchNormalization)]:
        assert bn.epsilon == 1e-5 and bn.momentum == 0.9
    # no BatchNorm right after the discriminator's first conv; LeakyReLU 0.2 everywhere
    names = [l.name for l in d.layers]
    assert names[names.index("down0") + 1] == "down0_lrelu"
    assert all(l.negative_slope == pytest.approx(0.2) for l in d.layers if isinstance(l, keras.layers.LeakyReLU))
    assert g.layers[-1].get_config()["activation"] == "tanh"
    assert d.get_layer("logit").get_config()["activation"] == "linear"  # a logit, no sigmoid


def test_tanh_range():
    """The output layer is tanh: bounded by [-1, 1] and saturating at both ends."""
    g = dcgan_generator(latent_dim=16, image_size=28, channels=1, filters=8, seed=1)
    last = g.get_layer("to_image")
    kernel, bias = last.get_weights()
    z = np.random.default_rng(1).standard_normal((8, 16)).astype("float32")
    for shift in (-50.0, 50.0):  # pre-activations pushed far out, on either side
        last.set_weights([kernel, np.full_like(bias, shift)])
        x = keras.ops.convert_to_numpy(g(z, training=False))
        assert x.min() >= -1.0 and x.max() <= 1.0
        assert np.allclose(x, np.sign(shift), atol=1e-3)
    last.set_weights([kernel, bias])
    x = keras.ops.convert_to_numpy(g(z, training=False))
    assert -1.0 < x.min() < x.max() < 1.0 and x.std() > 0


@pytest.mark.parametrize("size", [28, 32])
def test_conditional_variants(size):
    g = dcgan_generator(latent_dim=8, image_size=size, channels=1, filters=4, num_classes=10, seed=0)
    d = dcgan_discriminator(image_size=size, channels=1, filters=4, num_classes=10, seed=0)
    assert len(g.inputs) == 2 and len(d.inputs) == 2
    assert tuple(g.inputs[1].shape) == (None,) and g.inputs[1].dtype == "int32"
    z = np.random.default_rng(0).standard_normal((4, 8)).astype("float32")
    labels = np.array([0, 3, 3, 9], "int32")
    x = keras.ops.convert_to_numpy(g([z, labels], training=False))
    assert x.shape == (4, size, size, 1)
    # the label changes the sample (and the verdict) for the same z
    x_other = keras.ops.convert_to_numpy(g([z, np.array([1, 3, 4, 0], "int32")], training=False))
    assert np.allclose(x[1], x_other[1]) and not np.allclose(x[0], x_other[0])
    out = keras.ops.convert_to_numpy(d([x, labels], training=False))
    out_other = keras.ops.convert_to_numpy(d([x, np.array([5, 3, 5, 5], "int32")], training=False))
    assert out.shape == (4, 1) and out[1] == pytest.approx(out_other[1], abs=1e-6)
    assert not np.allclose(out[0], out_other[0])
    assert d.get_layer("x_and_label").output.shape[-1] == 2  # image + one label channel
    kg.ConditionalGAN(g, d, latent_dim=8, num_classes=10)  # the game accepts the pair


def test_bad_arguments():
    with pytest.raises(ValueError, match="image_size in"):
        dcgan_generator(image_size=48)
    with pytest.raises(ValueError, match="image_size in"):
        dcgan_discriminator(image_size=128)
    with pytest.raises(ValueError, match="num_classes"):
        dcgan_generator(num_classes=1)


def test_seed_makes_weights_reproducible():
    a = dcgan_generator(8, 28, 1, 4, seed=3).get_weights()
    b = dcgan_generator(8, 28, 1, 4, seed=3).get_weights()
    assert all(np.array_equal(x, y) for x, y in zip(a, b))


@pytest.mark.parametrize("conditional", [False, True])
def test_one_training_step(conditional):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
    y = rng.integers(0, 10, 8).astype("int32")
    nc = 10 if conditional else None
    g = dcgan_generator(8, 28, 1, 4, num_classes=nc, seed=0)
    d = dcgan_discriminator(28, 1, 4, num_classes=nc, seed=1)
    if conditional:
        gan = kg.ConditionalGAN(g, d, latent_dim=8, num_classes=10, seed=0)
    else:
        gan = kg.GAN(g, d, latent_dim=8, seed=0)
    gan.compile(
        g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5), d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5)
    )
    before = [w.copy() for w in g.get_weights()], [w.copy() for w in d.get_weights()]
    data = (x, y) if conditional else (x,)
    logs = gan.train_on_batch(*data, return_dict=True)
    assert np.isfinite(logs["d_loss"]) and np.isfinite(logs["g_loss"])
    assert 0.5 < logs["d_loss"] < 2.5  # ~2 log 2 at init
    for old, new in zip(before, (g.get_weights(), d.get_weights())):
        assert any(not np.allclose(a, b) for a, b in zip(old, new))
    assert int(gan.g_optimizer.iterations) == 1 and int(gan.d_optimizer.iterations) == 1
