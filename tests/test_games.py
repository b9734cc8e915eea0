"""Game mechanics: update counts, input formats, save/load, errors, jit."""

import warnings

import keras
import numpy as np
import pytest
from keras import ops

import keras_gans as kg
from conftest import run_in_backend
from toy import mlp_pair, ring_of_gaussians


def adam():
    return keras.optimizers.Adam(1e-3, beta_1=0.5)


def small_gan(cls=kg.GAN, **kwargs):
    g, d = mlp_pair(width=16, seed=0)
    return cls(g, d, latent_dim=2, seed=0, **kwargs)


def conditional_pair(num_classes=3):
    z = keras.Input((2,))
    y = keras.Input((), dtype="int32")
    h = keras.layers.Concatenate()([z, keras.layers.Embedding(num_classes, 4)(y)])
    g = keras.Model([z, y], keras.layers.Dense(2)(keras.layers.Dense(16, activation="relu")(h)))
    x = keras.Input((2,))
    y2 = keras.Input((), dtype="int32")
    h = keras.layers.Concatenate()([x, keras.layers.Embedding(num_classes, 4)(y2)])
    d = keras.Model([x, y2], keras.layers.Dense(1)(keras.layers.Dense(16, activation="relu")(h)))
    return g, d


@pytest.mark.parametrize("k", [1, 3])
def test_d_steps_performs_exactly_k_discriminator_updates(k):
    gan = small_gan(d_steps=k)
    gan.compile(g_optimizer=adam(), d_optimizer=adam())
    history = gan.fit(ring_of_gaussians(7 * 32), batch_size=32, epochs=2, verbose=0)
    assert int(gan.g_optimizer.iterations) == 14
    assert int(gan.d_optimizer.iterations) == 14 * k
    assert set(history.history) == {"d_loss", "g_loss"}
    assert all(np.isfinite(v).all() for v in history.history.values())


def test_wgan_defaults_follow_the_papers():
    wgan = small_gan(kg.WGAN)
    gp = small_gan(kg.WGANGP)
    assert wgan.d_steps == 5 and gp.d_steps == 5
    assert isinstance(wgan.loss_fn, kg.losses.Wasserstein)
    assert [type(r) for r in gp.regularizers] == [kg.regularizers.GradientPenalty]
    assert gp.regularizers[0].weight == 10.0
    gp.compile()
    assert isinstance(gp.d_optimizer, keras.optimizers.Adam)
    assert float(ops.convert_to_numpy(gp.d_optimizer.beta_1)) == 0.0 if not isinstance(gp.d_optimizer.beta_1, float) else gp.d_optimizer.beta_1 == 0.0
    history = gp.fit(ring_of_gaussians(64), batch_size=32, epochs=1, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss", "gp"}
    assert history.history["gp"][0] > 0


def test_regularizers_and_instance_noise_are_logged():
    gan = small_gan(
        regularizers=[kg.regularizers.R1Penalty(1.0)],
        instance_noise=kg.regularizers.InstanceNoise(0.1, decay_steps=10),
    )
    gan.compile(g_optimizer=adam(), d_optimizer=adam())
    history = gan.fit(ring_of_gaussians(128), batch_size=32, epochs=1, verbose=0)
    assert history.history["r1"][0] > 0


def test_generate_is_deterministic_for_a_seed():
    gan = small_gan()
    a, b, c = gan.generate(10, seed=3), gan.generate(10, seed=3), gan.generate(10, seed=4)
    assert a.shape == (10, 2) and isinstance(a, np.ndarray)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_conditional_gan_trains_and_generates_requested_labels():
    g, d = conditional_pair()
    cgan = kg.ConditionalGAN(g, d, latent_dim=2, num_classes=3, seed=0)
    cgan.compile(g_optimizer=adam(), d_optimizer=adam())
    x = ring_of_gaussians(96)
    y = np.arange(96) % 3
    history = cgan.fit(x, y, batch_size=32, epochs=1, verbose=0)
    assert int(cgan.d_optimizer.iterations) == 3
    assert np.isfinite(history.history["d_loss"][0])
    out = cgan.generate(6, labels=2, seed=0)
    assert out.shape == (6, 2)
    np.testing.assert_allclose(out, cgan.generate(6, labels=[2] * 6, seed=0))
    with pytest.raises(ValueError, match=r"\[0, 2\]"):
        cgan.generate(2, labels=[0, 5])
    with pytest.raises(ValueError, match="labels"):
        cgan.fit(x, batch_size=32, epochs=1, verbose=0)


def test_fit_before_compile_is_a_clear_error():
    gan = small_gan()
    with pytest.raises(RuntimeError, match=r"before compile\(\).*g_optimizer"):
        gan.fit(ring_of_gaussians(32), epochs=1, verbose=0)


def test_compile_errors():
    gan = small_gan()
    with pytest.raises(ValueError, match="d_optimizer"):
        gan.compile(g_optimizer=adam())
    opt = adam()
    with pytest.raises(ValueError, match="own optimizer"):
        gan.compile(g_optimizer=opt, d_optimizer=opt)
    with pytest.raises(TypeError, match="optimizer="):
        gan.compile(optimizer=adam())


def test_unknown_loss_lists_valid_names():
    g, d = mlp_pair(width=4)
    with pytest.raises(ValueError, match="'hinge'.*'least_squares'"):
        kg.GAN(g, d, latent_dim=2, loss="lsgan")


def test_shape_mismatch_between_players_is_explained():
    g = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    d = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"outputs samples of shape \(3,\).*expects \(2,\)"):
        kg.GAN(g, d, latent_dim=2)
    g_img = keras.Sequential([keras.Input((2,)), keras.layers.Dense(16), keras.layers.Reshape((4, 4, 1))])
    with pytest.raises(ValueError, match="rank 3.*rank 1"):
        kg.GAN(g_img, d, latent_dim=2)
    with pytest.raises(ValueError, match="latent_dim=5"):
        kg.GAN(keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)]), d, latent_dim=5)
    with pytest.raises(ValueError, match="2 input"):
        kg.ConditionalGAN(keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)]), d, latent_dim=2, num_classes=3)
    with pytest.raises(TypeError, match="keras.Model"):
        kg.GAN("generator", d, latent_dim=2)
    with pytest.raises(ValueError, match="d_steps"):
        small_gan(d_steps=0)


def _roundtrip(game, path):
    game.save(path)
    return keras.saving.load_model(path)


@pytest.mark.parametrize("cls", [kg.GAN, kg.WGAN, kg.WGANGP])
def test_save_and_load_round_trip(cls, tmp_path):
    g, d = mlp_pair(width=8, spectral_norm=cls is kg.GAN, seed=1)
    game = cls(g, d, latent_dim=2, seed=5)
    game.compile(g_optimizer=adam(), d_optimizer=adam())
    game.fit(ring_of_gaussians(64), batch_size=32, epochs=1, verbose=0)
    loaded = _roundtrip(game, str(tmp_path / "game.keras"))
    assert type(loaded) is cls
    assert loaded.d_steps == game.d_steps and type(loaded.loss_fn) is type(game.loss_fn)
    np.testing.assert_allclose(loaded.generate(8, seed=1), game.generate(8, seed=1), atol=1e-6)
    for a, b in zip(loaded.get_weights(), game.get_weights()):
        np.testing.assert_allclose(a, b)
    # compiled state (both optimizers, with their moments) came back: training continues
    assert int(loaded.d_optimizer.iterations) == int(game.d_optimizer.iterations)
    loaded.fit(ring_of_gaussians(64), batch_size=32, epochs=1, verbose=0)
    assert int(loaded.d_optimizer.iterations) == int(game.d_optimizer.iterations) + 2 * game.d_steps


def test_conditional_save_and_load_round_trip(tmp_path):
    g, d = conditional_pair()
    cgan = kg.ConditionalGAN(g, d, latent_dim=2, num_classes=3, loss="hinge")
    loaded = _roundtrip(cgan, str(tmp_path / "c.keras"))
    assert loaded.num_classes == 3 and isinstance(loaded.loss_fn, kg.losses.Hinge)
    np.testing.assert_allclose(loaded.generate(5, labels=1, seed=0), cgan.generate(5, labels=1, seed=0), atol=1e-6)


def test_input_pipelines_numpy_tfdata_pydataset_dataloader():
    import tensorflow as tf
    import torch

    x = ring_of_gaussians(96)

    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return x[i * 32 : (i + 1) * 32]

    class TorchSet(torch.utils.data.Dataset):
        def __len__(self):
            return len(x)

        def __getitem__(self, i):
            return (x[i],)  # Keras splits a bare tensor batch into rows

    sources = {
        "numpy": dict(x=x, batch_size=32),
        "tf.data": dict(x=tf.data.Dataset.from_tensor_slices(x).batch(32)),
        "PyDataset": dict(x=Batches()),
        "DataLoader": dict(x=torch.utils.data.DataLoader(TorchSet(), batch_size=32)),
    }
    for name, kwargs in sources.items():
        gan = small_gan()
        gan.compile(g_optimizer=adam(), d_optimizer=adam())
        gan.fit(epochs=1, verbose=0, **kwargs)
        assert int(gan.d_optimizer.iterations) == 3, name

    class BareTorchSet(TorchSet):
        def __getitem__(self, i):
            return x[i]

    gan = small_gan()
    gan.compile(g_optimizer=adam(), d_optimizer=adam())
    # Keras' handling of bare-tensor batches differs per backend: either they
    # train normally, or the failure says what to change.
    try:
        gan.fit(torch.utils.data.DataLoader(BareTorchSet(), batch_size=32), epochs=1, verbose=0)
    except (ValueError, TypeError) as e:
        assert kg.backend.name != "torch", e
    else:
        assert int(gan.d_optimizer.iterations) == 3


def test_jit_compile_with_double_backward_degrades_with_one_warning():
    gan = small_gan(kg.WGANGP)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gan.compile(jit_compile=True)
    ours = [w for w in caught if "double backward" in str(w.message)]
    if kg.backend.JIT_DOUBLE_BACKWARD:
        assert not ours and gan.jit_compile is True
    else:
        assert len(ours) == 1 and gan.jit_compile is False
    gan.fit(ring_of_gaussians(64), batch_size=32, epochs=1, verbose=0)
    assert int(gan.d_optimizer.iterations) == 10


def test_callbacks_see_the_generator_optimizer():
    gan = small_gan()
    gan.compile(g_optimizer=adam(), d_optimizer=adam())
    seen = []
    cb = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: seen.append(int(gan.optimizer.iterations)))
    gan.fit(ring_of_gaussians(64), batch_size=32, epochs=2, verbose=0, callbacks=[cb])
    assert seen == [2, 4]


HEAVY = ("tensorflow", "torch", "PIL", "tensorflow_datasets", "matplotlib", "scipy")


@pytest.mark.parametrize(
    "backend, forbidden",
    [("jax", ("tensorflow", "torch")), ("torch", ("tensorflow",)), ("tensorflow", ("torch",))],
)
def test_import_is_light(backend, forbidden):
    """`import keras_gans` loads no other framework and nothing heavy beyond
    what `import keras` itself loads."""
    out = run_in_backend(
        backend,
        "import sys, keras; a = set(sys.modules); import keras_gans; b = set(sys.modules); "
        f"print(sorted(m for m in {HEAVY!r} if m in b)); print(sorted(m for m in {HEAVY!r} if m in b - a))",
    )
    loaded, added = (eval(line) for line in out.strip().splitlines()[-2:])
    assert not set(loaded) & set(forbidden), loaded
    assert added == [], added
