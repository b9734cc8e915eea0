"""Measure the `dcgan_mnist` entry with the `lenet_mnist` evaluator:
FD-LeNet(10,000 generated vs 2,000 held-out) beside the floor
FD-LeNet(8,000 train vs 2,000 held-out), KID-LeNet, and the class histogram
of 10,000 samples.

    nice -n 10 env KERAS_BACKEND=jax python zoo/dcgan_mnist/evaluate.py [--write]

--write records the numbers in config.json, writes samples.png and
re-renders MODEL_CARD.md (see zoo/_shared/mnist_eval.py).
"""

import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_shared"))  # recipe support, outside the wheel
import mnist_eval  # noqa: E402

if __name__ == "__main__":
    sys.exit(mnist_eval.main(Path(__file__).resolve().parent, conditional=False))
