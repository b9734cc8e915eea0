"""``keras-gans zoo import-sr`` and ``keras-gans upscale official:NAME`` on
tiny checkpoints saved in the authors' layouts (see esrgan_torch.py)."""

import hashlib
import json

import numpy as np
import pytest

import keras_gans as kg
from keras_gans.cli import main

torch = pytest.importorskip("torch")
PIL = pytest.importorskip("PIL.Image")
import esrgan_torch as ref  # noqa: E402  (tests/esrgan/, needs torch)


@pytest.fixture(scope="module")
def rrdb(tmp_path_factory):
    """A 2-block RRDBNet x4 saved as BasicSR saves it, under the name of the
    published RealESRGAN_x4plus.pth, and a uint8 photo."""
    folder = tmp_path_factory.mktemp("sr")
    net = ref.randomized(ref.BasicSRRRDBNet(scale=4), 11)
    path = folder / "RealESRGAN_x4plus.pth"
    torch.save({"params_ema": net.state_dict()}, path)
    photo = np.random.default_rng(3).integers(0, 256, (14, 11, 3), dtype=np.uint8)
    PIL.fromarray(photo).save(folder / "photo.png")
    want = np.round(np.clip(ref.run(net, photo[None].astype("float32") / 255.0)[0], 0, 1) * 255).astype(int)
    return net, path, folder / "photo.png", photo, want


def test_import_sr_writes_an_entry_that_upscales_like_pytorch(rrdb, tmp_path):
    _, path, png, photo, want = rrdb
    out = tmp_path / "zoo" / "my_realesrgan"
    assert main(["zoo", "import-sr", str(path), "--out", str(out)]) == 0
    config = json.loads((out / "config.json").read_text())
    assert config["licence"].startswith("BSD-3-Clause")
    assert config["training"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert config["training"]["converted_from"] == "RealESRGAN_x4plus.pth"
    assert config["training"]["published_at"] == kg.esrgan.official_url("realesrgan_x4plus")
    assert config["weights"]["dtype"] == "float32" and config["metrics"] == {}
    assert config["architecture"].startswith("RRDBNet x4, 2 blocks (16 features, growth 8), read from the BasicSR")
    assert any("not measured by keras_gans" in line.lower() for line in config["limits"])
    card = (out / "MODEL_CARD.md").read_text()
    assert "Not measured yet." in card and "BSD-3-Clause" in card

    sr = kg.zoo.load(out)
    assert isinstance(sr, kg.SRGAN) and sr.scale == 4
    up = sr.upscale(photo)
    assert up.dtype == np.uint8 and up.shape == (56, 44, 3)
    assert int(np.max(np.abs(up.astype(int) - want))) <= 1
    dst = tmp_path / "out.png"
    assert main(["upscale", str(out), str(png), "-o", str(dst)]) == 0
    got = np.asarray(PIL.open(dst), dtype=int)
    assert int(np.max(np.abs(got - want))) <= 1


def test_import_sr_card_carries_the_published_numbers(rrdb, tmp_path):
    """A file known by name (here the ESRGAN PSNR model, original layout)
    gets the authors' published PSNR, marked as theirs."""
    net = ref.randomized(ref.ESRGANRRDBNet(nb=1), 12)
    path = tmp_path / "ESRGAN_PSNR_SRx4_DF2K_official-150ff491.pth"
    torch.save(net.state_dict(), path)
    out = tmp_path / "esrgan_psnr"
    assert main(["zoo", "import-sr", str(path), "--out", str(out)]) == 0
    config = json.loads((out / "config.json").read_text())
    assert config["evaluation"]["published"]["Set5"] == 32.73
    assert config["evaluation"]["published_note"] == "as published by the authors, not measured by keras_gans"
    assert "Apache-2.0" in config["licence"] and "original ESRGAN" in config["architecture"]
    assert "Set5 32.73 dB" in (out / "MODEL_CARD.md").read_text()
    unknown = tmp_path / "net_g_5000.pth"
    torch.save({"params": net.state_dict()}, unknown)
    assert main(["zoo", "import-sr", str(unknown), "--out", str(tmp_path / "mine"), "--licence", "CC-BY-4.0"]) == 0
    assert json.loads((tmp_path / "mine" / "config.json").read_text())["licence"] == "CC-BY-4.0"


def test_upscale_official_name_offline_then_cached_with_outscale(rrdb, tmp_path, monkeypatch, capsys):
    _, path, png, _, want = rrdb
    monkeypatch.setenv("KERAS_GANS_CACHE", str(tmp_path / "cache"))
    cached = tmp_path / "cache" / "official" / "RealESRGAN_x4plus.pth"
    dst = tmp_path / "out.png"
    assert main(["upscale", "official:realesrgan_x4plus", str(png), "-o", str(dst)]) == 1
    err = capsys.readouterr().err
    assert kg.esrgan.official_url("realesrgan_x4plus") in err and str(cached) in err and "--download" in err
    assert not dst.exists()
    cached.parent.mkdir(parents=True)
    cached.write_bytes(path.read_bytes())
    assert main(["upscale", "official:RealESRGAN_x4plus", str(png), "-o", str(dst)]) == 0
    assert int(np.max(np.abs(np.asarray(PIL.open(dst), dtype=int) - want))) <= 1
    half = tmp_path / "x2.5.png"
    assert main(["upscale", "official:realesrgan_x4plus", str(png), "-o", str(half), "--outscale", "2.5"]) == 0
    assert PIL.open(half).size == (27, 35)  # int(11 * 2.5), int(14 * 2.5): Real-ESRGAN's rounding
    assert main(["upscale", "official:realesrgan_x4plus", str(png), "-o", str(half), "--overwrite",
                 "--outscale", "0"]) == 1
    assert "--outscale must be > 0" in capsys.readouterr().err
