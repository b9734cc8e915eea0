"""Recipe of the `dcgan_flowers64` zoo entry and its evaluator `flowers_classifier64`.

The shipped entries were made on a 2-core CPU (TensorFlow backend, the
fastest of the three there: 0.8 s per batch-64 step vs 7.8 s on JAX):

    # flowers_classifier64 (18.8 min; its GAN stage in that run was cut off)
    env KERAS_BACKEND=tensorflow python zoo/dcgan_flowers64/recipe.py all \
        --batch-size 64 --epochs 55 --clf-epochs 15
    # dcgan_flowers64 (5,390 steps, 67 min), then its card's metrics (30 s)
    env KERAS_BACKEND=tensorflow python zoo/dcgan_flowers64/recipe.py gan --batch-size 64 --epochs 55
    env KERAS_BACKEND=tensorflow python zoo/dcgan_flowers64/recipe.py evaluate --batch-size 64 --epochs 55

The exact commands, steps and wall times are on each card. With a GPU, the
paper's settings are the defaults (batch 128, 300 epochs).

The classic 64x64 RGB DCGAN (Radford et al. 2016: filters 64, latent 100,
Adam(2e-4, beta_1=0.5), batch 128) on `flowers_ccby_128` (3,483 CC BY 2.0
flower photos, see DATA.md and ATTRIBUTION.txt), downsampled to 64x64 while
loading, 10% held out. A flower-class classifier trained on the same training
split gives the feature space of the Fréchet distance reported on the card
("FD-Flowers"), because no ImageNet Inception weights can be downloaded here.

Stages (run in this order; each writes a zoo entry folder):

    # 1. the evaluator: a 5-class flower classifier -> zoo/flowers_classifier64
    python zoo/dcgan_flowers64/recipe.py classifier
    # 2. the GAN -> zoo/dcgan_flowers64 (config.json, model.weights.h5, MODEL_CARD.md)
    python zoo/dcgan_flowers64/recipe.py gan
    # 3. measure it: FD-Flowers(5,000 generated vs held-out) beside the floor
    #    FD-Flowers(train split vs held-out); recorded in config.json and the card
    python zoo/dcgan_flowers64/recipe.py evaluate

    # check that everything runs (a few steps at 32x32 on 64 images, to a temp dir):
    python zoo/dcgan_flowers64/recipe.py --smoke

Set KERAS_BACKEND (tensorflow, the fastest here, is the default; any backend works). Data are read
from $KERAS_GANS_DATA/flowers_ccby_128 or the checkout's ../shared/data.
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
import recipe_utils  # noqa: E402  (zoo/_shared)

HERE = Path(__file__).resolve().parent
DATA = "flowers_ccby_128"
HELDOUT_FRACTION = 0.1
SPLIT_SEED = 0
LICENCE = (
    "Weights: Apache-2.0 (as keras_gans). Data: CC BY 2.0 "
    "(https://creativecommons.org/licenses/by/2.0/); each photographer is credited in "
    "ATTRIBUTION.txt, which must travel with the data and with any model trained on it. "
    "Samples of a model trained on these photos are derived from them: credit the photographers."
)


# ------------------------------------------------------------------- data
def load_split(size, data_path=None, limit=None):
    """((x_train, y_train), (x_held, y_held), class_names), images in [-1, 1]."""
    folder = kg.data.dataset_path(DATA, data_path)
    x, y, names = kg.data.load_image_folder(
        folder / "images", size, value_range=(-1, 1), with_labels=True, limit=limit
    )
    n_held = max(1, int(round(HELDOUT_FRACTION * len(x))))
    train, held = kg.data.train_heldout_split(x, y, n_heldout=n_held, seed=SPLIT_SEED)
    return train, held, names


def with_flips(x, y=None):
    """The training images plus their mirror images (the only augmentation)."""
    xf = np.concatenate([x, x[:, :, ::-1]], 0)
    return xf if y is None else (xf, np.concatenate([y, y], 0))


# -------------------------------------------------------------- classifier
def flower_classifier(size, num_classes, width=32, seed=0):
    """Conv-BN-ReLU blocks (stride-2 downsampling) -> global average pool ->
    Dense(256) 'features' -> Dense(num_classes) softmax. Inputs in [-1, 1]."""
    init = lambda i: keras.initializers.HeNormal(seed=seed * 100 + i)  # noqa: E731
    x = keras.Input((size, size, 3), name="image")
    h = x
    k = 0
    for stage, f in enumerate((width, 2 * width, 4 * width, 8 * width)):
        for j in range(2):
            h = keras.layers.Conv2D(
                f, 3, strides=2 if j == 0 and stage > 0 else 1, padding="same", use_bias=False,
                kernel_initializer=init(k), name=f"conv{stage}_{j}",
            )(h)
            h = keras.layers.BatchNormalization(epsilon=1e-5, momentum=0.9, name=f"bn{stage}_{j}")(h)
            h = keras.layers.ReLU(name=f"relu{stage}_{j}")(h)
            k += 1
    h = keras.layers.GlobalAveragePooling2D(name="pool")(h)
    h = keras.layers.Dense(256, activation="relu", kernel_initializer=init(k), name="features")(h)
    h = keras.layers.Dropout(0.3, seed=seed, name="dropout")(h)
    out = keras.layers.Dense(num_classes, activation="softmax", name="probs")(h)
    return keras.Model(x, out, name="flowers_classifier")


def train_classifier(args, out_dir):
    (x, y), (xh, yh), names = load_split(args.image_size, args.data, args.limit)
    model = flower_classifier(args.image_size, len(names), width=args.clf_width, seed=args.seed)
    model.compile(
        optimizer=keras.optimizers.Adam(args.clf_lr),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    xa, ya = with_flips(x, y)
    t0 = time.time()
    hist = model.fit(
        xa, ya, batch_size=args.clf_batch_size, epochs=args.clf_epochs, shuffle=True,
        validation_data=(xh, yh), verbose=2, steps_per_epoch=args.steps,
    )
    wall = time.time() - t0
    held_acc = float((model.predict(xh, batch_size=256, verbose=0).argmax(1) == yh).mean())
    card = {
        "title": "flowers_classifier64: 5-class flower classifier (evaluator for dcgan_flowers64)",
        "summary": "Feature space ('features', 256-d) of the FD-Flowers distance on the dcgan_flowers64 card.",
        "task": f"image classification ({', '.join(names)}); evaluator / feature extractor",
        "architecture": (
            f"8 Conv3x3-BN-ReLU (widths {args.clf_width}-{8 * args.clf_width}, stride 2 at the start of "
            "stages 2-4) - GAP - Dense(256) 'features' - Dropout(0.3) - Dense(5) softmax"
        ),
        "data": (
            f"{DATA}: {len(x) + len(xh)} CC BY 2.0 photos (see zoo/dcgan_flowers64/DATA.md), "
            f"{args.image_size}x{args.image_size}; {len(x)} training images (+ mirrored), "
            f"{len(xh)} held out (seed {SPLIT_SEED})."
        ),
        "licence": LICENCE,
        "preprocessing": {"image_size": args.image_size, "channels": 3, "value_range": [-1, 1]},
        "features_layer": "features",
        "class_names": names,
        "training": recipe_utils.run_record(
            __file__, out_dir / "flowers_classifier64",
            epochs=args.clf_epochs,
            batch_size=args.clf_batch_size,
            optimizer=f"Adam({args.clf_lr})",
            final_epoch={k: round(float(v[-1]), 4) for k, v in hist.history.items()},
            wall_time_s=round(wall, 1),
        ),
        "metrics": {"heldout_accuracy": round(held_acc, 4)},
        "evaluation": {"command": recipe_utils.command_line(), "data": f"{len(xh)} held-out images"},
        "limits": ["Trained on ~3,100 photos: a reference feature space for this repository, not FID."],
    }
    folder = kg.zoo.save(model, out_dir / "flowers_classifier64", card=card, weights_dtype="float16", overwrite=True)
    print(f"saved {folder}: held-out accuracy {held_acc:.4f}, {wall:.0f} s")
    return folder


# --------------------------------------------------------------------- GAN
GAN_LIMITS = [
    "3,135 training photos is small for a GAN: expect flower-like colour and texture "
    "more than faithful flowers, and some memorisation; compare samples with the "
    "training set before use.",
    "FD-Flowers uses this repository's flowers_classifier64; it is not FID.",
]


def train_gan(args, out_dir):
    (x, _), (xh, _), _ = load_split(args.image_size, args.data, args.limit)
    g = kg.architectures.dcgan_generator(args.latent_dim, args.image_size, 3, args.filters, seed=args.seed)
    d = kg.architectures.dcgan_discriminator(args.image_size, 3, args.filters, seed=args.seed + 1)
    gan = kg.GAN(g, d, latent_dim=args.latent_dim, loss="non_saturating", seed=args.seed)
    ema = dict(use_ema=True, ema_momentum=args.ema) if args.ema else {}
    gan.compile(
        g_optimizer=keras.optimizers.Adam(args.lr, beta_1=0.5, **ema),
        d_optimizer=keras.optimizers.Adam(args.lr, beta_1=0.5),
    )
    keras.utils.set_random_seed(args.seed)
    t0 = time.time()
    # NaN stop, progress every minute, --time-limit; kill-safe checkpoints with --resume DIR (opt-in:
    # it shuffles with the game's seed, so the default run stays the one that made the shipped entry)
    resume = recipe_utils.training_callbacks(args.run_dir, args.save_every, args.time_limit)
    hist = gan.fit(
        with_flips(x), batch_size=args.batch_size, epochs=args.epochs, shuffle=True,
        verbose=0, steps_per_epoch=args.steps, callbacks=resume,
    )
    wall = time.time() - t0  # fit has put the EMA of the generator's weights (--ema) into it
    steps = int(gan.g_optimizer.iterations)
    card = {
        "title": "dcgan_flowers64: DCGAN, 64x64 flower photos (CC BY 2.0)",
        "summary": (
            "The classic DCGAN (Radford et al. 2016) trained by keras_gans on 3,135 CC BY 2.0 "
            "flower photos at 64x64. `generate(n, seed=)` gives n 64x64x3 images in [-1, 1]."
        ),
        "task": "unconditional image generation (flower photos, 64x64x3, values in [-1, 1])",
        "architecture": (
            f"kg.architectures.dcgan_generator(latent_dim={args.latent_dim}, image_size={args.image_size}, "
            f"channels=3, filters={args.filters}) / dcgan_discriminator(image_size={args.image_size}, "
            f"channels=3, filters={args.filters}); BatchNorm eps 1e-5, momentum 0.1 (PyTorch convention)"
        ),
        "data": (
            f"{DATA}: 3,483 CC BY 2.0 photos of daisies, dandelions, roses, sunflowers and tulips "
            "(TensorFlow flower_photos, centre-cropped to 128x128; see DATA.md), downsampled to "
            f"{args.image_size}x{args.image_size} (Lanczos) while loading; {len(x)} training images "
            f"(+ mirrored copies), {len(xh)} held out (10%, seed {SPLIT_SEED})."
        ),
        "licence": LICENCE,
        "preprocessing": {"image_size": args.image_size, "channels": 3, "value_range": [-1, 1]},
        "training": recipe_utils.run_record(
            __file__, out_dir / "dcgan_flowers64",
            epochs=args.epochs,
            steps=steps,
            batch_size=args.batch_size,
            optimizer=f"Adam({args.lr}, beta_1=0.5) for each player",
            loss="non-saturating GAN loss, 1 D step per G step",
            generator_weights=(
                f"exponential moving average (momentum {args.ema}) of the generator's weights at the end"
                if args.ema else "the generator's weights at the end of training"
            ),
            final_epoch_losses={k: round(float(v[-1]), 4) for k, v in hist.history.items()},
            wall_time_s=round(wall, 1),
            seed=args.seed,
        ),
        "limits": GAN_LIMITS,
    }
    folder = kg.zoo.save(gan, out_dir / "dcgan_flowers64", card=card, weights_dtype="float16",
                         overwrite=True, extra_files=[HERE / "DATA.md", HERE / "ATTRIBUTION.txt"])
    print(f"saved {folder}: {steps} steps, {wall:.0f} s")
    return folder


# ---------------------------------------------------------------- evaluate
def _measured_limit(metrics):
    """One line for the card saying how far the measured numbers are from real photos."""
    gen, real = metrics["class_fractions_generated"], metrics["class_fractions_heldout"]
    top = max(gen, key=gen.get)
    return (
        f"FD-Flowers {metrics['fd_flowers_generated_vs_heldout']:g} against a real-photo floor of "
        f"{metrics['fd_flowers_train_vs_heldout_floor']:g}: samples are easily told from photos "
        "(blurred shapes, some checkerboard texture). The evaluator reads "
        f"{100 * gen[top]:.1f}% of samples as {top} ({100 * real[top]:.1f}% of held-out photos): "
        "the generator's classes are not balanced like the data's."
    )


def evaluate(args, out_dir, n=5000, write=True):
    (x, _), (xh, yh), names = load_split(args.image_size, args.data, args.limit)
    features = kg.zoo.load_features(out_dir / "flowers_classifier64")
    classifier = kg.zoo.load(out_dir / "flowers_classifier64")
    gan = kg.zoo.load(out_dir / "dcgan_flowers64")
    fd = kg.metrics.FrechetDistance(features, batch_size=250)
    fd.update_state(real=xh, fake=x)
    floor = fd.result()
    fd.reset_state("fake")
    counts = np.zeros(len(names))
    for i in range(0, n, 500):
        fake = gan.generate(min(500, n - i), seed=args.seed + i)
        fd.update_state(fake=fake)
        p = keras.ops.convert_to_numpy(classifier(fake, training=False))
        counts += np.bincount(p.argmax(1), minlength=len(names))
    value = fd.result()
    real = np.bincount(yh, minlength=len(names)) / len(yh)
    metrics = {
        "fd_flowers_generated_vs_heldout": round(value, 3),
        "fd_flowers_train_vs_heldout_floor": round(floor, 3),
        "class_fractions_generated": {k: round(float(c / n), 4) for k, c in zip(names, counts)},
        "class_fractions_heldout": {k: round(float(f), 4) for k, f in zip(names, real)},
    }
    notes = {
        "fd_flowers_generated_vs_heldout": f"Fréchet distance of flowers_classifier64 'features', {n} generated samples vs the {len(xh)} held-out photos",
        "fd_flowers_train_vs_heldout_floor": f"the same for the {len(x)} real training photos vs held-out: the floor",
        "class_fractions_generated": f"flowers_classifier64's predicted class of the same {n} samples (a flower-likeness check, not a conditional model)",
        "class_fractions_heldout": "the true classes of the held-out photos",
    }
    print(metrics)
    if write:
        from PIL import Image

        from keras_gans.images import make_grid

        folder = out_dir / "dcgan_flowers64"
        Image.fromarray(make_grid(gan.generate(64, seed=0))).save(folder / "samples.png")
        recipe_utils.update_metrics(
            folder, metrics,
            {"command": recipe_utils.command_line(), "backend": kg.backend.name,
             "samples": f"{n} from generate(500, seed={args.seed} + i) for i = 0, 500, ...; "
                        "samples.png: generate(64, seed=0)"},
            notes, extra={"samples": "samples.png", "limits": GAN_LIMITS + [_measured_limit(metrics)]},
        )
    return metrics


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("stage", nargs="?", choices=["classifier", "gan", "evaluate", "all"], default="all")
    recipe_utils.add_resume_arguments(p)
    p.add_argument("--smoke", action="store_true",
                   help="run every stage for 2 steps at 32x32 on 64 images into a temporary folder")
    p.add_argument("--out-dir", default=str(HERE.parent), help="zoo folder receiving the entries")
    p.add_argument("--data", default=None, help=f"folder of {DATA} (default: the data root)")
    p.add_argument("--image-size", type=int, default=64)
    p.add_argument("--latent-dim", type=int, default=100)
    p.add_argument("--filters", type=int, default=64)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--epochs", type=int, default=300)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--ema", type=float, default=0.999,
                   help="EMA momentum of the generator's weights (0: ship the raw weights)")
    p.add_argument("--clf-width", type=int, default=32, help="classifier width (first stage)")
    p.add_argument("--clf-epochs", type=int, default=40)
    p.add_argument("--clf-batch-size", type=int, default=64)
    p.add_argument("--clf-lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--limit", type=int, default=None, help="use only the first N images")
    p.add_argument("--steps", type=int, default=None, help="steps per epoch (default: the whole set)")
    args = p.parse_args(argv)
    keras.utils.set_random_seed(args.seed)

    if args.smoke:
        args.image_size, args.filters, args.latent_dim = 32, 8, 16
        args.limit, args.steps, args.epochs, args.clf_epochs = 64, 2, 1, 1
        args.batch_size = args.clf_batch_size = 16
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            train_classifier(args, out)
            train_gan(args, out)
            m = evaluate(args, out, n=64)
            values = [x for v in m.values() for x in (v.values() if isinstance(v, dict) else [v])]
            assert np.all(np.isfinite(values)), m
            img = kg.zoo.load(out / "dcgan_flowers64").generate(4, seed=0)
            assert img.shape == (4, 32, 32, 3) and np.abs(img).max() <= 1.0
        print("smoke test passed")
        return 0

    out = Path(args.out_dir)
    if args.stage in ("classifier", "all"):
        train_classifier(args, out)
    if args.stage in ("gan", "all"):
        train_gan(args, out)
    if args.stage in ("evaluate", "all"):
        evaluate(args, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
