"""The official CycleGAN ResnetGenerator (PyTorch) -> keras_gans, on every backend.

The reference network (``cyclegan_torch.py`` beside this file) is written from
the authors' ``models/networks.py``, with the same module order, hence the
same state-dict keys.
"""

import os
import pickle
import zipfile

import numpy as np
import pytest

import keras_gans as kg
from keras_gans import convert as conv

torch = pytest.importorskip("torch")
from cyclegan_torch import ResnetGenerator, torch_generator  # noqa: E402  (tests/cyclegan/, needs torch)


def torch_output(net, x_nhwc):
    with torch.no_grad():
        y = net(torch.from_numpy(x_nhwc).permute(0, 3, 1, 2))
    return y.permute(0, 2, 3, 1).numpy()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    net = torch_generator()
    path = tmp_path_factory.mktemp("pth") / "latest_net_G_A.pth"
    torch.save(net.state_dict(), path)
    x = np.random.default_rng(0).uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
    return net, path, x, torch_output(net, x)


def test_keys_are_the_official_ones(reference):
    net, path, _, _ = reference
    keys = list(net.state_dict())
    assert keys[:2] == ["model.1.weight", "model.1.bias"]
    assert "model.10.conv_block.1.weight" in keys and "model.11.conv_block.5.bias" in keys
    assert "model.12.weight" in keys and "model.15.weight" in keys and "model.19.weight" in keys


def test_reader_matches_torch_load_without_torch(reference):
    net, path, _, _ = reference
    sd = conv.read_torch_state_dict(path)
    ref = net.state_dict()
    assert list(sd) == list(ref)
    for k, v in ref.items():
        np.testing.assert_array_equal(sd[k], v.numpy())


def test_converted_generator_matches_pytorch(reference):
    _, path, x, y_torch = reference
    g = kg.cyclegan.from_torch(path)
    assert g.output_shape == (None, None, None, 3)
    y = np.asarray(g.predict(x, verbose=0))
    diff = float(np.max(np.abs(y - y_torch)))
    print(f"max abs diff keras vs torch: {diff:.2e}")
    assert diff < 1e-4
    assert float(np.std(y_torch)) > 0.05  # the comparison is not between two constants


def test_odd_sizes_and_rectangles_match(reference):
    net, path, _, _ = reference
    g = kg.cyclegan.from_torch(path, n_blocks=2)
    x = np.random.default_rng(1).uniform(-1, 1, (1, 36, 20, 3)).astype("float32")
    y = np.asarray(g.predict(x, verbose=0))
    assert y.shape == (1, 36, 20, 3)
    assert np.max(np.abs(y - torch_output(net, x))) < 1e-4


def test_legacy_format_and_in_memory_state_dict(reference, tmp_path):
    net, _, x, y_torch = reference
    legacy = tmp_path / "legacy.pth"
    torch.save(net.state_dict(), legacy, _use_new_zipfile_serialization=False)
    assert not zipfile.is_zipfile(legacy)
    sd = conv.read_torch_state_dict(legacy)
    for k, v in net.state_dict().items():
        np.testing.assert_array_equal(sd[k], v.numpy())
    g = kg.cyclegan.from_torch(net.state_dict())
    assert np.max(np.abs(np.asarray(g.predict(x, verbose=0)) - y_torch)) < 1e-4


def test_nine_block_official_layout_is_inferred():
    sd = {k: v.numpy() for k, v in ResnetGenerator(ngf=4, n_blocks=9).state_dict().items()}
    assert "model.26.weight" in sd  # the last conv of resnet_9blocks, as in the official files
    g = kg.cyclegan.from_torch(sd)
    assert sum(1 for layer in g.layers if layer.name.endswith("_conv_block_1")) == 9
    with pytest.raises(ValueError, match="n_blocks=6 but the state dict holds 9"):
        kg.cyclegan.from_torch(sd, n_blocks=6)


def test_truncated_and_garbage_files_raise_clear_errors(reference, tmp_path):
    _, path, _, _ = reference
    data = path.read_bytes()
    truncated = tmp_path / "truncated.pth"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated or corrupted"):
        kg.cyclegan.from_torch(truncated)
    garbage = tmp_path / "garbage.pth"
    garbage.write_bytes(b"<html>404 Not Found</html>" * 10)
    with pytest.raises(ValueError, match=r"garbage\.pth is not"):
        kg.cyclegan.from_torch(garbage)
    evil = tmp_path / "evil.pth"
    evil.write_bytes(pickle.dumps(os.system))
    with pytest.raises(ValueError):
        conv.read_torch_state_dict(evil)
    with pytest.raises(FileNotFoundError):
        kg.cyclegan.from_torch(tmp_path / "absent.pth")
    with pytest.raises(ValueError, match="not an official CycleGAN ResnetGenerator"):
        kg.cyclegan.from_torch({"weight": np.zeros((3, 3), "float32")})


def test_official_path_fails_fast_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_GANS_CACHE", str(tmp_path))
    path = kg.cyclegan.official_cyclegan_path("apple2orange")
    assert path == tmp_path / "official" / "apple2orange.pth"
    url = kg.cyclegan.official_cyclegan_url("apple2orange")
    assert url == "http://efrosgans.eecs.berkeley.edu/cyclegan/pretrained_models/apple2orange.pth"
    with pytest.raises(FileNotFoundError) as info:
        kg.cyclegan.load_official_cyclegan("apple2orange")
    assert url in str(info.value) and str(path) in str(info.value)
    with pytest.raises(ValueError, match="Unknown official CycleGAN model 'apple2pear'"):
        kg.cyclegan.official_cyclegan_path("apple2pear")
    monkeypatch.delenv("KERAS_GANS_CACHE")
    default = kg.cyclegan.official_cyclegan_path("horse2zebra")
    assert str(default).endswith(os.path.join(".keras", "keras_gans", "official", "horse2zebra.pth"))


def test_import_cyclegan_cli_makes_a_zoo_entry_equal_to_pytorch(reference, tmp_path):
    from keras_gans.cli import main

    net_a, path_a, x, y_a = reference
    net_b = torch_generator(seed=1)
    path_b = tmp_path / "latest_net_G_B.pth"
    torch.save(net_b.state_dict(), path_b)
    out = tmp_path / "zoo" / "my_apple2orange"
    assert main(["zoo", "import-cyclegan", str(path_a), str(path_b), "--out", str(out)]) == 0
    game = kg.zoo.load(out)
    assert isinstance(game, kg.CycleGAN)
    for direction, ref in (("a2b", y_a), ("b2a", torch_output(net_b, x))):
        y = game.translate(x, direction)
        assert float(np.max(np.abs(y - ref))) < 1e-4, direction
