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
    for k in ("gradient_ratio", "hf_ratio"):  # the card's sharpness, where it lists it
        if k in card:
            assert abs(got[k] - card[k]) < 2e-3, (k, got[k], card[k])


@pytest.mark.skipif(len(ENTRIES) < 2, reason="needs both srresnet_x4 and srgan_x4 shipped")
def test_srgan_card_is_sharper_and_lower_psnr_than_srresnet_card():
    """What the adversarial term bought, as the cards state it (paper: SRGAN
    trades PSNR for detail)."""
    cards = {n: json.loads((REPO / "zoo" / n / "config.json").read_text())["metrics"] for n in ENTRIES}
    for s in ("Set5", "Set14", "BSD100"):
        gan, mse = cards["srgan_x4"][s], cards["srresnet_x4"][s]
        assert gan["hf_ratio"] > mse["hf_ratio"] and gan["gradient_ratio"] > mse["gradient_ratio"], (s, gan, mse)
        assert gan["psnr"] > gan["bicubic_psnr"], (s, gan)
