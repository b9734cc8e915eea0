"""Pix2Pix game: one compiled step against a NumPy reference, learning a
paired mapping, the input pipelines, translate(), save/load, errors.

Tiny networks (unet num_downs=5, filters=8, 32x32 images) keep each backend's run short.
"""

import keras
import numpy as np
import pytest
from keras import ops

import keras_gans as kg
from keras_gans.cyclegan.translate import training_call, translate_any_size

SIZE = 32


def nets(seed=0, dropout=False, norm="batch"):
    g = kg.pix2pix.unet_generator(5, 8, norm=norm, use_dropout=dropout, seed=seed, name="generator")
    d = kg.cyclegan.patchgan_discriminator(8, 2, 6, norm=norm, seed=seed + 100, name="discriminator")
    return g, d


def adam(lr=2e-4):
    return keras.optimizers.Adam(lr, beta_1=0.5)


def pairs(seed, n=4):
    """Smooth random inputs (blurred noise) and targets ``255 - input``: a
    mapping a U-Net learns quickly, which no constant output can fake."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (n, SIZE // 8, SIZE // 8, 3)).astype(np.float32)
    x = np.repeat(np.repeat(small, 8, axis=1), 8, axis=2)
    x = np.round((x + np.roll(x, 4, axis=1) + np.roll(x, 4, axis=2) + np.roll(x, 4, axis=(1, 2))) / 4).astype(np.uint8)
    return x, (255 - x).astype(np.uint8)


def train_mode(model, x):
    return np.asarray(training_call(model, x), np.float64)


def softplus(t):
    return np.log1p(np.exp(-np.abs(t))) + np.maximum(t, 0)


@pytest.fixture(scope="module")
def trained():
    """One step from numpy arrays (compiled as compile()'s "auto" does in
    the suite: jitted on JAX; test_learns_a_paired_mapping trains this game
    on, reusing that compilation, the slow part on one CPU thread)."""
    keras.utils.set_random_seed(0)
    p = kg.Pix2Pix(*nets(seed=1), seed=0)
    p.compile(g_optimizer=adam(2e-3), d_optimizer=adam())
    x, y = pairs(1)
    xf, yf = (a.astype(np.float32) / 127.5 - 1.0 for a in (x, y))
    fake = train_mode(p.generator, xf).astype(np.float32)
    t_fake = train_mode(p.discriminator, np.concatenate([xf, fake], -1))
    t_real = train_mode(p.discriminator, np.concatenate([xf, yf], -1))
    ref = {
        "g_loss": np.mean(softplus(-t_fake)),
        "l1_loss": np.mean(np.abs(fake - yf)),
        "d_loss": 0.5 * (np.mean(softplus(-t_real)) + np.mean(softplus(t_fake))),
    }
    before = {m.name: [np.array(w) for w in m.get_weights()] for m in (p.generator, p.discriminator)}
    history = p.fit(x, y, batch_size=4, epochs=1, verbose=0)
    return p, history.history, ref, before, (x, y)


def test_one_compiled_step_matches_numpy_reference(trained):
    p, history, ref, _, _ = trained
    assert set(history) == set(ref)
    for name, value in ref.items():
        np.testing.assert_allclose(history[name][0], value, rtol=2e-4, atol=1e-5, err_msg=name)
    assert int(p.g_optimizer.iterations) == 1 and int(p.d_optimizer.iterations) == 1


def test_step_updates_both_players_and_the_running_statistics(trained):
    p, _, _, before, _ = trained
    for model in (p.generator, p.discriminator):
        change = max(float(np.max(np.abs(w0 - w1))) for w0, w1 in zip(before[model.name], model.get_weights()))
        assert 1e-6 < change < 1.0, (model.name, change)
    bn = p.generator.get_layer("model_model_1_model_2")
    assert float(np.max(np.abs(np.asarray(bn.moving_mean)))) > 0  # updated from the step's batch (starts at 0)


def test_translate_modes_uint8_and_float(trained):
    p, *_, (x, y) = trained
    out = p.translate(x)  # the default: the authors' mode (batch statistics per image)
    assert out.dtype == np.uint8 and out.shape == x.shape
    xf = x.astype(np.float32) / 127.5 - 1.0
    per_image = np.concatenate([train_mode(p.generator, xf[i : i + 1]) for i in range(len(x))])
    expected = np.clip(np.round((per_image + 1) * 127.5), 0, 255)
    assert np.max(np.abs(out.astype(int) - expected)) <= 1
    evaluated = p.translate(xf, mode="eval")
    assert evaluated.dtype == np.float32
    np.testing.assert_allclose(evaluated, ops.convert_to_numpy(p.generator(xf, training=False)), atol=1e-5)
    assert float(np.max(np.abs(evaluated - per_image))) > 1e-3  # running vs batch statistics
    single = p.translate(x[0], mode="eval")
    assert single.shape == x[0].shape
    # any size: padded to multiples of 32 (the U-Net's), in eval mode also layer by layer in tiles (kg.streaming)
    rgb = np.random.default_rng(6).integers(0, 256, (40, 50, 3), dtype=np.uint8)
    whole = translate_any_size(p.generator, rgb, 0, tile=None, mode="eval")
    assert whole.shape == rgb.shape
    np.testing.assert_array_equal(translate_any_size(p.generator, rgb, 0, tile=32, mode="eval"), whole)
    with pytest.raises(ValueError, match="mode must be 'authors'"):
        p.translate(x, mode="train")
    with pytest.raises(ValueError, match="multiples of 32"):
        p.translate(np.zeros((1, 48, 48, 3), np.uint8))
    with pytest.raises(ValueError, match="pix2pix translates one way"):
        p.generator_for("b2a")


def test_save_and_load_round_trip(trained, tmp_path):
    p, *_, (x, _) = trained
    path = tmp_path / "p.keras"
    p.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded, kg.Pix2Pix)
    assert loaded.l1_weight == 100.0 and isinstance(loaded.loss_fn, kg.losses.NonSaturating)
    assert loaded.get_config()["name"] == p.name
    for mode in ("eval", "authors"):
        np.testing.assert_array_equal(loaded.translate(x, mode=mode), p.translate(x, mode=mode))
    # the compiled state came back (both optimizers, with their moments): training goes on from it
    assert int(loaded.d_optimizer.iterations) == 1
    for a, b in zip(p.optimizer.variables, loaded.optimizer.variables):
        np.testing.assert_array_equal(ops.convert_to_numpy(a), ops.convert_to_numpy(b))


def test_constructor_and_data_errors():
    g, d = nets()
    with pytest.raises(ValueError, match=r"must take 3 \+ 3 = 6 channels; it takes 3"):
        kg.Pix2Pix(g, kg.cyclegan.patchgan_discriminator(8, 2, 3))
    with pytest.raises(TypeError, match="`discriminator` must be a keras.Model"):
        kg.Pix2Pix(g, "d")
    with pytest.raises(ValueError, match="l1_weight must be a finite number"):
        kg.Pix2Pix(g, d, l1_weight=-1)
    with pytest.raises(ValueError, match="Unknown adversarial loss"):
        kg.Pix2Pix(g, d, loss="vanilla")
    p = kg.Pix2Pix(g, d, loss="least_squares")
    p.compile(g_optimizer=adam(), d_optimizer=adam())
    x, y = pairs(0)
    with pytest.raises(ValueError, match="aligned pairs: fit"):
        p.fit(x, batch_size=4, verbose=0)
    with pytest.raises(ValueError, match=r"same height and width; got inputs of shape \(4, 32, 32, 3\)"):
        p.fit(x, y[:, :16], batch_size=4, verbose=0)
    with pytest.raises(ValueError, match=r"\(input, target\) pairs"):
        p._unpack(x)


def test_least_squares_scales_and_official_networks():
    p = kg.Pix2Pix(*nets(), loss="least_squares")
    x, y = (a.astype(np.float32) / 127.5 - 1 for a in pairs(5))
    fake = np.random.default_rng(0).uniform(-1, 1, x.shape).astype(np.float32)
    got = float(ops.convert_to_numpy(p.discriminator_loss(x, y, fake)))
    t_f = train_mode(p.discriminator, np.concatenate([x, fake], -1))
    t_r = train_mode(p.discriminator, np.concatenate([x, y], -1))
    np.testing.assert_allclose(got, 0.5 * (np.mean((t_r - 1) ** 2) + np.mean(t_f**2)), rtol=1e-4)  # the authors'
    official = kg.Pix2Pix.official(num_downs=5, filters=4, seed=0)
    assert official.generator.name == "generator" and official.image_size == 32
    assert official.discriminator.inputs[0].shape[-1] == 6
    assert kg.pix2pix.networks.norm_of(official.discriminator) == "batch"
    clone = kg.Pix2Pix.from_config(official.get_config())
    assert len(clone.weights) == len(official.weights) and clone.l1_weight == 100.0


def test_learns_a_paired_mapping(trained):
    """y = 255 - x on smooth images: the L1 to the targets (in [0, 1] units,
    eval mode) falls from ~0.17 (about a constant grey's) to below 0.09 in
    40 steps (0.06-0.07 on each backend). Runs after the tests that read the
    module's game one step in: it trains that game on."""
    p = trained[0]
    x, y = pairs(3, n=16)
    l1 = lambda: float(np.mean(np.abs(p.translate(x, mode="eval").astype(float) - y)) / 255)  # noqa: E731
    start = l1()
    history = p.fit(x, y, batch_size=4, epochs=10, verbose=0)
    end = l1()
    print(f"L1 to the targets: {start:.3f} -> {end:.3f}; logged l1_loss {history.history['l1_loss'][-1]:.3f}")
    assert start > 0.12 and end < 0.09 and end < 0.5 * start


def test_input_pipelines_tfdata_pydataset_dataloader(trained):
    """The module's game trained on, on each source (its compiled step reused:
    one compilation on JAX)."""
    import tensorflow as tf
    import torch

    x, y = pairs(4, n=8)

    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return x[i * 4 : (i + 1) * 4], y[i * 4 : (i + 1) * 4]

    class TorchPairs(torch.utils.data.Dataset):
        def __len__(self):
            return len(x)

        def __getitem__(self, i):
            return x[i], y[i]

    sources = {
        "tf.data": tf.data.Dataset.from_tensor_slices((x, y)).batch(4),
        "PyDataset": Batches(),
        "DataLoader": torch.utils.data.DataLoader(TorchPairs(), batch_size=4),
    }
    p = trained[0]
    for name, data in sources.items():
        done = int(p.d_optimizer.iterations)
        p.fit(data, epochs=1, verbose=0)
        assert int(p.d_optimizer.iterations) == done + 2, name
