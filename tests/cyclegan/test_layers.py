"""ReflectionPadding2D, InstanceNormalization and the CycleGAN network builders."""

import keras
import numpy as np
import pytest
from keras import ops

import keras_gans as kg
from keras_gans.layers import InstanceNormalization, ReflectionPadding2D


def rand(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


# ------------------------------------------------------------ reflection pad
@pytest.mark.parametrize(
    "padding, np_pad",
    [(1, ((1, 1), (1, 1))), (3, ((3, 3), (3, 3))), ((2, 1), ((2, 2), (1, 1))), (((1, 3), (0, 2)), ((1, 3), (0, 2)))],
)
def test_reflection_padding_equals_numpy_reflect(padding, np_pad):
    x = rand((2, 5, 6, 3))
    y = ops.convert_to_numpy(ReflectionPadding2D(padding)(x))
    expected = np.pad(x, ((0, 0), *np_pad, (0, 0)), mode="reflect")
    np.testing.assert_array_equal(y, expected)
    layer = ReflectionPadding2D(padding)
    assert layer.compute_output_shape((None, 5, None, 3)) == (None, 5 + sum(np_pad[0]), None, 3)


def test_reflection_padding_config_and_errors():
    layer = ReflectionPadding2D((2, 1), name="pad")
    clone = ReflectionPadding2D.from_config(layer.get_config())
    assert clone.padding == ((2, 2), (1, 1))
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert isinstance(restored, ReflectionPadding2D) and restored.padding == layer.padding
    with pytest.raises(ValueError, match="must be smaller than the input height 3"):
        ReflectionPadding2D(3)(rand((1, 3, 8, 1)))
    with pytest.raises(ValueError, match="padding must be an int >= 0"):
        ReflectionPadding2D(-1)
    with pytest.raises(ValueError, match="rank-4"):
        ReflectionPadding2D(1).compute_output_shape((None, 8, 3))


def test_unknown_height_and_width_model_runs_on_several_sizes():
    inp = keras.Input((None, None, 2))
    x = ReflectionPadding2D(2)(inp)
    x = keras.layers.Conv2D(4, 5, padding="valid")(x)
    x = InstanceNormalization(center=False, scale=False)(x)
    model = keras.Model(inp, x)
    assert model.output_shape == (None, None, None, 4)
    for h, w in ((8, 12), (5, 7)):
        assert tuple(model(rand((1, h, w, 2))).shape) == (1, h, w, 4)


# ------------------------------------------------------------ instance norm
def numpy_instance_norm(x, gamma=None, beta=None, eps=1e-5):
    x = x.astype(np.float64)
    mean = x.mean(axis=(1, 2), keepdims=True)
    var = x.var(axis=(1, 2), keepdims=True)  # biased
    y = (x - mean) / np.sqrt(var + eps)
    if gamma is not None:
        y = y * gamma
    if beta is not None:
        y = y + beta
    return y


def test_instance_norm_without_affine_matches_numpy():
    x = 3.0 * rand((2, 7, 5, 4)) + 2.0
    layer = InstanceNormalization(center=False, scale=False)
    y = ops.convert_to_numpy(layer(x))
    assert layer.weights == []
    np.testing.assert_allclose(y, numpy_instance_norm(x), atol=1e-5)
    np.testing.assert_allclose(y.mean(axis=(1, 2)), 0.0, atol=1e-5)
    assert layer.epsilon == 1e-5


def test_instance_norm_affine_matches_numpy_and_torch():
    x = rand((2, 6, 6, 3), seed=1) * 0.1  # small variance: eps matters
    layer = InstanceNormalization()
    layer.build(x.shape)
    gamma, beta = rand((3,), 2), rand((3,), 3)
    layer.set_weights([gamma, beta])
    y = ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(y, numpy_instance_norm(x, gamma, beta), atol=1e-4)
    torch = pytest.importorskip("torch")
    ref = torch.nn.InstanceNorm2d(3, eps=1e-5, affine=True, track_running_stats=False)
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(gamma))
        ref.bias.copy_(torch.from_numpy(beta))
        yt = ref(torch.from_numpy(x).permute(0, 3, 1, 2)).permute(0, 2, 3, 1).numpy()
    np.testing.assert_allclose(y, yt, atol=1e-4)
    plain = torch.nn.InstanceNorm2d(3)  # PyTorch's default: affine=False, no running stats
    yt = plain(torch.from_numpy(x).permute(0, 3, 1, 2)).permute(0, 2, 3, 1).numpy()
    y = ops.convert_to_numpy(InstanceNormalization(center=False, scale=False)(x))
    np.testing.assert_allclose(y, yt, atol=1e-4)


def test_instance_norm_config_and_errors():
    layer = InstanceNormalization(epsilon=1e-3, center=False)
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert (restored.epsilon, restored.center, restored.scale) == (1e-3, False, True)
    with pytest.raises(ValueError, match="rank >= 3"):
        InstanceNormalization()(rand((2, 3)))


# ------------------------------------------------------------ architectures
def test_official_sizes_and_parameter_counts():
    # resnet_9blocks and the 70x70 PatchGAN of the official code: 11,378,179 and 2,764,737 parameters
    g = kg.cyclegan.resnet_generator(n_blocks=9, image_size=256)
    d = kg.cyclegan.patchgan_discriminator(image_size=256)
    assert g.count_params() == 11_378_179
    assert d.count_params() == 2_764_737
    assert g.output_shape == (None, 256, 256, 3)
    assert d.output_shape == (None, 30, 30, 1)
    g6 = kg.cyclegan.resnet_generator(n_blocks=6, image_size=128)
    assert g6.count_params() == 7_837_699


def test_small_networks_run_at_any_multiple_of_four():
    g = kg.cyclegan.resnet_generator(n_blocks=2, filters=8, seed=0)
    d = kg.cyclegan.patchgan_discriminator(filters=8, seed=0)
    y = ops.convert_to_numpy(g(rand((1, 24, 40, 3))))  # not square, not a power of 2
    assert y.shape == (1, 24, 40, 3) and np.all(np.abs(y) <= 1.0) and y.std() > 0
    assert tuple(d(rand((2, 32, 32, 3))).shape) == (2, 2, 2, 1)
    # seeded initialisation is the same on every backend (drawn with NumPy)
    w = kg.cyclegan.resnet_generator(n_blocks=2, filters=8, seed=0).get_layer("model_1").kernel
    np.testing.assert_allclose(
        ops.convert_to_numpy(w)[0, 0, 0, :3], np.random.default_rng(0).normal(0, 0.02, (7, 7, 3, 8))[0, 0, 0, :3],
        rtol=1e-6,
    )
    with pytest.raises(ValueError, match="multiple of 4"):
        kg.cyclegan.resnet_generator(image_size=30)
    with pytest.raises(ValueError, match="n_blocks must be a positive int"):
        kg.cyclegan.resnet_generator(n_blocks=0)
