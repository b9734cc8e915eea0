"""Measure the `lenet_mnist` entry: accuracy on the 2,000 held-out digits.

    nice -n 10 env KERAS_BACKEND=jax python zoo/lenet_mnist/evaluate.py [--write]

--write records the numbers in config.json and re-renders MODEL_CARD.md.
"""

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")


import keras_gans as kg  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_shared"))  # recipe support, outside the wheel
import recipe_utils  # noqa: E402  (zoo/_shared)

HERE = Path(__file__).resolve().parent


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--entry", default=str(HERE))
    p.add_argument("--write", action="store_true")
    args = p.parse_args(argv)
    model = kg.zoo.load(args.entry)
    x, y = kg.data.load_mnist(split="heldout", value_range=(-1, 1))
    probs = model.predict(x, batch_size=500, verbose=0)
    pred = probs.argmax(1)
    per_class = {str(c): round(float((pred[y == c] == c).mean()), 4) for c in range(10)}
    xt, yt = kg.data.load_mnist(split="train", value_range=(-1, 1))
    train_acc = float((model.predict(xt, batch_size=500, verbose=0).argmax(1) == yt).mean())
    metrics = {
        "heldout_accuracy": round(float((pred == y).mean()), 4),
        "heldout_errors": int((pred != y).sum()),
        "heldout_accuracy_per_class": per_class,
        "train_split_accuracy": round(train_acc, 4),
    }
    notes = {
        "heldout_accuracy": "accuracy on the 2,000 held-out digits (never used in training)",
        "heldout_errors": "misclassified held-out digits, of 2,000",
        "heldout_accuracy_per_class": "held-out accuracy per digit",
        "train_split_accuracy": "accuracy on the 8,000 training digits (inference mode)",
    }
    print(json.dumps(metrics, indent=1))
    if args.write:
        evaluation = {
            "command": recipe_utils.command_line(),
            "script": "evaluate.py",
            "backend": kg.backend.name,
            "data": "kg.data.load_mnist(split='heldout'): 2,000 held-out MNIST digits",
        }
        recipe_utils.update_metrics(args.entry, metrics, evaluation, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
