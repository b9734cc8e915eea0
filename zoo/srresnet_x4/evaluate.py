"""Measure an SR zoo entry on Set5, Set14 and BSD100 (x4, the data sets' own
LR files; PSNR/SSIM on the BT.601 Y of colour images, grey images on their
own values, 4 px shaved: ``keras_gans.srgan.benchmark``), and its sharpness
against the HR images (gradient ratio, high-frequency energy ratio:
``keras_gans.metrics``), and write the tables, in the paper's layout, and
side-by-side Set14 crops (``samples.png``) into its card.

    env KERAS_BACKEND=tensorflow python zoo/srresnet_x4/evaluate.py [--write]
    env KERAS_BACKEND=tensorflow python zoo/srresnet_x4/evaluate.py --entry zoo/srgan_x4 \
        --label "SRGAN-MSE x4" --compare zoo/srresnet_x4@8dc145f --compare-label "SRResNet (start)" --write

(``--compare folder@commit``: the SRResNet the SRGAN run started from, as its card's
init_detail names it.)
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

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


SHARPNESS = ("gradient_ratio", "hf_ratio", "grid_ratio")
CROP_IMAGES = ("img_001", "img_005", "img_011", "img_014")  # Set14 baboon, comic, monarch, zebra
CROP = 96  # HR pixels


def measure(model, tile=128):
    out = {}
    for name in SETS:
        folder = kg.data.dataset_path(name)
        r = sr_eval.evaluate(model, folder, scale=4, tile=tile)
        row = {}
        for who, prefix in (("model", ""), ("bicubic", "bicubic_")):
            m = r["mean"][who]
            row.update({prefix + "psnr": round(m["psnr"], 3), prefix + "ssim": round(m["ssim"], 4)})
            row.update({prefix + k: round(m[k], 4) for k in SHARPNESS})
        row["images"] = len(r["images"])
        out[name] = row
        print(name, json.dumps(out[name]), flush=True)
    return out


def table(metrics, label, compare=None):
    rows = ["| | Set5 | Set14 | BSD100 |", "|---|---|---|---|"]
    rows.append("| bicubic (ours, PIL) | " + " | ".join(f"{metrics[s]['bicubic_psnr']:.2f} / {metrics[s]['bicubic_ssim']:.4f}" for s in SETS) + " |")
    for lab, m in ([compare] if compare else []):
        rows.append(f"| {lab} (ours) | " + " | ".join(f"{m[s]['psnr']:.2f} / {m[s]['ssim']:.4f}" for s in SETS) + " |")
    rows.append(f"| **{label} (ours)** | " + " | ".join(f"**{metrics[s]['psnr']:.2f}** / {metrics[s]['ssim']:.4f}" for s in SETS) + " |")
    for ref, vals in REFERENCES.items():
        rows.append(f"| {ref}, published | " + " | ".join(f"{vals[s]:.2f}" for s in SETS) + " |")
    return rows


def sharpness_table(metrics, label, compare=None):
    rows = ["| | Set5 | Set14 | BSD100 |", "|---|---|---|---|"]
    cell = lambda m, s, p="": " / ".join(f"{m[s][p + k]:.3f}" for k in SHARPNESS)  # noqa: E731
    rows.append("| bicubic (ours, PIL) | " + " | ".join(cell(metrics, s, "bicubic_") for s in SETS) + " |")
    for lab, m in ([compare] if compare else []):
        rows.append(f"| {lab} (ours) | " + " | ".join(cell(m, s) for s in SETS) + " |")
    rows.append(f"| **{label} (ours)** | " + " | ".join(cell(metrics, s) for s in SETS) + " |")
    rows.append("| HR (ground truth) | " + " | ".join("1 / 1 / 1" for _ in SETS) + " |")
    return rows


def _crop_box(hr, size):
    """The size x size window (stride 16) with the most HR gradient: a textured part."""
    from keras_gans.metrics.image_quality import rgb_to_y, sobel_magnitude

    g = sobel_magnitude(rgb_to_y(hr) if hr.ndim == 3 and hr.shape[-1] == 3 else hr.astype(float).squeeze())
    best, box = -1.0, (0, 0)
    for y in range(0, g.shape[0] - size + 1, 16):
        for x in range(0, g.shape[1] - size + 1, 16):
            v = g[y:y + size, x:x + size].mean()
            if v > best:
                best, box = v, (y, x)
    return box


def crops(models, path, tile=128, zoom=2):
    """Set14 crops side by side: bicubic | each model | HR, ``zoom`` x nearest."""
    from PIL import Image, ImageDraw

    pairs = {n: (h, lr) for n, h, lr in sr_eval.find_pairs(kg.data.dataset_path("Set14"), 4)}
    labels = ["bicubic", *[lab for lab, _ in models], "HR"]
    side, top = CROP * zoom, 14
    sheet = Image.new("RGB", (side * len(labels), (side + top) * len(CROP_IMAGES)), "white")
    draw = ImageDraw.Draw(sheet)
    for r, name in enumerate(CROP_IMAGES):
        hr_path, lr_path = pairs[name]
        lr = sr_eval.load_image(lr_path)[0]
        hr = sr_eval.load_image(hr_path)[0][: lr.shape[0] * 4, : lr.shape[1] * 4]
        y, x = _crop_box(hr, CROP)
        tiles = [sr_eval.bicubic_resize(lr, hr.shape[:2]), *[m.upscale(lr, tile=tile) for _, m in models], hr]
        for c, (lab, img) in enumerate(zip(labels, tiles)):
            piece = Image.fromarray(np.asarray(img)[y:y + CROP, x:x + CROP]).resize((side, side), Image.NEAREST)
            sheet.paste(piece, (c * side, r * (side + top) + top))
            draw.text((c * side + 3, r * (side + top) + 1), f"{name} {lab}" if c == 0 else lab, fill="black")
    sheet.save(path)
    return path


TARGET = "SRCNN (91 images)"  # issue 11: srresnet_x4 at least at SRCNN's level on all three sets


def status(config, metrics):
    """The card's status line (limits[0]) and progress table of an SRResNet
    entry, from what was just measured: where it stands against the target,
    after how much training, and how it got there."""
    t = config["training"]
    steps, hours = int(t["steps"]), float(t["wall_time_s"]) / 3600
    progress = [r for r in t.get("progress", []) if r["steps"] != steps]
    progress.append({"steps": steps, **{s: round(metrics[s]["psnr"], 2) for s in SETS}})
    t["progress"] = sorted(progress, key=lambda r: r["steps"])
    target = REFERENCES[TARGET]
    fmt = lambda vals: " / ".join(f"{v:.2f}" for v in vals)  # noqa: E731
    ours = [metrics[s]["psnr"] for s in SETS]
    gaps = [target[s] - metrics[s]["psnr"] for s in SETS]
    head = "TARGET MET" if max(gaps) <= 0 else "BELOW THE TARGET"
    line = (f"{head} ({TARGET.split(' (')[0]}'s level, {fmt(target[s] for s in SETS)} dB on Set5 / Set14 / BSD100): "
            f"measured {fmt(ours)} dB after {steps:,} steps ({hours:.2f} CPU-hours)")
    if max(gaps) > 0:  # name each set: below by how much, or above
        line += "; " + ", ".join(f"{s} {abs(g):.2f} dB {'below' if g > 0 else 'above'}" for s, g in zip(SETS, gaps)) + "."
    else:
        line += "."
    earlier = [r for r in t["progress"] if r["steps"] < steps][-3:]
    if earlier:
        line += " Earlier: " + "; ".join(f"{fmt(r[s] for s in SETS)} dB at {r['steps']:,}" for r in reversed(earlier)) + "."
    line += f" Optimizer: {t.get('optimizer')}. Training continues from the run folder (see Training)."
    return line


PAPER_GAN = "SRGAN (Ledig)"


def start_name(training):
    """The SRResNet an SRGAN card started from, e.g. "zoo/srresnet_x4 as shipped
    at commit 8dc145f (9136 steps, Set5 30.194 dB)": from the card's
    ``init_from`` fields, or from its ``init_detail`` sentence (cards exported
    before ``init_from`` existed)."""
    info = training.get("init_from")
    if info:
        return (f"{info.get('entry')} as shipped at commit {info.get('commit') or '(uncommitted)'} ({info.get('steps')} steps, "
                f"Set5 {info.get('set5_psnr')} dB)")
    origin = training.get("init_detail") or training.get("init") or "the SRResNet entry"
    if ": " not in origin:
        return origin
    head, tail = origin.split(": ", 1)
    return f"{head} ({tail.split(', weights')[0]})"


def gan_status(config, metrics, start, note=None):
    """The card's status line (limits[0]) of an SRGAN entry, measured against
    the SRResNet it started from (``start``: that entry's metrics, measured in
    the same run): PSNR down, sharpness up, after how much adversarial training."""
    t = config["training"]
    steps, hours = int(t["steps"]), float(t["wall_time_s"]) / 3600
    fmt = lambda key, m: " / ".join(f"{m[s][key]:.{2 if key == 'psnr' else 3}f}" for s in SETS)  # noqa: E731
    head = "EARLY WEIGHTS" if steps < int(t.get("paper_steps") or 0) / 10 else "MEASURED"
    line = (f"{head}: {steps:,} adversarial steps ({hours:.2f} CPU-hours) from {start_name(t)}. "
            f"Measured against that start (Set5 / Set14 / BSD100): PSNR {fmt('psnr', metrics)} dB (start "
            f"{fmt('psnr', start)}; the paper's SRGAN-VGG54 {' / '.join(f'{REFERENCES[PAPER_GAN][s]:.2f}' for s in SETS)}), "
            f"gradient ratio {fmt('gradient_ratio', metrics)} (start {fmt('gradient_ratio', start)}), energy above the "
            f"LR Nyquist {fmt('hf_ratio', metrics)} of the HR images' (start {fmt('hf_ratio', start)}), grid ratio "
            f"{fmt('grid_ratio', metrics)} (start {fmt('grid_ratio', start)}; 1 = no more periodic grid texture than HR).")
    if note:
        line += f" {note.strip()}"
    return line + " Training continues from the run folder (see Training)."


def entry_at(spec):
    """``folder@commit``: that entry's config and weights as committed then
    (e.g. the SRResNet an SRGAN run started from, named on its card), copied
    into a temporary folder; anything else is returned as it is."""
    if "@" not in spec:
        return spec
    folder, commit = spec.rsplit("@", 1)
    repo = HERE.parents[1]
    rel = (Path(folder) if Path(folder).is_absolute() else Path.cwd() / folder).resolve().relative_to(repo)
    out = Path(tempfile.mkdtemp(prefix=f"{rel.name}_{commit}_"))
    for name in ("config.json", "model.weights.h5"):
        got = subprocess.run(["git", "-C", str(repo), "show", f"{commit}:{rel.as_posix()}/{name}"], capture_output=True)
        if got.returncode != 0:
            raise SystemExit(f"--compare {spec}: git has no {rel.as_posix()}/{name} at {commit!r} "
                             f"({got.stderr.decode().strip()}); expected folder@commit of a committed entry")
        (out / name).write_bytes(got.stdout)
    return str(out)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--entry", default=str(HERE))
    p.add_argument("--label", default="SRResNet x4")
    p.add_argument("--compare", default=None,
                   help="another entry measured in the same run: a folder or name (zoo/srresnet_x4), or "
                        "folder@commit for the entry as committed then (the start of an SRGAN run)")
    p.add_argument("--compare-label", default=None)
    p.add_argument("--write", action="store_true", help="write the tables and samples.png into the entry's card")
    p.add_argument("--status-note", default=None,
                   help="SRGAN entries: what the crops in samples.png show, appended to the status line")
    args = p.parse_args(argv)
    model = kg.zoo.load(args.entry)
    metrics = measure(model)
    compare, models = None, []
    if args.compare:
        other = kg.zoo.load(entry_at(args.compare))
        compare = (args.compare_label or Path(args.compare).name, measure(other))
        models.append((compare[0], other))
    models.append((args.label, model))
    psnr_rows, sharp_rows = table(metrics, args.label, compare), sharpness_table(metrics, args.label, compare)
    print("\n".join(psnr_rows + [""] + sharp_rows))
    if args.write:
        crops(models, Path(args.entry) / "samples.png")
        config = json.loads((Path(args.entry) / "config.json").read_text())
        if config.get("training", {}).get("stage") == "srresnet" and not config["training"].get("smoke"):
            line = status(config, metrics)
            limits = recipe_utils.status_first(config.get("limits"), line, ("BELOW THE TARGET", "TARGET MET"))
            extra_status = {"limits": limits, "training": config["training"]}
            print(line)
        elif config.get("training", {}).get("stage") == "srgan" and compare and not config["training"].get("smoke"):
            line = gan_status(config, metrics, compare[1], args.status_note)
            extra_status = {"limits": recipe_utils.status_first(config.get("limits"), line, ("EARLY WEIGHTS", "MEASURED"))}
            print(line)
        else:
            extra_status = {}
        recipe_utils.update_metrics(
            args.entry, metrics,
            {"command": recipe_utils.command_line(),
             "data": "Set5 (5), Set14 (14), BSD100 (100) x4 with their own LR files; never used in training",
             "protocol": "PSNR/SSIM on BT.601 Y of colour images, grey images (Set14 img_003) on their own "
                         "values, 4 px shaved, output rounded to uint8 (keras_gans.srgan.benchmark); "
                         "sharpness on the same Y: gradient_ratio = mean Sobel magnitude of the output / "
                         "of HR, hf_ratio = spectral energy above the LR Nyquist (1/8 cycle/px, Hann "
                         "window) of the output / of HR, grid_ratio = spectral peak prominence at the x4 lattice "
                         "frequencies (k/4 cycle/px) of the output / of HR (keras_gans.metrics)"},
            notes={s: "x4 means: PSNR (dB), SSIM, gradient_ratio, hf_ratio, grid_ratio of the model (bicubic_*: of bicubic)"
                   for s in SETS},
            extra={**extra_status, "samples": "samples.png", "results": [
                "PSNR (dB) / SSIM, x4, in the layout of Ledig et al. 2017, Table 2:", "",
                *psnr_rows, "",
                "Published SSIMs are left out: our SSIM follows the MATLAB ssim_index convention "
                "(Set5 bicubic 0.8104, as SRCNN/VDSR list), about 0.01 below Ledig et al.'s figures.", "",
                "Sharpness against the HR images, gradient ratio / high-frequency energy ratio / grid ratio (1 = "
                "as much detail as the ground truth; PSNR/SSIM favour a blurred mean, the first two say how much "
                "of the lost detail an output puts back, right or not; the grid ratio, how much more the output's "
                "spectrum peaks at the x4 lattice frequencies, the period of the pixel shuffles, than HR's: "
                "above 1, part of that detail is a periodic grid texture):", "",
                *sharp_rows, "",
                f"samples.png: Set14 crops ({CROP} HR px, x2 nearest; the most textured window of each "
                f"image), left to right: {', '.join(['bicubic', *[lab for lab, _ in models], 'HR'])}.",
            ]},
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
