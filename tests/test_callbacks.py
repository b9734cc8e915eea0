"""kg.callbacks.SampleGrid writes the grid of generate(n, seed) it promises."""

import numpy as np
import pytest
from PIL import Image

import keras
import keras_gans as kg
from keras_gans.images import make_grid


def _tiny(num_classes=None):
    g = kg.architectures.dcgan_generator(8, 28, 1, 4, num_classes=num_classes, seed=0)
    d = kg.architectures.dcgan_discriminator(28, 1, 4, num_classes=num_classes, seed=1)
    cls = kg.ConditionalGAN if num_classes else kg.GAN
    extra = {"num_classes": num_classes} if num_classes else {}
    game = cls(g, d, latent_dim=8, seed=0, **extra)
    game.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-3))
    return game


def test_grids_per_epoch_show_the_current_generator(tmp_path):
    game = _tiny()
    x = np.random.default_rng(0).uniform(-1, 1, (32, 28, 28, 1)).astype("float32")
    cb = kg.callbacks.SampleGrid(tmp_path / "s", n=6, every=2, seed=3)
    game.fit(x, batch_size=16, epochs=3, verbose=0, callbacks=[cb])
    assert [p.name for p in cb.written] == ["epoch_0002.png", "final.png"]
    got = np.asarray(Image.open(tmp_path / "s" / "final.png"))
    want = make_grid(game.generate(6, seed=3))
    assert got.shape == want.shape == (2 * 28 + 3 * 2, 3 * 28 + 4 * 2)
    np.testing.assert_array_equal(got, want)
    assert not np.array_equal(np.asarray(Image.open(cb.written[0])), got)  # the generator moved


def test_conditional_grid_cycles_through_classes(tmp_path):
    game = _tiny(num_classes=3)
    cb = kg.callbacks.SampleGrid(tmp_path, n=6)
    cb.set_model(game)
    path = cb.write("now")
    want = make_grid(game.generate(6, labels=np.arange(6) % 3, seed=0))
    np.testing.assert_array_equal(np.asarray(Image.open(path)), want)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_bad_arguments_are_named(bad, tmp_path):
    with pytest.raises(ValueError, match="`n` must be an int >= 1"):
        kg.callbacks.SampleGrid(tmp_path, n=bad)


def test_translator_and_upscaler_grids_show_input_and_output(tmp_path):
    c = kg.cyclegan
    cg = kg.CycleGAN(c.resnet_generator(1, 4, seed=0), c.resnet_generator(1, 4, seed=1),
                     c.patchgan_discriminator(4, seed=2), c.patchgan_discriminator(4, seed=3), image_shape=(32, 32, 3))
    x = np.random.default_rng(0).integers(0, 256, (5, 32, 32, 3), dtype=np.uint8)
    cb = kg.callbacks.SampleGrid(tmp_path, n=3, inputs=x)
    cb.set_model(cg)
    got = np.asarray(Image.open(cb.write("t")))
    assert got.shape == (3 * 32 + 4 * 2, 2 * 32 + 3 * 2, 3)  # 3 rows of [input | output]
    np.testing.assert_array_equal(got[2:34, 2:34], x[0])
    np.testing.assert_array_equal(got[36:68, 36:68], cg.translate(x[1:2])[0])
    sr = kg.SRGAN(kg.srgan.srresnet(scale=2, blocks=1, filters=4), None, adversarial_weight=0)
    hr = np.random.default_rng(1).integers(0, 256, (2, 16, 16, 3), dtype=np.uint8)
    cb = kg.callbacks.SampleGrid(tmp_path, n=2, inputs=(hr[:, ::2, ::2], hr))
    cb.set_model(sr)
    got = np.asarray(Image.open(cb.write("u")))
    assert got.shape == (2 * 16 + 3 * 2, 3 * 16 + 4 * 2, 3)  # 2 rows of [bicubic | output | HR]
    np.testing.assert_array_equal(got[2:18, 38:54], hr[0])
    np.testing.assert_array_equal(got[2:18, 20:36], sr.upscale(hr[:1, ::2, ::2])[0])
