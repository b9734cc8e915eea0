"""Measure `cyclegan_apple2orange` on the held-out photos (testA: 19 apples,
testB: 18 oranges) with the `fruit_classifier` evaluator, and write the
numbers (and a grid of test translations) into the entry's card.

For each direction, at the training size (128) and at 256:

- ``to_other``: fraction of translated photos the evaluator reads as the other
  fruit (apples -> oranges for a2b, oranges -> apples for b2a);
- ``kid``: KID between the translated photos and the real held-out
  photos of the target fruit, in the evaluator's 128-d feature space
  (unbiased polynomial MMD^2), with a bootstrap standard deviation (200
  resamples of both sets): the sets are small;
- ``kid_gain``: identity KID - KID, with its paired-bootstrap standard error
  ``kid_gain_se`` (target: gain >= 3 standard errors);
- ``cycle_l1``: mean |F(G(x)) - x| in [0, 1] units;
- ``lattice``: the median over the photos of ``kg.metrics.grid_ratio(
  translation, photo, 4)``: how much more the translation's spectrum peaks
  at the stride-2 and stride-4 lattice frequencies (k/4 cycle/px: where the
  two upsampling layers leave a checkerboard) than the input photo's; 1: no
  more periodic texture than the photo;

and the same numbers for the identity map (the untranslated photos), the
floor a translation must beat.

    env KERAS_BACKEND=torch python zoo/cyclegan_apple2orange/evaluate.py [--write]
    env KERAS_BACKEND=torch python zoo/cyclegan_apple2orange/evaluate.py --checkpoint RUN_DIR  # a run in progress
"""

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402

import keras_gans as kg  # noqa: E402
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_shared"))  # recipe support, outside the wheel
import recipe_utils  # noqa: E402

HERE = Path(__file__).resolve().parent
ZOO = HERE.parent


def _module(path, name):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


fruit = _module(ZOO / "fruit_classifier" / "recipe.py", "fruit_recipe")

GRID_N = 6


def load_test(size, data=None):
    x, y = fruit.load_split("test", size, data)
    return x[y == 0], x[y == 1]


def classify(clf, images):
    """Probabilities (n, 2) of uint8 images of any size (resized to 64 bicubic)."""
    from PIL import Image

    small = np.stack([
        np.asarray(Image.fromarray(im).resize((fruit.SIZE, fruit.SIZE), Image.BICUBIC)) for im in images
    ])
    return np.asarray(clf.predict(fruit.to_model_range(small), verbose=0))


def features(feat, images):
    from PIL import Image

    small = np.stack([
        np.asarray(Image.fromarray(im).resize((fruit.SIZE, fruit.SIZE), Image.BICUBIC)) for im in images
    ])
    return np.asarray(feat.predict(fruit.to_model_range(small), verbose=0), np.float64)


def kid(fx, fy, resamples=200, seed=0):
    """(KID, bootstrap std): unbiased polynomial MMD^2 of the raw 128-d
    features (their scale is the classifier's, not Inception's: compare
    values within this card, not with published KIDs)."""
    from keras_gans.metrics.kernel import polynomial_mmd2_unbiased

    value = polynomial_mmd2_unbiased(fx, fy)
    rng = np.random.default_rng(seed)
    boot = [
        polynomial_mmd2_unbiased(fx[rng.integers(len(fx), size=len(fx))], fy[rng.integers(len(fy), size=len(fy))])
        for _ in range(resamples)
    ]
    return round(value, 3), round(float(np.std(boot)), 3)


def kid_gap(f_fake, f_src, f_target, resamples=200, seed=0):
    """(identity KID - KID, its bootstrap standard error): the translation's
    gain over the untranslated photos, resampled in pairs (a photo and its
    translation drawn together, the target photos drawn apart), so the error
    is the gain's own, not the two KIDs' errors added."""
    from keras_gans.metrics.kernel import polynomial_mmd2_unbiased as mmd

    gap = mmd(f_src, f_target) - mmd(f_fake, f_target)
    rng = np.random.default_rng(seed)
    boot = []
    for _ in range(resamples):
        i, j = rng.integers(len(f_fake), size=len(f_fake)), rng.integers(len(f_target), size=len(f_target))
        boot.append(mmd(f_src[i], f_target[j]) - mmd(f_fake[i], f_target[j]))
    return round(float(gap), 3), round(float(np.std(boot)), 3)


def measure(model, clf, feat, size, data=None):
    apples, oranges = load_test(size, data)
    fa, fo = features(feat, apples), features(feat, oranges)
    out = {}
    for direction, src, real_target, f_target, target_label in (
        ("a2b", apples, oranges, fo, 1), ("b2a", oranges, apples, fa, 0)
    ):
        back = "b2a" if direction == "a2b" else "a2b"
        fake = model.translate(src, direction=direction)
        cyc = model.translate(fake, direction=back)
        f_fake, f_src = features(feat, fake), features(feat, src)
        k, k_sd = kid(f_fake, f_target)
        k0, k0_sd = kid(f_src, f_target)
        gap, gap_se = kid_gap(f_fake, f_src, f_target)
        out[direction] = {
            "to_other": round(float((classify(clf, fake).argmax(1) == target_label).mean()), 4),
            "kid": k, "kid_sd": k_sd,
            "cycle_l1": round(float(np.abs(cyc.astype(np.float64) - src.astype(np.float64)).mean() / 255.0), 4),
            "lattice": round(float(np.median([kg.metrics.grid_ratio(f, s, 4) for f, s in zip(fake, src)])), 3),
            "kid_gain": gap, "kid_gain_se": gap_se,
            "identity": {
                "to_other": round(float((classify(clf, src).argmax(1) == target_label).mean()), 4),
                "kid": k0, "kid_sd": k0_sd, "cycle_l1": 0.0, "lattice": 1.0,
            },
        }
        out[direction]["_grid"] = (src[:GRID_N], fake[:GRID_N], cyc[:GRID_N])
    return out


def grid_png(parts, path):
    """Rows: apple | orange-ified | cycled back, then orange | apple-ified | back."""
    from PIL import Image

    from keras_gans.files import atomic_path
    from keras_gans.images import make_grid

    rows = []
    for direction in ("a2b", "b2a"):
        src, fake, cyc = parts[direction]
        for i in range(len(src)):
            rows.extend([src[i], fake[i], cyc[i]])
    g = make_grid(np.stack(rows), value_range=(0, 255), columns=3 * 2)
    with atomic_path(path) as tmp:
        Image.fromarray(g).save(tmp)


def run_upsample(run):
    """The generators' upsampling of a recipe run: its commands' --upsample (else the paper's)."""
    import shlex

    segments = recipe_utils.RunLog(run).segments
    for seg in reversed(segments):
        argv = shlex.split(seg.get("command", ""))
        if "--upsample" in argv:
            return argv[argv.index("--upsample") + 1]
    return "nearest" if (recipe_utils.read_init(run) or {}).get("converted") else "transpose"


def load_model(args):
    def build():
        recipe = _module(HERE / "recipe.py", "cyclegan_recipe")
        return recipe.build(argparse.Namespace(n_blocks=args.n_blocks, filters=args.filters, seed=0, pool_size=50,
                                               image_size=args.image_size, upsample=run_upsample(args.checkpoint)))

    return recipe_utils.game_to_measure(args.entry, args.checkpoint, build)


def main(argv=None):

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--entry", default=str(HERE))
    p.add_argument("--checkpoint", default=None, help="a recipe run folder instead of the entry")
    p.add_argument("--image-size", type=int, default=128)
    p.add_argument("--n-blocks", type=int, default=6)
    p.add_argument("--filters", type=int, default=32)
    p.add_argument("--data", default=None)
    p.add_argument("--write", action="store_true", help="write the metrics and samples.png into the entry")
    args = p.parse_args(argv)

    model = load_model(args)
    clf = kg.zoo.load("fruit_classifier")
    feat = kg.zoo.load_features("fruit_classifier")
    results = {}
    for size in sorted({args.image_size, 256}):
        r = measure(model, clf, feat, size, args.data)
        if size == args.image_size:
            grid = {d: r[d].pop("_grid") for d in r}
        else:
            for d in r:
                r[d].pop("_grid")
        results[f"{size}px"] = r
    print(json.dumps(results, indent=1))
    if args.write:
        grid_png(grid, Path(args.entry) / "samples.png")
        recipe_utils.update_metrics(
            args.entry, results,
            {"command": recipe_utils.command_line(),
             "data": "fruit_apple_orange testA (19 apples) + testB (18 oranges), held out, resized to "
                     "the size named; evaluator: fruit_classifier"},
            notes={
                "128px": "held-out photos at the training size",
                "256px": "the same photos at 256x256 (the generators are fully convolutional)",
            },
            extra={"samples": "samples.png", "results": [
                "to_other: fraction the evaluator reads as the other fruit; kid: KID (kid_sd: its bootstrap std) against the "
                "real held-out photos of the target fruit in fruit_classifier's raw 128-d features (200 "
                "bootstrap resamples; the sets are small; the scale is this classifier's, not comparable "
                "with published KIDs); kid_gain: identity KID - KID with kid_gain_se, its standard error from 200 paired "
                "bootstrap resamples (a photo and its translation drawn together; target: gain >= 3 kid_gain_se); "
                "cycle_l1: mean |F(G(x)) - x| in [0, 1]; lattice: median over the photos "
                "of kg.metrics.grid_ratio(translation, photo, 4), the spectral peaks at the stride-2/4 lattice "
                "(the upsamplers' checkerboard) relative to the photo's (1: none added; target <= 1.5); identity: "
                "the same numbers for the untranslated photos, the floor a translation must beat.",
                "",
                "samples.png: held-out photos (apple | as orange | back, orange | as apple | back) at the "
                "training size: an evaluation figure rendered from the research-use test photos, which "
                "are not shipped themselves.",
            ]},
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
