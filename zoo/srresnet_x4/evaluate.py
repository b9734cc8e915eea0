"""Measure an SR zoo entry on Set5, Set14 and BSD100 (x4, the data sets' own
LR files; PSNR/SSIM on the BT.601 Y of colour images, grey images on their
own values, 4 px shaved: ``keras_gans.srgan.benchmark``) and write the table, in the
paper's layout, into its card.

    env KERAS_BACKEND=tensorflow python zoo/srresnet_x4/evaluate.py [--entry zoo/srresnet_x4] [--write]
"""

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras_gans as kg  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_shared"))  # recipe support, outside the wheel
import recipe_utils  # noqa: E402
from keras_gans.srgan import benchmark as sr_eval  # noqa: E402

HERE = Path(__file__).resolve().parent
SETS = ("Set5", "Set14", "BSD100")
# Published x4 PSNR (dB), Y channel: Ledig et al. 2017 Table 2, and SRCNN / SRResNet-291 as in the issue
REFERENCES = {
    "SRCNN (91 images)": {"Set5": 30.48, "Set14": 27.49, "BSD100": 26.90},
    "SRResNet (291 images)": {"Set5": 31.52, "Set14": 27.95, "BSD100": 27.17},
    "SRResNet (Ledig, ImageNet, 1e6 steps)": {"Set5": 32.05, "Set14": 28.49, "BSD100": 27.58},
    "SRGAN (Ledig)": {"Set5": 29.40, "Set14": 26.02, "BSD100": 25.16},
}


def measure(entry, tile=128):
    model = kg.zoo.load(entry)
    out = {}
    for name in SETS:
        folder = kg.data.dataset_path(name)
        r = sr_eval.evaluate(model, folder, scale=4, tile=tile)
        out[name] = {
            "psnr": round(r["mean"]["model"]["psnr"], 3), "ssim": round(r["mean"]["model"]["ssim"], 4),
            "bicubic_psnr": round(r["mean"]["bicubic"]["psnr"], 3), "bicubic_ssim": round(r["mean"]["bicubic"]["ssim"], 4),
            "images": len(r["images"]),
        }
        print(name, json.dumps(out[name]), flush=True)
    return out


def table(metrics, label):
    rows = ["| | Set5 | Set14 | BSD100 |", "|---|---|---|---|"]
    rows.append("| bicubic (ours, PIL) | " + " | ".join(f"{metrics[s]['bicubic_psnr']:.2f} / {metrics[s]['bicubic_ssim']:.4f}" for s in SETS) + " |")
    rows.append(f"| **{label} (ours)** | " + " | ".join(f"**{metrics[s]['psnr']:.2f}** / {metrics[s]['ssim']:.4f}" for s in SETS) + " |")
    for ref, vals in REFERENCES.items():
        rows.append(f"| {ref}, published | " + " | ".join(f"{vals[s]:.2f}" for s in SETS) + " |")
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--entry", default=str(HERE))
    p.add_argument("--label", default="SRResNet x4")
    p.add_argument("--write", action="store_true")
    args = p.parse_args(argv)
    metrics = measure(args.entry)
    for line in table(metrics, args.label):
        print(line)
    if args.write:
        recipe_utils.update_metrics(
            args.entry, metrics,
            {"command": recipe_utils.command_line(),
             "data": "Set5 (5), Set14 (14), BSD100 (100) x4 with their own LR files; never used in training",
             "protocol": "PSNR/SSIM on BT.601 Y of colour images, grey images (Set14 img_003) on their own "
                         "values, 4 px shaved, output rounded to uint8 (keras_gans.srgan.benchmark)"},
            notes={s: "x4 mean PSNR (dB) / SSIM of the model and of bicubic" for s in SETS},
            extra={"results": [
                "PSNR (dB) / SSIM, x4, in the layout of Ledig et al. 2017, Table 2:", "",
                *table(metrics, args.label), "",
                "Published SSIMs are left out: our SSIM follows the MATLAB ssim_index convention "
                "(Set5 bicubic 0.8104, as SRCNN/VDSR list), about 0.01 below Ledig et al.'s figures.",
            ]},
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
