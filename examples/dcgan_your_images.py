"""Train a DCGAN on a folder of your own images (any backend).

    KERAS_BACKEND=jax python examples/dcgan_your_images.py photos/ --image-size 64 --epochs 50 --out run/

Writes a sample grid per epoch to run/samples/, checkpoints to run/backup/ (kill it and run
the same command again: it goes on from the exact batch), and the trained game to
run/dcgan.keras. Images: any size or mode (cropped to a centre square, resized); bad files are
skipped and named.
"""

import argparse

import keras

import keras_gans as kg


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("images", help="folder of images (searched recursively)")
    p.add_argument("--image-size", type=int, default=64, choices=(28, 32, 64))
    p.add_argument("--epochs", type=int, default=50)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--filters", type=int, default=64, help="DCGAN width (64 in the paper)")
    p.add_argument("--out", default="run")
    args = p.parse_args(argv)

    data = kg.data.image_folder(args.images, args.image_size, batch_size=args.batch_size, flip=True)
    latent_dim = 100
    gan = kg.GAN(
        kg.architectures.dcgan_generator(latent_dim, args.image_size, 3, args.filters),
        kg.architectures.dcgan_discriminator(args.image_size, 3, args.filters),
        latent_dim=latent_dim,
        loss="non_saturating",
        seed=0,
    )
    gan.compile(g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
    gan.fit(data, epochs=args.epochs, callbacks=[
        kg.callbacks.SampleGrid(f"{args.out}/samples", n=16),
        kg.callbacks.BackupAndRestore(f"{args.out}/backup", save_freq=200),
        kg.callbacks.TerminateOnNaN(),
    ])
    gan.save(f"{args.out}/dcgan.keras")
    print(f"wrote {args.out}/dcgan.keras and {args.out}/samples/")
    return gan


if __name__ == "__main__":
    main()
