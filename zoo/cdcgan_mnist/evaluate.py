"""Measure the `cdcgan_mnist` entry with the `lenet_mnist` evaluator: its
accuracy on 1,000 samples of each requested digit, FD-LeNet(10,000 generated,
1,000 per digit, vs 2,000 held-out) beside the floor FD-LeNet(8,000 train vs
2,000 held-out), and KID-LeNet.

    nice -n 10 env KERAS_BACKEND=jax python zoo/cdcgan_mnist/evaluate.py [--write]

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
    sys.exit(mnist_eval.main(Path(__file__).resolve().parent, conditional=True))
