"""Recipe of the `fruit_classifier` zoo entry: apple (0) vs orange (1), the
evaluator behind the `cyclegan_apple2orange` card (like `lenet_mnist` for the
digits).

Trained on the 75 + 72 training photos of ``fruit_apple_orange`` only
(trainA, trainB), at 64x64 (each photo resized to 72x72, random 64x64 crops,
random flips, random 90-degree turns); the 19 + 18 held-out photos (testA,
testB) are never seen in training and measure it. Its 128-d ``features`` layer
is the feature space of the card's KID.

    env KERAS_BACKEND=tensorflow python zoo/fruit_classifier/recipe.py
"""

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_gans as kg  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_shared"))  # recipe support, outside the wheel
import recipe_utils  # noqa: E402

HERE = Path(__file__).resolve().parent
DATA = "fruit_apple_orange"
SIZE = 64
CLASSES = ["apple", "orange"]


def load_split(split, size, data=None):
    """uint8 images (n, size, size, 3) and labels of ``train`` or ``test``
    (A = apple = 0, B = orange = 1), each photo resized to size x size."""
    from PIL import Image

    folder = kg.data.dataset_path(DATA, data)
    xs, ys = [], []
    for label, dom in enumerate("AB"):
        for f in kg.images.list_images(folder / f"{split}{dom}"):
            im = kg.images.open_image(f).convert("RGB")
            xs.append(np.asarray(im.resize((size, size), Image.BICUBIC), np.uint8))
            ys.append(label)
    return np.stack(xs), np.asarray(ys, np.int32)


def to_model_range(images):
    return np.asarray(images, np.float32) / 127.5 - 1.0


def classifier(size=SIZE, width=16, seed=0):
    """Conv-BN-ReLU stages -> global average pool -> Dense(128) 'features'
    -> Dense(2) softmax; inputs in [-1, 1]."""
    init = lambda i: keras.initializers.HeNormal(seed=seed * 100 + i)  # noqa: E731
    x = keras.Input((size, size, 3), name="image")
    h, k = x, 0
    for stage, f in enumerate((width, 2 * width, 4 * width, 8 * width)):
        h = keras.layers.Conv2D(f, 3, strides=1 if stage == 0 else 2, padding="same", use_bias=False,
                                kernel_initializer=init(k), name=f"conv{stage}")(h)
        h = keras.layers.BatchNormalization(epsilon=1e-5, momentum=0.9, name=f"bn{stage}")(h)
        h = keras.layers.ReLU(name=f"relu{stage}")(h)
        k += 1
    h = keras.layers.GlobalAveragePooling2D(name="pool")(h)
    h = keras.layers.Dense(128, activation="relu", kernel_initializer=init(k), name="features")(h)
    h = keras.layers.Dropout(0.3, seed=seed, name="dropout")(h)
    out = keras.layers.Dense(len(CLASSES), activation="softmax", name="probs")(h)
    return keras.Model(x, out, name="fruit_classifier")


class Augmented(keras.utils.PyDataset):
    """Random 64x64 crops of the 72x72 photos, flips, 90-degree turns."""

    def __init__(self, x, y, batch_size, steps, seed=0, **kw):
        super().__init__(**kw)
        self.x, self.y, self.batch_size, self.steps, self.seed = x, y, batch_size, steps, seed
        self.epoch = 0

    def set_epoch(self, epoch):
        self.epoch = epoch

    def __len__(self):
        return self.steps

    def __getitem__(self, i):
        rng = np.random.default_rng([self.seed, self.epoch, i])
        idx = rng.integers(len(self.x), size=self.batch_size)
        out = np.empty((self.batch_size, SIZE, SIZE, 3), np.uint8)
        for j, k in enumerate(idx):
            oy, ox = rng.integers(0, self.x.shape[1] - SIZE + 1, 2)
            im = self.x[k, oy : oy + SIZE, ox : ox + SIZE]
            if rng.random() < 0.5:
                im = im[:, ::-1]
            out[j] = np.rot90(im, int(rng.integers(4)))
        return to_model_range(out), self.y[idx]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--steps", type=int, default=20, help="batches per epoch")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data", default=None)
    p.add_argument("--out", default=str(HERE))
    args = p.parse_args(argv)

    keras.utils.set_random_seed(args.seed)
    x, y = load_split("train", SIZE + 8, args.data)
    xt, yt = load_split("test", SIZE, args.data)
    model = classifier(seed=args.seed)
    model.compile(optimizer=keras.optimizers.Adam(args.lr), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    t0 = time.time()
    hist = model.fit(Augmented(x, y, args.batch_size, args.steps, args.seed), epochs=args.epochs, verbose=2)
    wall = time.time() - t0
    pred = model.predict(to_model_range(xt), verbose=0).argmax(1)
    acc = float((pred == yt).mean())
    per_class = {c: round(float((pred[yt == i] == i).mean()), 4) for i, c in enumerate(CLASSES)}
    card = {
        "title": "fruit_classifier: apple vs orange (evaluator for cyclegan_apple2orange)",
        "summary": (
            "Reads a 64x64 photo as apple (0) or orange (1); its 128-d 'features' layer is the feature "
            "space of the KID on the cyclegan_apple2orange card. Inputs in [-1, 1]."
        ),
        "task": "image classification (apple, orange); evaluator / feature extractor",
        "architecture": "4 Conv3x3-BN-ReLU stages (16-128 filters, stride 2 from stage 2) - GAP - "
                        "Dense(128) 'features' - Dropout(0.3) - Dense(2) softmax",
        "data": (
            f"fruit_apple_orange (see zoo/cyclegan_apple2orange/recipe.py): trained on trainA + trainB "
            f"({int((y == 0).sum())} apples, {int((y == 1).sum())} oranges) resized to {SIZE + 8}x{SIZE + 8}, "
            f"random {SIZE}x{SIZE} crops, flips, 90-degree turns; measured on testA + testB "
            f"({int((yt == 0).sum())} + {int((yt == 1).sum())} held-out photos resized to {SIZE}x{SIZE}), "
            "never used for training or for choosing anything."
        ),
        "licence": "Weights: Apache-2.0 (as keras_gans). Data: web photos, research use only.",
        "preprocessing": {"image_size": SIZE, "channels": 3, "value_range": [-1, 1]},
        "features_layer": "features",
        "class_names": CLASSES,
        "training": recipe_utils.run_record(
            __file__, args.out,
            epochs=args.epochs,
            steps_per_epoch=args.steps,
            batch_size=args.batch_size,
            optimizer=f"Adam({args.lr})",
            final_epoch={k: round(float(v[-1]), 4) for k, v in hist.history.items()},
            wall_time_s=round(wall, 1),
            seed=args.seed,
        ),
        "metrics": {"heldout_accuracy": round(acc, 4), "heldout_accuracy_per_class": per_class},
        "evaluation": {"command": recipe_utils.command_line(), "data": f"{len(xt)} held-out photos (testA, testB)"},
        "limits": [
            "Trained on 147 web photos: colour is its strongest cue; it is a yardstick for this "
            "repository's CycleGAN, not a general fruit classifier.",
        ],
    }
    folder = kg.zoo.save(model, Path(args.out), card=card, weights_dtype="float16", overwrite=True)
    print(f"saved {folder}: held-out accuracy {acc:.4f} {per_class}, {wall:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
