"""Recipe of the `lenet_mnist` zoo entry: a LeNet-style MNIST classifier used
as the evaluator of the MNIST GANs (class predictions, and "FD-LeNet"
features from its penultimate layer).

Trained on the 8,000-image training split of the 10,000 MNIST test digits
(`kg.data.load_mnist(split="train")`); the 2,000 held-out digits are never seen.

    nice -n 10 env KERAS_BACKEND=jax python zoo/lenet_mnist/recipe.py
    nice -n 10 env KERAS_BACKEND=jax python zoo/lenet_mnist/evaluate.py --write
"""

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402

import keras_gans as kg  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_shared"))  # recipe support, outside the wheel
import recipe_utils  # noqa: E402  (zoo/_shared)

HERE = Path(__file__).resolve().parent


def lenet(seed=0):
    """Conv(32, 5) - pool - Conv(64, 5) - pool - Dense(128) "features" - Dense(10) softmax.
    Input: 28x28x1 in [-1, 1] (the GANs' output range)."""
    init = lambda i: keras.initializers.GlorotUniform(seed=seed * 100 + i)  # noqa: E731
    x = keras.Input((28, 28, 1), name="image")
    h = keras.layers.Conv2D(32, 5, padding="same", activation="relu", kernel_initializer=init(0), name="conv1")(x)
    h = keras.layers.MaxPooling2D(2, name="pool1")(h)
    h = keras.layers.Conv2D(64, 5, padding="same", activation="relu", kernel_initializer=init(1), name="conv2")(h)
    h = keras.layers.MaxPooling2D(2, name="pool2")(h)
    h = keras.layers.Flatten(name="flatten")(h)
    h = keras.layers.Dense(128, activation="relu", kernel_initializer=init(2), name="features")(h)
    h = keras.layers.Dropout(0.3, seed=seed, name="dropout")(h)
    out = keras.layers.Dense(10, activation="softmax", kernel_initializer=init(3), name="probs")(h)
    return keras.Model(x, out, name="lenet_mnist")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=str(HERE), help="entry folder to write (default: this folder)")
    p.add_argument("--smoke", action="store_true", help="1 epoch on 512 images, to check the recipe runs")
    args = p.parse_args(argv)

    keras.utils.set_random_seed(args.seed)
    x, y = kg.data.load_mnist(split="train", value_range=(-1, 1))
    if args.smoke:
        x, y, args.epochs = x[:512], y[:512], 1
    model = lenet(args.seed)
    model.compile(
        optimizer=keras.optimizers.Adam(args.lr),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        jit_compile=True,
    )
    t0 = time.time()
    hist = model.fit(x, y, batch_size=args.batch_size, epochs=args.epochs, shuffle=True, verbose=2)
    wall = time.time() - t0
    steps = args.epochs * -(-len(x) // args.batch_size)
    card = {
        "title": "lenet_mnist: LeNet-style MNIST classifier (evaluator for the MNIST GANs)",
        "summary": (
            "A small LeNet-style CNN trained by keras_gans on the 8,000-image training split of "
            "MNIST. It is the evaluator of the MNIST GAN entries: its class probabilities give "
            "class histograms / per-class accuracy of generated digits, and its penultimate layer "
            "(`features`, 128-d after ReLU) is the feature space of **FD-LeNet**, the Fréchet "
            "distance reported on the MNIST GAN cards."
        ),
        "task": "image classification (MNIST digits 0-9); evaluator / feature extractor",
        "architecture": (
            "Conv2D(32, 5x5, ReLU) - MaxPool 2 - Conv2D(64, 5x5, ReLU) - MaxPool 2 - "
            "Dense(128, ReLU) 'features' - Dropout(0.3) - Dense(10, softmax) 'probs'"
        ),
        "data": (
            "MNIST test set (10,000 digits, `t10k-*-ubyte.gz`, LeCun, Cortes & Burges), the only "
            "MNIST images available here, split once by `kg.data.load_mnist(split=...)` "
            "(`np.random.default_rng(0)` permutation): 8,000 training digits (used here) and "
            "2,000 held-out digits (used only for the reported accuracy)."
        ),
        "licence": (
            "Weights: Apache-2.0 (as keras_gans). Data: MNIST, no licence stated by the copy used "
            "(commonly listed as CC BY-SA 3.0; verify upstream)."
        ),
        "preprocessing": {"image_size": 28, "channels": 1, "value_range": [-1, 1]},
        "features_layer": "features",
        "training": recipe_utils.run_record(
            __file__, args.out,
            epochs=args.epochs,
            steps=steps,
            batch_size=args.batch_size,
            optimizer=f"Adam({args.lr})",
            loss="sparse categorical cross-entropy",
            final_train_accuracy=float(hist.history["accuracy"][-1]),
            wall_time_s=round(wall, 1),
            seed=args.seed,
        ),
        "limits": [
            "Trained on 8,000 digits only (no augmentation): a reference evaluator for this "
            "repository's MNIST GANs, not a state-of-the-art classifier.",
            "FD-LeNet values are comparable only with other FD-LeNet values computed with this "
            "exact entry (same weights, same sample sizes); they are not FID.",
            "Expects 28x28x1 images in [-1, 1] (scale uint8 images by x/127.5 - 1).",
        ],
    }
    folder = kg.zoo.save(model, args.out, card=card, weights_dtype="float16", overwrite=True)
    print(f"saved {folder} ({wall:.0f} s training)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
