"""The shipped SR entries reproduce their cards' Set5 PSNR on every backend
(the card is measured on one backend; the suite runs this on all three, so
the three agree to 0.01 dB)."""

import json

import pytest

import keras_gans as kg
from conftest import REPO, shared_data

ENTRIES = [n for n in ("srresnet_x4", "srgan_x4") if (REPO / "zoo" / n / "config.json").is_file()]


@pytest.mark.parametrize("name", ENTRIES or [pytest.param("srresnet_x4", marks=pytest.mark.skip("not shipped"))])
def test_card_set5_psnr_is_reproduced_on_this_backend(name):
    folder = shared_data("Set5")
    card = json.loads((REPO / "zoo" / name / "config.json").read_text())["metrics"]["Set5"]
    result = kg.srgan.evaluate(kg.zoo.load(name), folder, scale=4, tile=128)
    got = result["mean"]["model"]
    assert abs(got["psnr"] - card["psnr"]) < 0.01, (got, card)
    assert abs(got["ssim"] - card["ssim"]) < 1e-3, (got, card)
    assert got["psnr"] > result["mean"]["bicubic"]["psnr"] + 1.0  # it learned something
