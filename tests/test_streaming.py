"""kg.streaming: whole-image-exact inference in tiles, on every backend.

A CycleGAN generator normalises with whole-image instance-norm statistics,
so naive tiling changes colours per tile; streaming runs each layer in tiles
with the statistics of the whole image and must equal the whole-image pass.
"""

import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

import keras_gans as kg
from keras_gans import streaming
from keras_gans.images import to_model_range, to_uint8


def _photo(h, w, seed=0):
    """A smooth colour image with edges (not noise: the generator's output then has structure)."""
    y, x = np.mgrid[0:h, 0:w] / max(h, w)
    rng = np.random.default_rng(seed)
    img = np.stack([np.sin(7 * x + 3 * y), np.cos(5 * y - 2 * x), np.sin(9 * x * y + 1)], -1)
    img = (img + 1) * 110 + rng.normal(0, 8, (h, w, 3))
    img[h // 3 : h // 2, w // 4 : w // 2] = [230, 40, 30]
    return np.clip(img, 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def generators():
    return {
        "zoo 6-block ngf-32 resize-conv": kg.zoo.load("cyclegan_apple2orange").generator_ab,
        "9-block ngf-64 (the paper's)": kg.cyclegan.resnet_generator(9, 64, seed=3),
        "6-block ngf-16 resize-conv": kg.cyclegan.resnet_generator(6, 16, seed=4, upsample="nearest"),
    }


@pytest.mark.parametrize("tile", [24, 40])
def test_tiled_equals_whole_image(generators, tile):
    img = _photo(76, 100)
    for name, g in generators.items():
        whole = np.asarray(keras.ops.convert_to_numpy(g(to_model_range(img)[None], training=False)))[0]
        tiled = streaming.run(g, img, tile=tile, input_map=to_model_range)
        assert tiled.shape == whole.shape, name
        assert np.abs(tiled - whole).max() < 1e-4, (name, float(np.abs(tiled - whole).max()))
        d = np.abs(to_uint8(tiled).astype(int) - to_uint8(whole).astype(int))
        assert d.max() <= 1 and d.mean() <= 0.01, (name, d.max(), d.mean())


def test_translate_any_size_tiles_equal_whole_and_report_progress(generators):
    from keras_gans.cyclegan.translate import translate_any_size

    g = generators["zoo 6-block ngf-32 resize-conv"]
    img = _photo(70, 93, seed=1)  # not multiples of 4: padded, then cropped
    whole = translate_any_size(g, img, 0, tile=None)
    calls = []
    tiled = translate_any_size(g, img, 0, tile=32, progress=lambda d, t: calls.append((d, t)))
    assert tiled.shape == img.shape and tiled.dtype == np.uint8
    d = np.abs(tiled.astype(int) - whole.astype(int))
    assert d.max() <= 1 and d.mean() <= 0.01
    done, total = zip(*calls)
    assert list(done) == list(range(1, len(calls) + 1)) and set(total) == {len(calls)} and len(calls) > 19


def test_spilled_arrays_give_the_same_result_and_are_deleted(generators, tmp_path):
    g = generators["6-block ngf-16 resize-conv"]
    img = _photo(48, 64, seed=2)
    in_memory = streaming.run(g, img, tile=32, input_map=to_model_range)
    spilled = streaming.run(g, img, tile=32, input_map=to_model_range, spill_bytes=0, spill_dir=tmp_path)
    np.testing.assert_array_equal(spilled, in_memory)
    assert list(tmp_path.iterdir()) == []  # the temporary folder and its memmaps are gone


def test_stored_arrays_stay_within_the_memory_budget(generators, tmp_path, monkeypatch):
    """``spill_bytes`` is a budget for all the arrays a run keeps at once:
    arrays go to memory while the total alive fits it, to files beyond, and
    the result does not depend on where they went."""
    g = generators["6-block ngf-16 resize-conv"]
    img = _photo(48, 64, seed=2)
    made, new_array = [], streaming._Budget.new_array

    def spy(budget, shape, spill_dir):
        out = new_array(budget, shape, spill_dir)
        made.append((budget.used, budget.limit, isinstance(out, np.ndarray)))
        return out

    monkeypatch.setattr(streaming._Budget, "new_array", spy)
    limit = 48 * 64 * 16 * 4  # one full-size 16-channel array
    budgeted = streaming.run(g, img, tile=32, input_map=to_model_range, spill_bytes=limit, spill_dir=tmp_path)
    assert max(used for used, _, _ in made) <= limit and {lim for _, lim, _ in made} == {limit}
    in_memory = [m for _, _, m in made]
    assert any(in_memory) and not all(in_memory), in_memory  # some kept, some spilled
    made.clear()
    all_in_memory = streaming.run(g, img, tile=32, input_map=to_model_range, spill_bytes=1 << 40)
    assert all(m for _, _, m in made)
    np.testing.assert_array_equal(budgeted, all_in_memory)


@pytest.mark.parametrize("math", ["backend", "numpy"])
def test_either_window_math_equals_whole_image(generators, monkeypatch, math):
    """Windows between convolutions live as backend tensors or NumPy arrays
    (``kg.backend.WINDOW_MATH`` picks the faster per backend): both equal the
    whole image on every backend, reflection padding and nearest upsampling
    at the tile borders included."""
    monkeypatch.setattr(streaming, "_MATH", {"backend": streaming._BackendMath, "numpy": streaming._NumPyMath}[math])
    img = _photo(52, 68, seed=5)
    g = generators["6-block ngf-16 resize-conv"]
    whole = np.asarray(keras.ops.convert_to_numpy(g(to_model_range(img)[None], training=False)))[0]
    tiled = streaming.run(g, img, tile=20, input_map=to_model_range)
    assert np.abs(tiled - whole).max() < 1e-4, float(np.abs(tiled - whole).max())


def test_unsupported_models_are_named():
    inp = keras.Input((None, None, 3))
    x = keras.layers.Conv2D(4, 3, padding="same")(inp)
    pooled = keras.Model(inp, keras.layers.MaxPooling2D()(x))
    with pytest.raises(ValueError, match=r"max_pooling2d.*\(MaxPooling2D\) is not supported"):
        streaming.run(pooled, np.zeros((16, 16, 3), np.float32), tile=8)
    with pytest.raises(ValueError, match="tile must be a positive int"):
        streaming.run(pooled, np.zeros((16, 16, 3), np.float32), tile=0)
    same = keras.Model(inp, keras.layers.Conv2D(2, 3, padding="same")(x))  # stride-1 'same': supported
    a = np.random.default_rng(0).normal(size=(20, 28, 3)).astype("float32")
    ref = np.asarray(keras.ops.convert_to_numpy(same(a[None])))[0]
    assert np.abs(streaming.run(same, a, tile=8) - ref).max() < 1e-5


MEMORY_SCRIPT = textwrap.dedent("""
    import resource
    import numpy as np
    import keras_gans as kg
    from keras_gans.cyclegan.translate import translate_any_size
    g = kg.cyclegan.resnet_generator(6, 32, seed=0)
    peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # GB
    translate_any_size(g, np.zeros((64, 64, 3), np.uint8), 0, tile=32)  # kernels, thread pools: not counted
    base = peak()
    for h, w in ((384, 512), (768, 1024)):
        img = np.random.default_rng(0).integers(0, 256, (h, w, 3), dtype=np.uint8)
        assert translate_any_size(g, img, 0, tile=128).shape == img.shape
        print(peak() - base)
""")


def test_peak_memory_is_bounded_by_the_tile_not_the_photo():
    """The whole-image pass of this generator on 0.8 megapixels grows the
    process by ~2.5 GB (32 channels x 4 B x 0.8 M px per full-size layer,
    several alive at once; measured on each backend). In 128-px tiles it
    grows by ~0.3 GB, and 4x the pixels cost almost nothing more."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TF_NUM_INTRAOP_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT], capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    small, large = (float(v) for v in out.stdout.split()[-2:])
    assert large < 0.6, f"peak RSS grew by {large:.2f} GB translating 0.8 MP in 128-px tiles"
    assert large - small < 0.2, f"4x the pixels added {large - small:.2f} GB (0.2 MP: {small:.2f}, 0.8 MP: {large:.2f})"


def test_memory_held_during_a_run_does_not_grow_with_the_number_of_tiles():
    """Every array but the lazily read windows goes to a temporary file
    (``spill_bytes=0``), so what NumPy holds at once must not depend on the
    image size. It did on the torch backend: a Keras call of ``Add`` leaves
    its converted inputs in a reference cycle, a window per tile of every
    residual connection (+1 GB on a 12-megapixel photo), until a full
    garbage collection."""
    import gc
    import tracemalloc

    inp = keras.Input((None, None, 32))
    x = inp
    for _ in range(3):
        y = keras.layers.Conv2D(32, 3, padding="same")(x)
        y = kg.layers.InstanceNormalization()(y)
        y = keras.layers.ReLU()(y)
        x = keras.layers.Add()([x, y])
    model = keras.Model(inp, keras.layers.Conv2D(3, 3, padding="same")(x))
    rng = np.random.default_rng(0)
    peaks = []
    for side in (64, 384):  # 4 and 144 tiles of 32 px
        a = rng.normal(size=(side, side, 32)).astype("float32")
        gc.collect()
        tracemalloc.start()
        try:
            streaming.run(model, a, tile=32, spill_bytes=0, output=lambda node: None)
            peaks.append(tracemalloc.get_traced_memory()[1] / 1e6)
        finally:
            tracemalloc.stop()
    window = 34 * 34 * 32 * 4 / 1e6  # MB
    assert peaks[1] < peaks[0] + 5 * window, f"peak traced memory {peaks[0]:.2f} MB (4 tiles) -> {peaks[1]:.2f} MB (144 tiles)"
