"""Spectral normalization, gradient penalty, R1, instance noise, weight clipping."""

import keras
import numpy as np
import pytest
from keras import ops

import keras_gans as kg
from toy import mlp_pair, ring_of_gaussians


def sigma_max(kernel, out_axis=-1):
    k = np.moveaxis(np.asarray(kernel, "float64"), out_axis, -1)
    return np.linalg.svd(k.reshape(-1, k.shape[-1]), compute_uv=False)[0]


@pytest.mark.parametrize(
    "make, shape, out_axis",
    [
        (lambda: keras.layers.Dense(16), (4, 8), -1),
        (lambda: keras.layers.Conv2D(6, 3), (2, 7, 7, 3), -1),
        (lambda: keras.layers.Conv2DTranspose(5, 3, strides=2), (2, 4, 4, 3), -2),
    ],
)
def test_spectral_norm_power_iteration_converges_to_unit_sigma(make, shape, out_axis):
    keras.utils.set_random_seed(1)
    layer = kg.layers.SpectralNormalization(make())
    x = np.random.default_rng(0).standard_normal(shape).astype("float32")
    before = ops.convert_to_numpy(layer(x)).copy()
    kernel = ops.convert_to_numpy(layer.layer.kernel).copy()
    for _ in range(200):
        layer(x, training=True)
    # the wrapped kernel is never overwritten: SN is a reparametrisation
    np.testing.assert_array_equal(ops.convert_to_numpy(layer.layer.kernel), kernel)
    w_sn = ops.convert_to_numpy(layer.normalized_kernel())
    assert abs(sigma_max(w_sn, out_axis) - 1.0) < 0.02
    np.testing.assert_allclose(w_sn, kernel / sigma_max(kernel, out_axis), rtol=2e-2, atol=1e-6)
    assert before.shape == ops.convert_to_numpy(layer(x)).shape


def test_spectral_norm_after_gan_training_steps():
    g, d = mlp_pair(width=32, spectral_norm=True, seed=0)
    gan = kg.GAN(g, d, latent_dim=2, seed=0)
    gan.compile(g_optimizer=keras.optimizers.Adam(2e-3), d_optimizer=keras.optimizers.Adam(2e-3))
    gan.fit(ring_of_gaussians(64 * 60), batch_size=64, epochs=1, verbose=0)
    sn_layers = [l for l in d.layers if isinstance(l, kg.layers.SpectralNormalization)]
    assert len(sn_layers) == 3
    for layer in sn_layers:
        assert abs(sigma_max(ops.convert_to_numpy(layer.normalized_kernel())) - 1.0) < 0.02


def test_spectral_norm_critic_called_twice_before_backward():
    """Two forward passes, then one backward (the torch failure mode of
    keras.layers.SpectralNormalization): gradients equal the sum of each pass'."""
    keras.utils.set_random_seed(2)
    _, d = mlp_pair(width=8, spectral_norm=True, seed=3)
    a = np.random.default_rng(0).standard_normal((5, 2)).astype("float32")
    b = np.random.default_rng(1).standard_normal((5, 2)).astype("float32")
    variables = d.trainable_variables

    def both():
        return ops.sum(d(a, training=True)) + ops.sum(d(b, training=True)), None

    loss, _, grads = kg.backend.value_and_grad(both, variables)
    grads = [ops.convert_to_numpy(g) for g in grads]
    assert all(np.all(np.isfinite(g)) for g in grads)
    assert sum(float(np.abs(g).sum()) for g in grads) > 0


def _smooth_critic(seed=0):
    keras.utils.set_random_seed(seed)
    x = keras.Input((3,))
    h = keras.layers.Dense(16, activation="tanh")(x)
    h = keras.layers.Dense(16, activation="softplus")(h)
    return keras.Model(x, keras.layers.Dense(1)(h))


def _fd_input_gradients(critic, x, eps=1e-3):
    x = x.astype("float64")
    grads = np.zeros_like(x)
    for i in range(x.shape[1]):
        dx = np.zeros_like(x)
        dx[:, i] = eps
        up = ops.convert_to_numpy(critic((x + dx).astype("float32"))).astype("float64")[:, 0]
        down = ops.convert_to_numpy(critic((x - dx).astype("float32"))).astype("float64")[:, 0]
        grads[:, i] = (up - down) / (2 * eps)
    return grads


def test_gradient_penalty_equals_finite_difference():
    critic = _smooth_critic()
    x = np.random.default_rng(0).standard_normal((6, 3)).astype("float32")
    gp = kg.regularizers.GradientPenalty(weight=10.0)
    fd_norms = np.linalg.norm(_fd_input_gradients(critic, x), axis=1)
    norms = ops.convert_to_numpy(kg.regularizers.gradient_norms(critic, x))
    np.testing.assert_allclose(norms, fd_norms, rtol=2e-3, atol=2e-4)
    value = float(ops.convert_to_numpy(gp.penalty(critic, x)))
    np.testing.assert_allclose(value, 10.0 * np.mean((fd_norms - 1.0) ** 2), rtol=5e-3, atol=1e-4)


def test_r1_equals_finite_difference():
    critic = _smooth_critic(1)
    x = np.random.default_rng(1).standard_normal((6, 3)).astype("float32")
    fd = _fd_input_gradients(critic, x)
    value = float(ops.convert_to_numpy(kg.regularizers.R1Penalty(gamma=4.0)(critic, x, x, None)))
    np.testing.assert_allclose(value, 2.0 * np.mean(np.sum(fd**2, axis=1)), rtol=5e-3, atol=1e-5)


def test_gradient_penalty_weight_gradient_double_backward():
    """d penalty / d weight (a double backward) matches a finite difference
    in that weight."""
    critic = _smooth_critic(2)
    x = np.random.default_rng(2).standard_normal((4, 3)).astype("float32")
    gp = kg.regularizers.GradientPenalty(weight=1.0)
    var = critic.layers[1].kernel
    _, _, (grad,) = kg.backend.value_and_grad(lambda: (gp.penalty(critic, x), None), [var])
    grad = ops.convert_to_numpy(grad)
    w0 = ops.convert_to_numpy(var).copy()
    eps = 1e-2
    for idx in [(0, 0), (1, 5), (2, 11)]:
        values = []
        for sign in (1, -1):
            w = w0.copy()
            w[idx] += sign * eps
            var.assign(w)
            values.append(float(ops.convert_to_numpy(gp.penalty(critic, x))))
        var.assign(w0)
        fd = (values[0] - values[1]) / (2 * eps)
        np.testing.assert_allclose(grad[idx], fd, rtol=2e-2, atol=2e-4)


def test_instance_noise_schedule_and_magnitude():
    noise = kg.regularizers.InstanceNoise(stddev=0.2, decay_steps=100)
    assert float(ops.convert_to_numpy(noise.stddev_at(0))) == pytest.approx(0.2)
    assert float(ops.convert_to_numpy(noise.stddev_at(50))) == pytest.approx(0.1)
    assert float(ops.convert_to_numpy(noise.stddev_at(250))) == pytest.approx(0.0)
    seed = keras.random.SeedGenerator(0)
    x = np.zeros((20000, 1), "float32")
    out = ops.convert_to_numpy(noise(ops.convert_to_tensor(x), 50, seed))
    assert out.std() == pytest.approx(0.1, rel=0.03)
    assert abs(out.mean()) < 0.005
    with pytest.raises(ValueError, match="decay_steps"):
        kg.regularizers.InstanceNoise(0.1, decay_steps=0)


def test_weight_clip_constraint_and_wgan_clips_critic():
    clip = kg.constraints.WeightClip(0.05)
    np.testing.assert_allclose(ops.convert_to_numpy(clip(np.array([-1.0, 0.01, 0.3], "float32"))), [-0.05, 0.01, 0.05])
    g, d = mlp_pair(width=16, seed=4)
    wgan = kg.WGAN(g, d, latent_dim=2, clip=kg.constraints.WeightClip(0.05), seed=0)
    wgan.compile()
    assert isinstance(wgan.d_optimizer, keras.optimizers.RMSprop)
    wgan.fit(ring_of_gaussians(256), batch_size=64, epochs=1, verbose=0)
    for v in d.trainable_variables:
        assert np.abs(ops.convert_to_numpy(v)).max() <= 0.05 + 1e-7
    # the generator is not clipped
    assert max(np.abs(ops.convert_to_numpy(v)).max() for v in g.trainable_variables) > 0.05


def test_regularizer_arguments_are_validated():
    with pytest.raises(ValueError, match="weight"):
        kg.regularizers.GradientPenalty(-1.0)
    with pytest.raises(ValueError, match="gamma"):
        kg.regularizers.R1Penalty(-1.0)
    with pytest.raises(ValueError, match="clip_value"):
        kg.constraints.WeightClip(0.0)
    with pytest.raises(ValueError, match="kernel"):
        kg.layers.SpectralNormalization(keras.layers.ReLU())(np.zeros((1, 2), "float32"))
