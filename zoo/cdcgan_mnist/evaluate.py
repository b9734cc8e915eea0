"""Measure the `cdcgan_mnist` entry with the `lenet_mnist` evaluator: its
accuracy on 1,000 samples of each requested digit, FD-LeNet(10,000 generated,
1,000 per digit, vs 2,000 held-out) beside the floor FD-LeNet(8,000 train vs
2,000 held-out), and KID-LeNet.

    nice -n 10 env KERAS_BACKEND=jax python zoo/cdcgan_mnist/evaluate.py [--write]

--write records the numbers in config.json and re-renders MODEL_CARD.md.
"""

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

import keras_gans as kg  # noqa: E402
from keras_gans.cli.generate import make_grid  # noqa: E402
from keras_gans.zoo import mnist_eval, recipe_utils  # noqa: E402

HERE = Path(__file__).resolve().parent


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--entry", default=str(HERE))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--write", action="store_true")
    args = p.parse_args(argv)
    ref = mnist_eval.reference("lenet_mnist")
    model = kg.zoo.load(args.entry)
    metrics = mnist_eval.evaluate_conditional(model, ref, seed=args.seed)
    print(json.dumps(metrics, indent=1))
    if args.write:
        evaluation = {
            "command": "nice -n 10 env KERAS_BACKEND=jax " + recipe_utils.command_line(),
            "script": "evaluate.py",
            "backend": kg.backend.name,
            "evaluator": "lenet_mnist (zoo entry), layer 'features' for FD/KID, softmax for classes",
            "samples": "10,000 from generate(10000, labels=[0]*1000 + [1]*1000 + ... + [9]*1000, seed=0)",
        }
        evaluation["samples_png"] = "generate(100, labels=np.repeat(np.arange(10), 10), seed=0), one row per digit"
        grid = make_grid(model.generate(100, labels=np.repeat(np.arange(10), 10), seed=0), columns=10)
        Image.fromarray(grid).save(Path(args.entry) / "samples.png")
        recipe_utils.update_metrics(args.entry, metrics, evaluation, mnist_eval.NOTES, extra={"samples": "samples.png"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
