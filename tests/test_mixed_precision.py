"""Mixed precision (issue: past one device): every game trains under
``mixed_bfloat16`` with finite losses, its losses and penalties in float32,
and 20 steps stay close to the float32 run from the same seed."""

import keras
import numpy as np
import pytest

import keras_gans as kg


def _games():
    """name -> (build the compiled game, its data as fit's (x, y))."""
    rng = np.random.default_rng(0)
    ring = rng.normal(size=(64, 2)).astype("float32")
    digits = rng.uniform(-1, 1, (16, 28, 28, 1)).astype("float32")
    labels = rng.integers(0, 3, 16)
    a = rng.integers(0, 256, (4, 32, 32, 3), dtype=np.uint8)
    b = rng.integers(0, 256, (4, 32, 32, 3), dtype=np.uint8)
    lr = rng.random((4, 4, 4, 3)).astype("float32")
    hr = (rng.random((4, 16, 16, 3)) * 2 - 1).astype("float32")
    A, S = kg.architectures, kg.cyclegan

    def adam():
        return keras.optimizers.Adam(1e-4)

    def compiled(game):
        game.compile(g_optimizer=adam(), d_optimizer=adam())
        return game

    return {
        "gan_r1": (lambda: compiled(kg.GAN(A.mlp_generator(2, 2, (16,)), A.mlp_discriminator(2, (16,)), latent_dim=2,
                                           regularizers=[kg.regularizers.R1Penalty(1.0)], seed=0)), (ring, None)),
        "wgan_gp": (lambda: compiled(kg.WGANGP(A.mlp_generator(2, 2, (16,)), A.mlp_discriminator(2, (16,)),
                                               latent_dim=2, seed=0)), (ring, None)),
        "conditional": (lambda: compiled(kg.ConditionalGAN(A.dcgan_generator(4, 28, 1, 4, num_classes=3, seed=0),
                                                           A.dcgan_discriminator(28, 1, 4, num_classes=3, seed=1),
                                                           latent_dim=4, num_classes=3, seed=0)), (digits, labels)),
        "cyclegan": (lambda: compiled(kg.CycleGAN(S.resnet_generator(n_blocks=1, filters=4, seed=0, name="g_ab"),
                                                  S.resnet_generator(n_blocks=1, filters=4, seed=1, name="g_ba"),
                                                  S.patchgan_discriminator(filters=4, seed=2, name="d_a"),
                                                  S.patchgan_discriminator(filters=4, seed=3, name="d_b"),
                                                  pool_size=2, seed=0)), (a, b)),
        "srgan": (lambda: compiled(kg.SRGAN(kg.srgan.srresnet(scale=4, blocks=1, filters=8),
                                            kg.srgan.srgan_discriminator(filters=4, image_size=16, dense=8),
                                            seed=0)), (lr, hr)),
    }


def _outputs(game, x):
    """The (first) generator's outputs on fixed inputs, as float32."""
    rng = np.random.default_rng(1)
    if hasattr(game, "generate"):
        kwargs = {"labels": np.arange(8) % 3} if hasattr(game, "num_classes") else {}
        return game.generate(8, seed=1, **kwargs).astype(np.float32)
    g = getattr(game, "generator_ab", None) or game.generator
    out = g(keras.ops.convert_to_tensor(x[:2].astype("float32") / (255.0 if x.dtype == np.uint8 else 1.0)))
    return np.asarray(keras.ops.convert_to_numpy(keras.ops.cast(out, "float32")))


def _train(name, policy, steps=20):
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(policy)
    try:
        keras.utils.set_random_seed(0)
        build, (x, y) = _games()[name]
        game = build()
        batch = 4
        reps = -(-steps * batch // len(x))
        xs = np.concatenate([x] * reps)[: steps * batch]
        ys = None if y is None else np.concatenate([y] * reps)[: steps * batch]
        history = game.fit(xs, ys, batch_size=batch, epochs=1, shuffle=False, verbose=0)
        dtypes = {keras.backend.standardize_dtype(v.dtype) for v in game.trainable_weights}
        return history.history, _outputs(game, x), dtypes
    finally:
        keras.mixed_precision.set_global_policy(previous)


@pytest.mark.parametrize("name", ["gan_r1", "wgan_gp", "conditional", "cyclegan", "srgan"])
def test_mixed_bfloat16_trains_every_game_close_to_float32(name):
    logs16, out16, dtypes = _train(name, "mixed_bfloat16")
    logs32, out32, _ = _train(name, "float32")
    assert dtypes == {"float32"}  # variables stay float32; compute is bf16
    assert all(np.isfinite(v).all() for vs in logs16.values() for v in vs), logs16
    # measure: the losses logged over the 20 steps, and the generator's outputs
    # (range [-1, 1]) on fixed inputs after them (Adam at 1e-4: at 1e-3 the tiny
    # CycleGAN drifts apart chaotically, 0.11 mean |diff| after 20 steps, while
    # its losses agree to 0.1%). (Not the weights: Adam's first
    # steps are about +-lr per weight whatever the gradient's size, so weights
    # whose gradient is ~0, e.g. biases before an instance norm, move by +-lr on
    # bf16 rounding noise alone.)
    for k in logs32:
        assert np.allclose(logs16[k], logs32[k], rtol=0.05, atol=0.1), (k, logs16[k], logs32[k])
    assert np.abs(out16 - out32).mean() < 0.05, np.abs(out16 - out32).mean()  # 2.5% of the [-1, 1] range


def _float16_refused():
    from keras_gans import backend

    return backend.LOSS_SCALING_REFUSAL


@pytest.mark.parametrize("name", ["gan_r1", "wgan_gp", "srgan"])
def test_mixed_float16_scales_the_loss_and_trains_close_to_float32(name):
    """mixed_float16 wraps each player's optimizer in Keras' LossScaleOptimizer (as Keras'
    compile() does for a plain model) and scales that player's loss before the backward pass."""
    if _float16_refused():
        pytest.skip("mixed_float16 is refused on this backend (the next test checks the message)")
    logs16, out16, dtypes = _train(name, "mixed_float16")
    logs32, out32, _ = _train(name, "float32")
    assert dtypes == {"float32"}
    assert all(np.isfinite(v).all() for vs in logs16.values() for v in vs), logs16
    for k in logs32:
        assert np.allclose(logs16[k], logs32[k], rtol=0.05, atol=0.1), (k, logs16[k], logs32[k])
    assert np.abs(out16 - out32).mean() < 0.05, np.abs(out16 - out32).mean()


def test_mixed_float16_optimizers_are_loss_scaled():
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        if _float16_refused():  # JAX: a clear error at compile, naming the way out
            with pytest.raises(ValueError, match="Use mixed_bfloat16 on JAX"):
                _games()["wgan_gp"][0]()
            return
        game = _games()["wgan_gp"][0]()
    finally:
        keras.mixed_precision.set_global_policy(previous)
    for name in ("g_optimizer", "d_optimizer"):
        assert isinstance(getattr(game, name), keras.optimizers.LossScaleOptimizer), name
