"""Measure `pix2pix_edges2flowers` on the held-out photos (every 10th file of
flowers_ccby_128, never trained on) and write the numbers and samples.png
(edges | ours | photo) into the entry's card.

For each translate mode ("authors": the authors' test.py default, batch
statistics of each image and dropout, seed 0; "eval": running statistics, no
dropout), the generator's photos from the held-out edge maps against the
held-out photos:

- ``l1``: mean |ours - photo| over pixels and channels, in [0, 1] units;
- ``psnr``: per-image RGB PSNR (dB, peak 255, no border shaved), averaged;
- ``fd``: Fréchet distance between the held-out photos and ours in the
  256-d 'features' of the zoo's flowers_classifier64 (64x64 Lanczos
  downsamples; its own feature space, not Inception's FID);

beside trivial baselines: the mean training photo and a constant grey (128)
for every input; and FD's floor: as many training photos (a seeded draw) as
held-out ones, against the held-out photos.

    env KERAS_BACKEND=tensorflow python zoo/pix2pix_edges2flowers/evaluate.py [--write]
    env KERAS_BACKEND=tensorflow python zoo/pix2pix_edges2flowers/evaluate.py --checkpoint RUN_DIR  # a run in progress
"""

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402

import keras_gans as kg  # noqa: E402
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_shared"))  # recipe support, outside the wheel
import recipe_utils  # noqa: E402

HERE = Path(__file__).resolve().parent
FEATURES = "flowers_classifier64"
SAMPLE_ROWS = 8


def _recipe():
    spec = importlib.util.spec_from_file_location("pix2pix_edges2flowers_recipe", HERE / "recipe.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _small(images, size=64):
    """uint8 images -> ``[-1, 1]`` floats at the classifier's 64x64 (Lanczos, as its training data)."""
    from PIL import Image

    if images.shape[1] != size:
        images = np.stack([np.asarray(Image.fromarray(im).resize((size, size), Image.LANCZOS)) for im in images])
    return kg.images.to_model_range(images)


def _scores(fake, photos, fd):
    fake, photos = np.asarray(fake), np.asarray(photos)
    fd.reset_state("fake")
    fd.update_state(fake=_small(fake))
    return {
        "l1": round(float(np.mean(np.abs(fake.astype(np.float64) - photos.astype(np.float64))) / 255.0), 4),
        "psnr": round(float(np.mean([kg.metrics.psnr(a, b, scale=0, y_channel=False) for a, b in zip(fake, photos)])), 3),
        "fd": round(float(fd.result()), 3),
    }


def measure(model, split, samples=None, seed=0):
    """The card's metrics of ``model`` on ``split`` (``recipe.load_split``);
    ``samples``: where to write samples.png (None: not written)."""
    edges, photos, _ = split["heldout"]
    train_photos = split["train"][1]
    fd = kg.metrics.FrechetDistance(kg.zoo.load_features(FEATURES), batch_size=250)
    fd.update_state(real=_small(photos))
    n = len(photos)
    out = {}
    ours = {}
    for mode in ("authors", "eval"):
        ours[mode] = model.translate(edges, mode=mode, seed=seed)
        out[f"ours_{mode}"] = _scores(ours[mode], photos, fd)
    mean_photo = np.round(train_photos.astype(np.float64).mean(0)).astype(np.uint8)
    out["mean_training_photo"] = _scores(np.repeat(mean_photo[None], n, 0), photos, fd)
    out["grey_128"] = _scores(np.full_like(photos, 128), photos, fd)
    draw = np.random.default_rng(seed).permutation(len(train_photos))[:n]
    out["fd_floor_training_photos"] = _scores(train_photos[draw], photos, fd)["fd"]
    if samples is not None:
        pick = np.linspace(0, n - 1, min(SAMPLE_ROWS, n)).round().astype(int)
        cells = np.stack([im for i in pick for im in (edges[i], ours["authors"][i], photos[i])])
        from PIL import Image

        from keras_gans.files import atomic_path

        with atomic_path(samples) as tmp:
            Image.fromarray(kg.images.make_grid(cells, value_range=(0, 255), columns=3)).save(tmp, format="PNG")
    return out


NOTES = {
    "ours_authors": "translate(edges, mode='authors', seed=0): the authors' test.py default (batch statistics of "
                    "each image, dropout on); l1 in [0, 1] units, psnr RGB dB, fd in flowers_classifier64 features",
    "ours_eval": "translate(edges, mode='eval'): running statistics, no dropout (the authors' --eval)",
    "mean_training_photo": "baseline: the per-pixel mean of the training photos, for every input",
    "grey_128": "baseline: a constant grey (128) image for every input",
    "fd_floor_training_photos": "FD of as many real training photos (seeded draw) against the held-out photos: "
                                "the floor",
}


def load_model(args):
    ns = argparse.Namespace(num_downs=args.num_downs, filters=args.filters, seed=0)
    return recipe_utils.game_to_measure(args.entry, args.checkpoint, lambda: _recipe().build(ns))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--entry", default=str(HERE), help="the entry folder (default: this folder)")
    p.add_argument("--checkpoint", default=None, metavar="RUN_DIR", help="measure a run's newest checkpoint instead")
    p.add_argument("--num-downs", type=int, default=7, help="--checkpoint: the run's U-Net depth")
    p.add_argument("--filters", type=int, default=64, help="--checkpoint: the run's width")
    p.add_argument("--image-size", type=int, default=128)
    p.add_argument("--data", default=None, help="the flowers_ccby_128 folder (default: the data root)")
    p.add_argument("--write", action="store_true", help="record the metrics and samples.png in the entry's card")
    p.add_argument("--status-note", default=None,
                   help="--write: what samples.png shows, appended to the card's status line")
    args = p.parse_args(argv)
    model = load_model(args)
    recipe = _recipe()
    split = recipe.load_split(args.image_size, args.data)
    samples = Path(args.entry) / "samples.png" if args.write else None
    metrics = measure(model, split, samples)
    print(json.dumps(metrics, indent=1))
    if args.write:
        recipe_utils.update_metrics(
            args.entry, metrics,
            {"command": recipe_utils.command_line(), "backend": kg.backend.name,
             "heldout": f"{len(split['heldout'][1])} photos: every {recipe.HELDOUT_EVERY}th file of flowers_ccby_128",
             "samples": "samples.png: edges | ours (mode='authors', seed 0) | photo, 8 held-out images"},
            NOTES, extra={"samples": "samples.png", "limits": limits_with_status(args.entry, metrics, args.status_note)},
        )
    return 0


def status(metrics):
    """The card's status line, from the measured metrics: FD and L1 against the baselines."""
    ours, mean = metrics["ours_eval"], metrics["mean_training_photo"]
    l1 = "below" if ours["l1"] < mean["l1"] else "above"
    return (f"Status: FD {metrics['ours_authors']['fd']:.1f} (authors' mode) / {ours['fd']:.1f} (eval) against "
            f"{mean['fd']:.1f} for the mean training photo and {metrics['grey_128']['fd']:.1f} for grey (floor "
            f"{metrics['fd_floor_training_photos']:.1f}); L1 {ours['l1']:.4f}, {l1} the mean photo's {mean['l1']:.4f} "
            "(a GAN paints colours the edges do not determine, where the mean photo hedges).")


def limits_with_status(entry, metrics, note=None):
    """The card's limits with the status line first (an older status line replaced)."""
    config = json.loads((Path(entry) / "config.json").read_text())
    return recipe_utils.status_first(config.get("limits"), status(metrics) + (f" {note}" if note else ""), ("Status: ",))


if __name__ == "__main__":
    sys.exit(main())
