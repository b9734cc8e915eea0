"""Recipe of the `pix2pix_edges2flowers` zoo entry: flower photos from their edge maps.

pix2pix (Isola et al. 2017) as in the paper and the authors' code: the U-Net
generator with skips (``unet_128`` at 128 px: 7 downsamplings to 1x1),
batch norm, dropout 0.5 in the innermost decoder blocks; the 70x70
conditional PatchGAN judging (edges, photo) pairs; vanilla GAN loss +
100 x L1; Adam(2e-4, beta_1=0.5) for both, batch 1; learning rate constant
for the first half of the epochs, then linearly decayed to 0. Data: the
3,483 CC BY 2.0 flower photos of `flowers_ccby_128` (128x128) and an edge
map of each (``edges``, below), resized to 143x143 and randomly cropped to
128 and flipped alike (the authors' ``resize_and_crop`` + ``flip``); every
10th file (sorted paths) is held out for ``evaluate.py``.

    # the entry (about 20 epochs of 3,134 steps; hours per epoch on a small CPU: see the card)
    python zoo/pix2pix_edges2flowers/recipe.py --epochs 20
    # a run stops cleanly at --time-limit (checkpoint kept) and the same command goes on from it
    python zoo/pix2pix_edges2flowers/recipe.py --epochs 20 --time-limit 36000 --no-export
    python zoo/pix2pix_edges2flowers/recipe.py --epochs 20 --export-only     # the entry from the newest checkpoint
    python zoo/pix2pix_edges2flowers/evaluate.py --write                     # the card's metrics and samples.png
    # check that everything runs (2 steps at 32 px on 20 photos, export, evaluate; to a temp folder)
    python zoo/pix2pix_edges2flowers/recipe.py --smoke

Checkpoints (kg.callbacks.BackupAndRestore, every --save-every steps) live in
~/.cache/keras_gans/runs/pix2pix_edges2flowers (--run-dir). Set KERAS_BACKEND
(any backend works; tensorflow is the default here, as for the other CPU
recipes). Data are read from $KERAS_GANS_DATA/flowers_ccby_128 or the
checkout's ../shared/data (--data); the photos' ATTRIBUTION.txt travels with
the entry.

The edge detector (``edges``), NumPy only and deterministic: luma (BT.601
weights) of the 8-bit RGB photo; Gaussian blur, sigma 1.4 (11 taps,
reflected borders); Sobel derivatives (``kg.metrics.image_quality.
sobel_gradients``); non-maximum suppression along the gradient direction
(quantised to 0/45/90/135 degrees); hysteresis: strong edges above the 80th
percentile of the surviving magnitudes (at least 60, so that a flat photo
has none), weak ones above 0.4 of that, kept where connected (8-neighbours)
to a strong one. Canny's detector (1986) with thresholds relative to each
photo, so every photo gets a sketch of similar density; drawn black (0) on
white (255), 3 channels like the authors' edges2shoes.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_gans as kg  # noqa: E402
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_shared"))  # recipe support, outside the wheel
import recipe_utils  # noqa: E402
from keras_gans.metrics.image_quality import sobel_gradients  # noqa: E402
from keras_gans.schedules import LinearDecay  # noqa: E402

HERE = Path(__file__).resolve().parent
ENTRY = "pix2pix_edges2flowers"
DATA = "flowers_ccby_128"
HELDOUT_EVERY = 10  # files 0, 10, 20, ... of the sorted list are held out
LICENCE = (
    "Weights: Apache-2.0 (as keras_gans). Data: CC BY 2.0 (https://creativecommons.org/licenses/by/2.0/); each "
    "photographer is credited in ATTRIBUTION.txt, which must travel with the data and with any model trained on "
    "it. Images made by the model are derived from these photos: credit the photographers."
)


# ------------------------------------------------------------------ edges
def gaussian_blur(y, sigma):
    """A 2-D array blurred by a Gaussian of ``sigma`` pixels (separable,
    radius ``ceil(3 sigma)``, reflected borders)."""
    r = int(np.ceil(3 * sigma))
    taps = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    taps /= taps.sum()
    for axis in (0, 1):
        p = np.pad(y, [(r, r) if a == axis else (0, 0) for a in (0, 1)], mode="reflect")
        n = y.shape[axis]
        y = sum(w * np.take(p, np.arange(i, i + n), axis=axis) for i, w in enumerate(taps))
    return y


def _shift(padded, dr, dc, shape):
    h, w = shape
    return padded[1 + dr : 1 + dr + h, 1 + dc : 1 + dc + w]


def edges(rgb, sigma=1.4, percentile=80.0, floor=60.0, low=0.4):
    """The edge map of a uint8 RGB photo ``(h, w, 3)``: uint8 ``(h, w, 3)``,
    black lines on white (see the module docstring for the detector)."""
    y = np.asarray(rgb, np.float64) @ np.array([0.299, 0.587, 0.114])
    gx, gy = sobel_gradients(gaussian_blur(y, sigma))
    mag = np.hypot(gx, gy)
    direction = np.round((np.rad2deg(np.arctan2(gy, gx)) % 180.0) / 45.0).astype(int) % 4
    padded = np.pad(mag, 1)
    keep = np.zeros(mag.shape, bool)
    for k, (dr, dc) in enumerate(((0, 1), (1, 1), (1, 0), (1, -1))):  # 0, 45, 90, 135 degrees (rows grow down)
        keep |= (direction == k) & (mag >= _shift(padded, dr, dc, mag.shape)) & (mag >= _shift(padded, -dr, -dc, mag.shape))
    thin = np.where(keep, mag, 0.0)
    found = thin[thin > 0]
    high = max(float(np.percentile(found, percentile)) if found.size else floor, floor)
    weak, line = thin >= low * high, thin >= high
    while True:  # hysteresis: grow the strong edges through the weak ones
        p = np.pad(line, 1)
        grown = weak & np.any([_shift(p, dr, dc, line.shape) for dr in (-1, 0, 1) for dc in (-1, 0, 1)], axis=0)
        if np.array_equal(grown, line):
            break
        line = grown
    return np.repeat(np.where(line, 0, 255).astype(np.uint8)[..., None], 3, axis=-1)


# ------------------------------------------------------------------- data
def load_split(size=128, data=None, limit=None):
    """``{"train": (edges, photos, files), "heldout": (...)}``: uint8
    ``(n, size, size, 3)`` arrays (photos Lanczos-resized when ``size`` is
    not 128; edges drawn at that size). Held out: every ``HELDOUT_EVERY``-th
    file of the sorted list. ``limit``: that many files, evenly spread (a
    smoke run)."""
    from PIL import Image

    folder = kg.data.dataset_path(DATA, data) / "images"
    files = kg.images.list_images(folder, recursive=True)
    if limit:
        files = [files[i] for i in np.linspace(0, len(files) - 1, limit).round().astype(int)]
    split = {"train": ([], [], []), "heldout": ([], [], [])}
    for i, f in enumerate(files):
        im = kg.images.open_image(f).convert("RGB")
        if im.size != (size, size):
            im = im.resize((size, size), Image.LANCZOS)
        photo = np.asarray(im, np.uint8)
        e, p, names = split["heldout" if i % HELDOUT_EVERY == 0 else "train"]
        e.append(edges(photo))
        p.append(photo)
        names.append(str(f.relative_to(folder)))
    return {k: (np.stack(e), np.stack(p), names) for k, (e, p, names) in split.items()}


# ------------------------------------------------------------------ model
def build(args):
    return kg.Pix2Pix.official(num_downs=args.num_downs, filters=args.filters, seed=args.seed,
                               loss="non_saturating", l1_weight=100.0)


def card(args, history, steps, wall):
    f = args.filters
    return {
        "title": f"pix2pix_edges2flowers: flower photos from edge maps, {args.image_size}x{args.image_size}",
        "summary": (
            "A pix2pix model (Isola et al. 2017) trained by keras_gans to paint a flower photo from its edge map "
            "(black lines on white, as made by the recipe's `edges`). `translate(edge_maps)` runs the generator as "
            "the authors' test.py does by default (mode='authors': each image normalised by its own batch "
            "statistics, dropout on, so outputs vary with `seed`); mode='eval' uses the running statistics without "
            "dropout (deterministic, the same pixels on every backend). The discriminator ships too, for "
            "fine-tuning."
        ),
        "task": "paired image-to-image translation, edge map -> flower photo (RGB, values in [-1, 1])",
        "architecture": (
            f"kg.pix2pix.unet_generator(num_downs={args.num_downs}, filters={f}, norm='batch', use_dropout=True) "
            f"(unet_{2 ** args.num_downs}: encoder C{f}-C{2 * f}-C{4 * f}-C{8 * f}-..., decoder with skips, "
            "dropout 0.5 in the innermost decoder blocks, tanh); "
            f"kg.cyclegan.patchgan_discriminator(filters={f}, n_layers=3, channels=6, norm='batch') (70x70 "
            "conditional PatchGAN on (edges, photo)). The same layers as the authors' UnetGenerator / "
            "NLayerDiscriminator with norm='batch'."
        ),
        "data": (
            f"flowers_ccby_128: {args.n_train} training and {args.n_heldout} held-out photos (every "
            f"{HELDOUT_EVERY}th file of the sorted list), 128x128, CC BY 2.0 (see ATTRIBUTION.txt); inputs are "
            "their edge maps by the recipe's Canny-style detector (Gaussian sigma 1.4, Sobel, non-maximum "
            "suppression, hysteresis at the 80th percentile of each photo's edge strengths)."
        ),
        "licence": LICENCE,
        "preprocessing": {"image_size": args.image_size, "channels": 3, "value_range": [-1, 1],
                          "input": "an edge map: black (0) lines on white (255), RGB, as recipe.edges(photo) draws"},
        "training": recipe_utils.run_record(
            __file__, args.out,
            **recipe_utils.epoch_fields(args, history, steps, wall),
            optimizer=f"Adam({args.lr}, beta_1=0.5) for the generator and for the discriminator",
            schedule="LinearDecay: constant, then linear to 0 over the last decay_epochs",
            loss="vanilla GAN (non-saturating) + 100 x L1; discriminator loss halved",
            augmentation=f"resize to {args.load_size}x{args.load_size} (bicubic), the same random crop "
                         f"{args.image_size} and flip for edges and photo",
        ),
        "limits": [
            "Trained on ~3,100 photos of five kinds of flowers: other subjects come out as flower-like textures.",
            "Expects edge maps drawn like the recipe's (thin black lines on white); hand-drawn sketches differ.",
            "translate() defaults to the authors' mode (batch statistics of each image, dropout on): outputs vary "
            "with the seed; mode='eval' is deterministic.",
            *_unfinished(args, steps),
        ],
    }


def schedule(args):
    """The learning rate: constant, then linear to 0 over the last ``decay_epochs``."""
    return LinearDecay(args.lr, constant_steps=(args.epochs - args.decay_epochs) * args.steps_per_epoch,
                       decay_steps=max(1, args.decay_epochs * args.steps_per_epoch))


def _unfinished(args, steps):
    """A limit line when the run stopped before the end of its schedule."""
    total = args.epochs * args.steps_per_epoch
    if steps >= total:
        return []
    lr = float(keras.ops.convert_to_numpy(schedule(args)(steps)))
    return [f"Stopped at step {steps:,} of its {total:,}-step schedule: the learning rate stood at {lr:.2g} "
            f"(of {args.lr:g}), not yet decayed to 0; training goes on from the run's checkpoint with the same command."]


def save(model, args, history, steps, wall):
    """The entry (no copy of this recipe: its card names it and its commit),
    with the photos' ATTRIBUTION.txt, which travels with anything trained on them."""
    attribution = kg.data.dataset_path(DATA, args.data) / "ATTRIBUTION.txt"
    return kg.zoo.save(model, Path(args.out), card=card(args, history, steps, wall), overwrite=True,
                       weights_dtype="float16", extra_files=[attribution] if attribution.is_file() else [])


# ------------------------------------------------------------------- main
def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=20, help="total epochs (3,134 steps each at batch 1)")
    p.add_argument("--decay-epochs", type=int, default=None,
                   help="epochs of linear decay at the end (default: half of --epochs)")
    p.add_argument("--image-size", type=int, default=128, help="training crop (the photos are 128x128)")
    p.add_argument("--num-downs", type=int, default=None, help="U-Net depth (default: 7 = unet_128 at 128 px)")
    p.add_argument("--filters", type=int, default=64, help="the U-Net's and PatchGAN's first width (the paper: 64)")
    p.add_argument("--batch-size", type=int, default=1, help="the paper: 1")
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data", default=None, help="the flowers_ccby_128 folder (default: the data root)")
    p.add_argument("--out", default=str(HERE), help="entry folder to write (default: this folder)")
    recipe_utils.add_resume_arguments(p, default_run_dir=True)
    recipe_utils.add_distribute_argument(p)
    recipe_utils.add_export_arguments(p)
    p.add_argument("--smoke", action="store_true",
                   help="2 steps at 32 px with a small U-Net on 20 photos, export, evaluate; to a temp folder")
    args = p.parse_args(argv)

    limit = None
    if args.smoke:
        args.image_size, args.filters, args.epochs, args.decay_epochs = 32, 8, 1, 1
        args.out = tempfile.mkdtemp(prefix="pix2pix_smoke_")
        args.run_dir = args.run_dir or tempfile.mkdtemp(prefix="pix2pix_smoke_run_")
        limit = 20
    if args.num_downs is None:
        args.num_downs = kg.pix2pix.networks.unet_depth(args.image_size)
    if args.decay_epochs is None:
        args.decay_epochs = args.epochs // 2
    args.load_size = args.image_size * 286 // 256

    t_data = time.time()
    split = load_split(args.image_size, args.data, limit)
    edges_train, photos_train, _ = split["train"]
    args.n_train, args.n_heldout = len(photos_train), len(split["heldout"][1])
    data = kg.data.paired_arrays(edges_train, photos_train, args.image_size, args.load_size, args.batch_size,
                                 seed=args.seed)
    if not args.smoke:  # the batches hold their own resized copies; the smoke run measures on the split
        del split, edges_train, photos_train
    steps_per_epoch = args.steps_per_epoch = 2 if args.smoke else len(data)
    total = args.epochs * steps_per_epoch
    print(f"{args.n_train} training pairs, {args.n_heldout} held out (edges in {time.time() - t_data:.0f} s); "
          f"{steps_per_epoch} steps/epoch x {args.epochs} epochs at {args.image_size} px, unet_{2 ** args.num_downs} "
          f"filters {args.filters}, backend {keras.backend.backend()}", flush=True)
    lr = schedule(args)
    run = recipe_utils.run_dir(ENTRY, args.run_dir)
    scope, distributed = recipe_utils.distribution(args)
    with scope():  # tf.distribute: the game's variables live in the strategy
        model = build(args)
        model.compile(g_optimizer=keras.optimizers.Adam(lr, beta_1=0.5),
                      d_optimizer=keras.optimizers.Adam(lr, beta_1=0.5))
    log = recipe_utils.RunLog(run)
    if args.export_only:
        hist = recipe_utils.restore_for_export(model, run)
    else:
        callbacks = recipe_utils.training_callbacks(run, args.save_every, args.time_limit, total_steps=total)
        hist = log.fit(model, data, callbacks, distributed, epochs=args.epochs,
                       steps_per_epoch=steps_per_epoch)
    steps = int(keras.ops.convert_to_numpy(model.g_optimizer.iterations))
    print(f"at step {steps} ({steps / steps_per_epoch:.2f} epochs), {log.wall_s / 3600:.2f} h in all", flush=True)
    if args.no_export:
        return 0
    args.segments = log.segments
    args.training_command = log.training_command()
    folder = save(model, args, hist.history, steps, log.wall_s)
    print(f"saved {folder}: {steps} steps", flush=True)
    if args.smoke:  # the saved entry loads, translates and is measured
        import importlib.util

        spec = importlib.util.spec_from_file_location("pix2pix_evaluate", HERE / "evaluate.py")
        evaluate = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(evaluate)
        metrics = evaluate.measure(kg.zoo.load(folder), split, folder / "samples.png")
        print(f"smoke OK: {metrics}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
