"""How the MNIST GAN entries are measured (used by ``zoo/*mnist*/evaluate.py``).

Everything goes through the ``lenet_mnist`` evaluator entry: its class
probabilities and its penultimate-layer features ("FD-LeNet": the Fréchet
distance between Gaussian fits of those 128-d features).

- ``floor``: FD-LeNet(8,000-image training split, 2,000 held-out digits): what
  a perfect generator of the training data would score against the held-out set.
- ``generated``: FD-LeNet(10,000 samples, the 2,000 held-out digits).
"""

import numpy as np

from keras_gans import metrics as kg_metrics

N_SAMPLES = 10000
CLASS_RANGE = (0.05, 0.15)  # the target fraction of every digit among unconditional samples


def _evaluator(evaluator):
    from keras_gans import zoo

    classifier = zoo.load(evaluator)
    features = zoo.load_features(evaluator)
    return classifier, features


def _predict(model, x, batch_size=500):
    from keras import ops

    out = [ops.convert_to_numpy(model(x[i : i + batch_size], training=False)) for i in range(0, len(x), batch_size)]
    return np.concatenate(out, 0)


def class_fractions(probs, num_classes=10):
    """The fraction of samples whose most likely class is each class, from
    class probabilities (n, num_classes): the class histogram on the cards."""
    return np.bincount(np.asarray(probs).argmax(1), minlength=num_classes) / len(probs)


def _fd(features, real_stats, fake):
    fd = kg_metrics.FrechetDistance(features, batch_size=500)
    fd.set_statistics("real", *real_stats)
    fd.update_state(fake=fake)
    return fd.result()


def _kid(real_features, fake_features, seed=0):
    kid = kg_metrics.KernelDistance(None, subsets=100, subset_size=1000, seed=seed)
    kid.update_state(real=real_features, fake=fake_features)
    return kid.result(), kid.std


def reference(evaluator="lenet_mnist"):
    """Held-out statistics, the floor, and the evaluator."""
    from keras_gans import data

    classifier, features = _evaluator(evaluator)
    x_held, _ = data.load_mnist(split="heldout", value_range=(-1, 1))
    x_train, _ = data.load_mnist(split="train", value_range=(-1, 1))
    fd = kg_metrics.FrechetDistance(features, batch_size=500)
    fd.update_state(real=x_held, fake=x_train)
    held_stats = fd.statistics("real")
    f_held = _predict(features, x_held)
    f_train = _predict(features, x_train)
    kid_floor, kid_floor_std = _kid(f_held, f_train)
    return {
        "classifier": classifier,
        "features": features,
        "held_stats": held_stats,
        "held_features": f_held,
        "fd_floor": fd.result(),
        "kid_floor": (kid_floor, kid_floor_std),
    }


def evaluate_unconditional(model, ref, n=N_SAMPLES, seed=0):
    x = model.generate(n, seed=seed)
    probs = _predict(ref["classifier"], x)
    hist = class_fractions(probs)
    f = _predict(ref["features"], x)
    kid, kid_std = _kid(ref["held_features"], f)
    return {
        "fd_lenet_generated_vs_heldout": round(_fd(ref["features"], ref["held_stats"], x), 3),
        "fd_lenet_train_vs_heldout_floor": round(ref["fd_floor"], 3),
        "kid_lenet_generated_vs_heldout": round(kid, 5),
        "kid_lenet_train_vs_heldout_floor": round(ref["kid_floor"][0], 5),
        "class_histogram": {str(c): round(float(hist[c]), 4) for c in range(10)},
        "class_fraction_min": round(float(hist.min()), 4),
        "class_fraction_max": round(float(hist.max()), 4),
        "lenet_score": round(kg_metrics.classifier_score(probs, splits=10), 3),
        "mean_max_probability": round(float(probs.max(1).mean()), 4),
    }


def evaluate_conditional(model, ref, n_per_class=N_SAMPLES // 10, seed=0):
    num_classes = model.num_classes
    labels = np.repeat(np.arange(num_classes), n_per_class).astype("int32")
    x = model.generate(len(labels), labels=labels, seed=seed)
    probs = _predict(ref["classifier"], x)
    pred = probs.argmax(1)
    acc = {str(c): round(float((pred[labels == c] == c).mean()), 4) for c in range(num_classes)}
    f = _predict(ref["features"], x)
    kid, kid_std = _kid(ref["held_features"], f)
    return {
        "evaluator_accuracy_on_requested_digit": round(float((pred == labels).mean()), 4),
        "evaluator_accuracy_per_digit": acc,
        "evaluator_accuracy_min_digit": round(min(acc.values()), 4),
        "fd_lenet_generated_vs_heldout": round(_fd(ref["features"], ref["held_stats"], x), 3),
        "fd_lenet_train_vs_heldout_floor": round(ref["fd_floor"], 3),
        "kid_lenet_generated_vs_heldout": round(kid, 5),
        "kid_lenet_train_vs_heldout_floor": round(ref["kid_floor"][0], 5),
        "lenet_score": round(kg_metrics.classifier_score(probs, splits=10), 3),
    }


NOTES = {
    "fd_lenet_generated_vs_heldout": "FD-LeNet: Fréchet distance of lenet_mnist 'features' (128-d), 10,000 generated samples (seed 0) vs the 2,000 held-out digits; lower is better",
    "fd_lenet_train_vs_heldout_floor": "the same, for the 8,000 real training digits vs the 2,000 held-out digits: the floor a perfect model of the training data would reach",
    "kid_lenet_generated_vs_heldout": "KID-LeNet: unbiased MMD^2, cubic kernel, mean of 100 subsets of 1,000 (generated vs held-out)",
    "kid_lenet_train_vs_heldout_floor": "the same for the real training digits vs held-out (floor, ~0)",
    "class_histogram": "fraction of 10,000 samples the evaluator assigns to each digit (real MNIST: 8.9%-11.4%)",
    "class_fraction_min": "smallest digit fraction in class_histogram",
    "class_fraction_max": "largest digit fraction in class_histogram",
    "lenet_score": "Inception-Score-style exp(E KL(p(y|x)||p(y))) with lenet_mnist, 10 splits (max 10)",
    "mean_max_probability": "mean of the evaluator's top class probability (confidence) on the samples",
    "evaluator_accuracy_on_requested_digit": "lenet_mnist accuracy on 1,000 samples of each requested digit (10,000 samples, seed 0)",
    "evaluator_accuracy_per_digit": "the same per requested digit",
    "evaluator_accuracy_min_digit": "the worst digit's accuracy",
}


def training_score_fn(conditional, n=2000, seed=1234, evaluator="lenet_mnist"):
    """A ``score_fn(game) -> (score, info)`` for checkpoint selection in the
    recipes: FD-LeNet of ``n`` samples vs the 8,000 *training* digits (the
    held-out digits are never looked at), with the class spread as info."""
    from keras_gans import data

    classifier, features = _evaluator(evaluator)
    x_train, _ = data.load_mnist(split="train", value_range=(-1, 1))
    fd = kg_metrics.FrechetDistance(features, batch_size=500)
    fd.update_state(real=x_train)
    train_stats = fd.statistics("real")

    def score(game):
        if conditional:
            labels = np.arange(n) % game.num_classes
            x = game.generate(n, labels=labels, seed=seed)
        else:
            x = game.generate(n, seed=seed)
        probs = _predict(classifier, x)
        info = {}
        if conditional:
            info["accuracy"] = round(float((probs.argmax(1) == labels).mean()), 4)
        else:
            hist = class_fractions(probs)
            info["class_min"], info["class_max"] = round(float(hist.min()), 4), round(float(hist.max()), 4)
        return _fd(features, train_stats, x), info

    return score


def main(entry, conditional, argv=None):
    """The command line of ``zoo/dcgan_mnist/evaluate.py`` and
    ``zoo/cdcgan_mnist/evaluate.py``: measure ``entry`` (a folder) and print
    the metrics; ``--write`` records them (with the command) in its
    config.json, writes its ``samples.png`` and re-renders MODEL_CARD.md."""
    import argparse
    import json
    from pathlib import Path

    from keras_gans import backend as kg_backend
    from keras_gans import zoo
    import recipe_utils

    p = argparse.ArgumentParser(description=f"measure the zoo entry {Path(entry).name}")
    p.add_argument("--entry", default=str(entry), help="entry folder (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--write", action="store_true", help="record the metrics in config.json and the card")
    args = p.parse_args(argv)
    ref = reference("lenet_mnist")
    model = zoo.load(args.entry)
    if conditional:
        metrics = evaluate_conditional(model, ref, seed=args.seed)
        samples = f"{N_SAMPLES:,} from generate({N_SAMPLES}, labels=[0]*1000 + [1]*1000 + ... + [9]*1000, seed={args.seed})"
        grid_spec = "generate(100, labels=np.repeat(np.arange(10), 10), seed=0), one row per digit"
        grid_images, columns = model.generate(100, labels=np.repeat(np.arange(10), 10), seed=0), 10
    else:
        metrics = evaluate_unconditional(model, ref, seed=args.seed)
        samples = f"{N_SAMPLES:,} from generate({N_SAMPLES}, seed={args.seed})"
        grid_spec = "generate(64, seed=0), 8x8"
        grid_images, columns = model.generate(64, seed=0), None
    print(json.dumps(metrics, indent=1))
    if args.write:
        from PIL import Image

        from keras_gans.images import make_grid

        Image.fromarray(make_grid(grid_images, columns=columns)).save(Path(args.entry) / "samples.png")
        evaluation = {
            "command": recipe_utils.command_line(),
            "script": "evaluate.py",
            "backend": kg_backend.name,
            "evaluator": "lenet_mnist (zoo entry), layer 'features' for FD/KID, softmax for classes",
            "samples": samples,
            "samples_png": grid_spec,
        }
        extra = {"samples": "samples.png"}
        if not conditional:
            limits = json.loads((Path(args.entry) / "config.json").read_text()).get("limits", [])
            extra["limits"] = [_balance_limit(metrics)] + [x for x in limits if not x.startswith("Class balance:")]
        recipe_utils.update_metrics(args.entry, metrics, evaluation, NOTES, extra=extra)
    return 0



def _balance_limit(metrics):
    """The card's line on class balance, from the measured histogram."""
    hist = metrics["class_histogram"]
    hi, lo = max(hist, key=hist.get), min(hist, key=hist.get)
    inside = CLASS_RANGE[0] <= hist[lo] and hist[hi] <= CLASS_RANGE[1]
    return (
        f"Class balance: the evaluator reads {100 * hist[hi]:.1f}% of {N_SAMPLES:,} samples as {hi} and "
        f"{100 * hist[lo]:.1f}% as {lo} (real MNIST: 8.9%-11.4% per digit; this repository's target is "
        f"{100 * CLASS_RANGE[0]:g}%-{100 * CLASS_RANGE[1]:g}%): "
        + ("within the target." if inside else "outside the target: the generator does not draw the digits evenly.")
    )
