"""A GAN inside an ordinary Keras training script: `fit` with Keras' own callbacks
(ModelCheckpoint, TensorBoard, CSVLogger) next to keras_gans' (SampleGrid, TerminateOnNaN).
The same script runs on every backend:

    for b in tensorflow jax torch; do KERAS_BACKEND=$b python examples/keras_callbacks.py --out run_$b; done
"""

import argparse

import keras
import numpy as np

import keras_gans as kg


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--out", default="run")
    p.add_argument("--epochs", type=int, default=3)
    args = p.parse_args(argv)

    # any keras.Model generator / discriminator: here small DCGANs for 28x28 grey images
    generator = kg.architectures.dcgan_generator(32, 28, 1, 16, seed=0)
    discriminator = kg.architectures.dcgan_discriminator(28, 1, 16, seed=1)
    gan = kg.GAN(generator, discriminator, latent_dim=32, loss="non_saturating", seed=0)
    gan.compile(g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
    # your data: uint8 images are mapped to [-1, 1] by the game (here: random strokes)
    rng = np.random.default_rng(0)
    images = np.zeros((256, 28, 28, 1), np.uint8)
    for im in images:
        r = rng.integers(4, 24)
        im[r : r + 3, 4:24] = 255
    history = gan.fit(images, batch_size=32, epochs=args.epochs, callbacks=[
        keras.callbacks.ModelCheckpoint(f"{args.out}/gan.keras"),         # the whole game, each epoch
        keras.callbacks.TensorBoard(f"{args.out}/tensorboard"),             # d_loss, g_loss curves
        keras.callbacks.CSVLogger(f"{args.out}/log.csv"),
        kg.callbacks.SampleGrid(f"{args.out}/samples", n=16),               # a PNG grid per epoch
        kg.callbacks.TerminateOnNaN(),                                      # names the loss and the step
    ])
    return gan, history


if __name__ == "__main__":
    main()
