"""The same script on three backends: train with one, sample with another.

keras_gans layers mean the same thing on TensorFlow, JAX and PyTorch, so weights
trained under one backend give the same images under the others. Nothing in
this file names a backend:

    KERAS_BACKEND=jax        python examples/three_backends.py train  --out run/
    KERAS_BACKEND=torch      python examples/three_backends.py sample --out run/
    KERAS_BACKEND=tensorflow python examples/three_backends.py sample --out run/

`train` fits a small DCGAN on 28x28 images (here: random strokes; use your
own uint8 array) and writes the generator's weights plus a few latent vectors
and the images they gave. `sample` rebuilds the generator, loads the weights
and regenerates those images, printing how far they are from the trainer's.
"""

import argparse
import json
from pathlib import Path

import keras
import numpy as np

import keras_gans as kg


def build_generator():
    return kg.architectures.dcgan_generator(32, 28, 1, 16, seed=0)


def strokes(n, seed=0):
    """Stand-in data: n 28x28 uint8 images of random bright bars."""
    rng = np.random.default_rng(seed)
    images = np.zeros((n, 28, 28, 1), np.uint8)
    for img in images:
        r, c = rng.integers(4, 24, 2)
        img[r - 2:r + 2, 2:26] = 255 if rng.random() < 0.5 else 0
        img[2:26, c - 2:c + 2] = 255
    return images


def train(out, epochs=1):
    out.mkdir(parents=True, exist_ok=True)
    generator = build_generator()
    gan = kg.GAN(generator, kg.architectures.dcgan_discriminator(28, 1, 16, seed=1), latent_dim=32, seed=0)
    gan.compile(g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
    gan.fit(strokes(128), batch_size=32, epochs=epochs, verbose=0)
    z = np.random.default_rng(1).normal(size=(4, 32)).astype("float32")
    generator.save_weights(out / "generator.weights.h5")
    np.savez(out / "reference.npz", z=z, images=keras.ops.convert_to_numpy(generator(z, training=False)))
    (out / "trained_with.json").write_text(json.dumps({"backend": keras.backend.backend()}))
    return generator


def sample(out):
    generator = build_generator()
    generator.load_weights(out / "generator.weights.h5")
    ref = np.load(out / "reference.npz")
    images = keras.ops.convert_to_numpy(generator(ref["z"], training=False))
    diff = float(np.max(np.abs(images - ref["images"])))
    trained_with = json.loads((out / "trained_with.json").read_text())["backend"]
    print(f"trained with {trained_with}, sampled with {keras.backend.backend()}: max |difference| {diff:.2e}")
    return diff


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["train", "sample"])
    p.add_argument("--out", default="run")
    p.add_argument("--epochs", type=int, default=1)
    args = p.parse_args(argv)
    if args.command == "train":
        return train(Path(args.out), args.epochs)
    return sample(Path(args.out))


if __name__ == "__main__":
    main()
