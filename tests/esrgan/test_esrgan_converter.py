"""ESRGAN / Real-ESRGAN / BasicSR checkpoints -> kg.esrgan, equal to PyTorch on every backend.

Each layout is saved with ``torch.save`` as its authors save it (BasicSR:
``{"params_ema": sd}``, Real-ESRGAN's SRVGGNetCompact: ``{"params": sd}``,
the original ESRGAN: the bare state dict) by the independent reference
networks of ``esrgan_torch.py``, converted by ``kg.esrgan.from_torch``, and
compared in float: the Keras output in [-1, 1] is ``2 y - 1`` of PyTorch's
``y``, so the tolerance on ``y`` is 1e-4.
"""

import numpy as np
import pytest
from keras import ops

import keras_gans as kg
from keras_gans.layers import PixelUnshuffle
from keras_gans.srgan.upscale import input_alignment, receptive_radius

torch = pytest.importorskip("torch")
import esrgan_torch as ref  # noqa: E402  (tests/esrgan/, needs torch)

TOL = 1e-4


def keras_out(g, x, compiled=False):
    """The Keras generator's output in the authors' [0, 1] range: an eager
    call (no whole-model compilation per test image size), or ``compiled``
    (``predict_on_batch``: faster on JAX for bilinear upsampling)."""
    y = g.predict_on_batch(x) if compiled else g(x, training=False)
    return (np.asarray(ops.convert_to_numpy(y)) + 1.0) / 2.0


def images(*shape, seed=0):
    return np.random.default_rng(seed).uniform(0, 1, shape).astype("float32")


def assert_close(a, b, what=""):
    assert a.shape == b.shape, (what, a.shape, b.shape)
    diff = float(np.max(np.abs(a - b)))
    assert diff < TOL, f"{what}: max abs diff {diff:.2e}"
    assert float(np.std(b)) > 0.02, what  # the comparison is not between two constants


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """{name: (torch net, .pth path, multiple)} in the authors' layouts."""
    folder = tmp_path_factory.mktemp("pth")
    out = {}
    for scale, seed in ((4, 0), (2, 1), (1, 2)):
        net = ref.randomized(ref.BasicSRRRDBNet(scale=scale), seed)
        path = folder / f"rrdb_x{scale}.pth"
        torch.save({"params_ema": net.state_dict(), "params": net.state_dict()}, path)
        out[f"rrdb_x{scale}"] = (net, path, 4 // scale)
    net = ref.randomized(ref.ESRGANRRDBNet(), 3)
    torch.save(net.state_dict(), folder / "RRDB_ESRGAN_x4.pth")
    out["esrgan"] = (net, folder / "RRDB_ESRGAN_x4.pth", 1)
    torch.save(ref.esrgan_sequential_state_dict(net), folder / "RRDB_ESRGAN_x4_old_arch.pth")
    out["esrgan_old"] = (net, folder / "RRDB_ESRGAN_x4_old_arch.pth", 1)
    net = ref.randomized(ref.SRVGGNetCompact(), 4)
    torch.save({"params": net.state_dict()}, folder / "srvgg.pth")
    out["srvgg"] = (net, folder / "srvgg.pth", 1)
    for name, net in (("msrresnet_x4", ref.MSRResNet(upscale=4)), ("msrresnet_x3", ref.MSRResNet(upscale=3)),
                      ("edsr_x2", ref.EDSR(upscale=2)), ("edsr_x3", ref.EDSR(upscale=3, res_scale=0.1))):
        net = ref.randomized(net, 5)
        torch.save({"params": net.state_dict()}, folder / f"{name}.pth")
        out[name] = (net, folder / f"{name}.pth", 1)
    return out


@pytest.fixture(scope="module")
def converted(saved):
    cache = {}

    def get(name):
        if name not in cache:  # EDSR's residual scaling is not in a state dict: 0.1 given here
            cache[name] = kg.esrgan.from_torch(saved[name][1], **({"res_scale": 0.1} if name == "edsr_x3" else {}))
        return cache[name]

    return get


def test_the_files_hold_the_authors_keys(saved):
    sd = torch.load(saved["rrdb_x2"][1])["params_ema"]
    assert {"conv_first.weight", "body.1.rdb3.conv5.bias", "conv_body.weight", "conv_up1.weight",
            "conv_up2.weight", "conv_hr.weight", "conv_last.bias"} <= set(sd)
    assert tuple(sd["conv_first.weight"].shape) == (16, 12, 3, 3)  # x2: 4 x 3 unshuffled channels
    old = torch.load(saved["esrgan"][1])
    assert {"RRDB_trunk.0.RDB1.conv1.weight", "trunk_conv.weight", "upconv1.weight", "HRconv.bias"} <= set(old)
    oldest = torch.load(saved["esrgan_old"][1])
    assert {"model.0.weight", "model.1.sub.1.RDB3.conv5.0.bias", "model.1.sub.2.weight", "model.10.bias"} <= set(oldest)
    vgg = torch.load(saved["srvgg"][1])["params"]
    assert tuple(vgg["body.1.weight"].shape) == (16,) and tuple(vgg["body.10.weight"].shape) == (48, 16, 3, 3)
    edsr = torch.load(saved["edsr_x2"][1])["params"]
    assert "upsample.0.weight" in edsr and "conv_after_body.bias" in edsr


@pytest.mark.parametrize("name,sizes", [
    ("rrdb_x4", [(13, 10), (8, 17)]),
    ("rrdb_x2", [(12, 10), (9, 15)]),    # odd sides: reflect-padded and cropped, as Real-ESRGAN does
    ("rrdb_x1", [(16, 12), (10, 13)]),
    ("esrgan", [(11, 9)]),
    ("esrgan_old", [(11, 9)]),
    ("srvgg", [(12, 10), (7, 15)]),
    ("msrresnet_x4", [(10, 9), (7, 12)]),
    ("msrresnet_x3", [(9, 8)]),
    ("edsr_x2", [(10, 9), (7, 12)]),
    ("edsr_x3", [(9, 8)]),
])
def test_converted_network_matches_pytorch(saved, converted, name, sizes):
    net, _, multiple = saved[name]
    g = converted(name)
    for i, (h, w) in enumerate(sizes):
        x = images(2 if i == 0 else 1, h, w, 3, seed=i)
        assert_close(keras_out(g, x, compiled=name.startswith("msrresnet")), ref.run(net, x, multiple),
                     f"{name} {h}x{w}")


def test_layout_scale_and_blocks_are_recognised(saved, converted):
    expect = {
        "rrdb_x4": ("rrdbnet", {"scale": 4, "num_block": 2, "num_feat": 16, "num_grow_ch": 8}),
        "rrdb_x2": ("rrdbnet", {"scale": 2, "in_channels": 3, "out_channels": 3}),
        "rrdb_x1": ("rrdbnet", {"scale": 1}),
        "esrgan_old": ("rrdbnet", {"scale": 4, "num_block": 2}),
        "srvgg": ("srvgg_net_compact", {"num_conv": 4, "num_feat": 16, "upscale": 4, "act_type": "prelu"}),
        "msrresnet_x3": ("msrresnet", {"upscale": 3, "num_block": 2}),
        "edsr_x2": ("edsr", {"upscale": 2, "num_block": 2, "res_scale": 1.0}),
    }
    for name, (arch, config) in expect.items():
        found = kg.esrgan.identify(saved[name][1])
        assert found["architecture"] == arch, name
        assert {k: found["config"][k] for k in config} == config, name
    assert "original ESRGAN" in kg.esrgan.identify(saved["esrgan"][1])["layout"]
    # the radius (in LR pixels) that makes tiles exact, and the unshuffle grid
    assert [receptive_radius(converted(n)) for n in ("rrdb_x4", "rrdb_x2", "rrdb_x1", "srvgg")] == [
        int(np.ceil(1 + 2 * 15 + 1 + 0.5 + 3 * 0.25)),  # conv_first, 2 RRDBs, conv_body; x2, x4 convs
        int(np.ceil(1 + 2 * 32 + 1 + 3 * 0.5)),         # + the unshuffle: every LR conv counts twice
        3 + 4 * 32 + 2 + 3,                             # unshuffled by 4: x4, then x1/2 and x1 convs
        6,
    ]
    assert [input_alignment(converted(n)) for n in ("rrdb_x4", "rrdb_x2", "rrdb_x1")] == [1, 2, 4]
    assert kg.srgan.infer_scale(converted("rrdb_x1")) == 1 and kg.srgan.infer_scale(converted("rrdb_x2")) == 2


def test_pixel_unshuffle_is_torchs():
    x = images(2, 6, 4, 5)
    want = torch.nn.functional.pixel_unshuffle(torch.from_numpy(x).permute(0, 3, 1, 2), 2).permute(0, 2, 3, 1)
    np.testing.assert_array_equal(ops.convert_to_numpy(PixelUnshuffle(2)(x)), want.numpy())
    y = ops.convert_to_numpy(kg.layers.PixelShuffle(2)(PixelUnshuffle(2)(x)))
    np.testing.assert_array_equal(y, x)
    with pytest.raises(ValueError, match="height must be a multiple of 2"):
        PixelUnshuffle(2).compute_output_shape((1, 5, 4, 3))
    assert PixelUnshuffle(2, padding="reflect").compute_output_shape((1, 5, 4, 3)) == (1, 3, 2, 12)


def test_bilinear_upsampling_is_torchs_at_any_size():
    """MSRResNet's bilinear skip: align_corners=False, also in a graph traced
    for unknown sizes (keras' bilinear UpSampling2D fails there on TF)."""
    import keras

    inp = keras.Input((None, None, 2))
    model = keras.Model(inp, kg.layers.BilinearUpSampling2D(3)(inp))
    for shape in ((1, 5, 4, 2), (2, 3, 7, 2)):
        x = images(*shape)
        want = torch.nn.functional.interpolate(torch.from_numpy(x).permute(0, 3, 1, 2), scale_factor=3,
                                               mode="bilinear", align_corners=False).permute(0, 2, 3, 1).numpy()
        np.testing.assert_allclose(np.asarray(model.predict_on_batch(x)), want, atol=1e-6)
    assert receptive_radius(model) == 1


def test_tiles_equal_the_whole_image(saved, converted):
    """upscale with tiles smaller than the image, at the default overlap (the
    receptive radius), equals the whole-image result in float; x2 tiles start
    on the unshuffle grid, and the last ones run to the odd border."""
    for name, (h, w), tile in (("rrdb_x4", (30, 100), 24), ("rrdb_x2", (16, 181), 32)):
        sr = kg.SRGAN(converted(name), None, adversarial_weight=0)
        x = images(h, w, 3, seed=7)
        whole = sr.upscale(x)
        tiled = sr.upscale(x, tile=tile)
        assert float(np.max(np.abs(tiled - whole))) < TOL, name
        y = np.clip(ref.run(saved[name][0], x[None], saved[name][2])[0], 0, 1)
        assert float(np.max(np.abs(whole - y))) < TOL, name
    # the tiling is real: a too-small overlap changes the result
    sr = kg.SRGAN(converted("srvgg"), None, adversarial_weight=0)
    x = images(29, 23, 3, seed=8)
    assert receptive_radius(sr.generator) == 6
    assert float(np.max(np.abs(sr.upscale(x, tile=8) - sr.upscale(x)))) < TOL
    assert float(np.max(np.abs(sr.upscale(x, tile=8, overlap=2) - sr.upscale(x)))) > 1e-3


def test_unrelated_or_truncated_files_get_clear_errors(saved, tmp_path):
    cyclegan_like = {"model.1.weight": np.zeros((8, 3, 7, 7), "float32"), "model.1.bias": np.zeros(8, "float32")}
    with pytest.raises(ValueError) as info:
        kg.esrgan.from_torch(cyclegan_like)
    msg = str(info.value)
    assert "model.1.weight (8, 3, 7, 7)" in msg and "Known layouts" in msg
    assert "RRDB_trunk" in msg and "SRVGGNetCompact" in msg and "conv_first" in msg
    data = saved["rrdb_x4"][1].read_bytes()
    truncated = tmp_path / "truncated.pth"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated"):
        kg.esrgan.from_torch(truncated)
    sd = dict(torch.load(saved["rrdb_x4"][1])["params_ema"])
    del sd["body.1.rdb2.conv3.weight"]
    with pytest.raises(ValueError, match="body.1.rdb2.conv3.weight"):
        kg.esrgan.from_torch(sd)
    vgg = {k: v for k, v in torch.load(saved["srvgg"][1])["params"].items() if v.ndim == 4 or k.endswith("bias")}
    with pytest.raises(ValueError, match="pass act_type='relu' or act_type='leakyrelu'"):
        kg.esrgan.from_torch(vgg)


def test_official_name_offline_then_from_the_cache(saved, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_GANS_CACHE", str(tmp_path))
    url = "https://github.com/xinntao/Real-ESRGAN/releases/download/v0.1.0/RealESRGAN_x4plus.pth"
    path = tmp_path / "official" / "RealESRGAN_x4plus.pth"
    assert kg.esrgan.official_url("realesrgan_x4plus") == url
    assert kg.esrgan.official_path("RealESRGAN_x4plus") == path
    with pytest.raises(FileNotFoundError) as info:
        kg.esrgan.load_official("realesrgan_x4plus")
    assert url in str(info.value) and str(path) in str(info.value)
    with pytest.raises(ValueError, match="Unknown official super-resolution model 'realesrgan_x8'"):
        kg.esrgan.load_official("realesrgan_x8")
    with pytest.raises(ValueError, match="has no direct download"):
        kg.esrgan.official_url("esrgan_psnr_x4")
    path.parent.mkdir(parents=True)
    path.write_bytes(saved["rrdb_x4"][1].read_bytes())  # a tiny RRDBNet in the authors' layout
    g = kg.esrgan.load_official("RealESRGAN_x4plus")
    x = images(1, 9, 7, 3)
    assert_close(keras_out(g, x), ref.run(saved["rrdb_x4"][0], x), "official:realesrgan_x4plus")
    urls = {n: c["url"] for n, c in kg.esrgan.CHECKPOINTS.items() if c.get("url")}
    assert set(urls) == set(kg.esrgan.OFFICIAL_MODELS) and len(urls) == 8
    assert all(u.startswith("https://github.com/xinntao/Real-ESRGAN/releases/download/") for u in urls.values())
    assert all(c["licence"] for c in kg.esrgan.CHECKPOINTS.values())
