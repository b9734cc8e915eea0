"""The authors' pix2pix UnetGenerator (PyTorch) -> keras_gans, on every backend.

The reference network (``pix2pix_torch.py`` beside this file) is written
from the structure of the authors' ``models/networks.py`` (``UnetGenerator``,
``UnetSkipConnectionBlock``: the same module nesting and order, hence the
same state-dict keys; in-place LeakyReLU as theirs). Random weights and
random running statistics, saved
with ``torch.save``, converted by ``kg.pix2pix.from_torch``; outputs compared
in eval mode and in the authors' default test mode (training-mode batch
statistics, one image at a time; dropout disabled on both sides, since its
masks are random).
"""

import numpy as np
import pytest

import keras_gans as kg

torch = pytest.importorskip("torch")
from pix2pix_torch import run_torch, torch_unet  # noqa: E402  (tests/pix2pix/, needs torch)

CASES = {"batch": (6, 64), "instance": (5, 32)}  # norm: (num_downs, image side)


@pytest.fixture(scope="module")
def references(tmp_path_factory):
    """{norm: (norm, num_downs, torch net, saved .pth, inputs)}."""
    out = {}
    for norm, (num_downs, size) in CASES.items():
        net = torch_unet(norm, num_downs).eval()
        path = tmp_path_factory.mktemp("pth") / f"latest_net_G_{norm}.pth"
        torch.save(net.state_dict(), path)
        x = np.random.default_rng(0).uniform(-1, 1, (2, size, size, 3)).astype("float32")
        out[norm] = (norm, num_downs, net, path, x)
    return out


@pytest.fixture(params=sorted(CASES))
def reference(request, references):
    return references[request.param]


def test_keys_are_the_authors_nesting(reference):
    norm, num_downs, net, _, _ = reference
    keys = list(net.state_dict())
    assert keys[0] == "model.model.0.weight" and "model.model.3.bias" in keys
    deepest = "model.model.1.model" + ".3.model" * (num_downs - 2)
    assert f"{deepest}.1.weight" in keys and f"{deepest}.3.weight" in keys
    assert ("model.model.1.model.2.running_var" in keys) == (norm == "batch")
    assert ("model.model.0.bias" in keys) == (norm == "instance")  # use_bias = norm is InstanceNorm
    names = {layer.name for layer in kg.pix2pix.unet_generator(num_downs, 8, norm=norm).layers}
    assert deepest.replace(".", "_") + "_3" in names  # the innermost ConvTranspose, named after its module


def test_eval_mode_matches_pytorch(reference):
    norm, num_downs, net, path, x = reference
    g = kg.pix2pix.from_torch(path)
    assert kg.cyclegan.translate.size_multiple(g) == 2**num_downs
    assert kg.pix2pix.networks.norm_of(g) == norm
    # eager calls of one image (the shapes every other call here has: one compilation on JAX)
    y = kg.cyclegan.translate_images(g, x, mode="eval", batch_size=1)
    ref = run_torch(net, x)
    diff = float(np.max(np.abs(y - ref)))
    print(f"{norm}: max abs diff keras vs torch (eval): {diff:.2e}")
    assert diff < 1e-4
    assert float(np.std(ref)) > 0.05  # not two constants compared


def test_authors_mode_matches_pytorch_train_mode(reference):
    """The authors' test.py without --eval: batch statistics of each image;
    dropout disabled on both sides. No Keras variable changes."""
    norm, _, net, path, x = reference
    g = kg.pix2pix.from_torch(path, use_dropout=False)
    before = [np.array(v) for v in g.get_weights()]
    y = kg.cyclegan.translate_images(g, x, mode="authors")
    ref = run_torch(net, x, train=True)
    diff = float(np.max(np.abs(y - ref)))
    print(f"{norm}: max abs diff keras vs torch (authors' mode): {diff:.2e}")
    assert diff < 1e-4
    if norm == "batch":  # the two modes differ (batch vs running statistics)
        assert float(np.max(np.abs(ref - run_torch(net, x)))) > 0.05
    for a, b in zip(before, g.get_weights()):
        np.testing.assert_array_equal(a, b)  # moving statistics untouched


def test_dropout_in_authors_mode_is_seeded_and_leaves_the_model_alone():
    net = torch_unet("batch", 6)
    g = kg.pix2pix.from_torch(net.state_dict())  # with dropout (one block at num_downs=6)
    assert sum(type(layer).__name__ == "Dropout" for layer in g.layers) == 1
    x = np.random.default_rng(1).uniform(-1, 1, (2, 64, 64, 3)).astype("float32")
    a = kg.cyclegan.translate_images(g, x, mode="authors", seed=3)
    b = kg.cyclegan.translate_images(g, x, mode="authors", seed=3)
    c = kg.cyclegan.translate_images(g, x, mode="authors", seed=4)
    np.testing.assert_array_equal(a, b)
    assert float(np.max(np.abs(a - c))) > 1e-3  # other masks
    no_dropout = kg.cyclegan.translate_images(kg.pix2pix.from_torch(net.state_dict(), use_dropout=False), x,
                                              mode="authors")
    assert float(np.max(np.abs(a - no_dropout))) > 1e-3


def test_old_instance_norm_files_and_wrong_files(tmp_path):
    net = torch_unet("instance", 5)
    sd = {k: v.numpy() for k, v in net.state_dict().items()}
    # older versions of the authors' code kept InstanceNorm running statistics; their loader drops them
    old = dict(sd, **{"model.model.1.model.2.running_mean": np.zeros(16, "float32"),
                      "model.model.1.model.2.running_var": np.ones(16, "float32")})
    x = np.random.default_rng(2).uniform(-1, 1, (1, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(kg.cyclegan.translate_images(kg.pix2pix.from_torch(old), x, mode="eval"),
                               run_torch(net, x), atol=1e-4)
    with pytest.raises(ValueError, match="num_downs=8 but the state dict holds a U-Net of 5"):
        kg.pix2pix.from_torch(sd, num_downs=8)
    resnet = {"model.1.weight": np.zeros((8, 3, 7, 7), "float32"),
              "model.10.conv_block.1.weight": np.zeros((32, 32, 3, 3), "float32")}
    with pytest.raises(ValueError, match="not a pix2pix UnetGenerator.*ResnetGenerator.*kg.cyclegan.from_torch"):
        kg.pix2pix.from_torch(resnet)
    with pytest.raises(ValueError, match="not a pix2pix UnetGenerator.*NLayerDiscriminator"):
        kg.pix2pix.from_torch({"model.0.weight": np.zeros((8, 6, 4, 4), "float32")})
    extra = dict(sd, **{"model.model.9.weight": np.zeros(3, "float32")})
    with pytest.raises(ValueError, match=r"no place for: \['model.model.9.weight'\]"):
        kg.pix2pix.from_torch(extra)


def test_official_files_fail_fast_offline(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KERAS_GANS_CACHE", str(tmp_path))
    url = kg.pix2pix.official_pix2pix_url("edges2shoes")
    assert url == "http://efrosgans.eecs.berkeley.edu/pix2pix/models-pytorch/edges2shoes.pth"
    path = kg.pix2pix.official_pix2pix_path("edges2shoes")
    assert path == tmp_path / "official" / "pix2pix" / "edges2shoes.pth"
    with pytest.raises(FileNotFoundError) as info:
        kg.pix2pix.load_official("edges2shoes")
    assert url in str(info.value) and str(path) in str(info.value)
    with pytest.raises(ValueError, match="Unknown official pix2pix model 'edges2cats'"):
        kg.pix2pix.official_pix2pix_url("edges2cats")
    # one table: a name published by one family goes to it; a shared name must be qualified
    assert kg.convert.resolve_official("edges2shoes") == ("pix2pix", "edges2shoes")
    assert kg.convert.resolve_official("apple2orange") == ("cyclegan", "apple2orange")
    assert kg.convert.resolve_official("pix2pix/sat2map") == ("pix2pix", "sat2map")
    with pytest.raises(ValueError, match=r"Both cyclegan and pix2pix publish a model 'sat2map'.*official:pix2pix/sat2map"):
        kg.convert.resolve_official("sat2map")
    from keras_gans.cli import main

    out = str(tmp_path / "o.png")
    assert main(["translate", "official:edges2shoes", str(tmp_path / "in.png"), "-o", out]) == 1  # no such input
    from PIL import Image

    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "in.png")
    capsys.readouterr()
    assert main(["translate", "official:pix2pix/day2night", str(tmp_path / "in.png"), "-o", out]) == 1
    err = capsys.readouterr().err
    assert "models-pytorch/day2night.pth" in err and str(tmp_path / "official" / "pix2pix" / "day2night.pth") in err


def test_import_pix2pix_cli_makes_an_entry_equal_to_pytorch(references, tmp_path):
    from PIL import Image

    from keras_gans.cli import main

    _, num_downs, net, path, x = references["batch"]
    out = tmp_path / "zoo" / "my_pix2pix"
    assert main(["zoo", "import-pix2pix", str(path), "--out", str(out)]) == 0
    game = kg.zoo.load(out)
    assert isinstance(game, kg.Pix2Pix) and game.image_size == 2**num_downs
    assert game.discriminator.inputs[0].shape[-1] == 6 and kg.pix2pix.networks.norm_of(game.discriminator) == "batch"
    info = kg.zoo.info(out)
    assert any("Not measured by keras_gans" in line for line in info["limits"])
    assert str(path) in info["training"]["converted_from"]
    np.testing.assert_allclose(game.translate(x, mode="eval", batch_size=1), run_torch(net, x), atol=1e-4)
    # translate through the CLI: resized to the U-Net's native 64 px, translated in eval mode, resized back
    rgb = np.random.default_rng(5).integers(0, 256, (40, 50, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(tmp_path / "in.png")
    assert main(["translate", str(out), str(tmp_path / "in.png"), "-o", str(tmp_path / "out.png"),
                 "--mode", "eval"]) == 0
    got = np.asarray(Image.open(tmp_path / "out.png"))
    from keras_gans.cyclegan.translate import translate_any_size

    np.testing.assert_array_equal(got, translate_any_size(game.generator, rgb, 64, mode="eval"))
    assert main(["translate", str(out), str(tmp_path / "in.png"), "-o", str(tmp_path / "o2.png"),
                 "--direction", "b2a"]) == 1  # pix2pix is one-way
