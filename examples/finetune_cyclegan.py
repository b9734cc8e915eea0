"""Fine-tune the zoo's apple -> orange CycleGAN on two folders of your own (any backend).

    python examples/finetune_cyclegan.py my_A/ my_B/ --epochs 5 --out run/
    keras-gans translate run/cyclegan.keras photo.jpg -o translated.png

Starts from `cyclegan_apple2orange` (generators AND discriminators), trains on unaligned
batches from the two folders at the entry's image size, and saves the game.
"""

import argparse

import keras

import keras_gans as kg


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dir_a")
    p.add_argument("dir_b")
    p.add_argument("--entry", default="cyclegan_apple2orange", help="zoo entry to start from")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--lr", type=float, default=1e-4, help="lower than from scratch (2e-4): fine-tuning")
    p.add_argument("--out", default="run")
    args = p.parse_args(argv)

    game = kg.zoo.load(args.entry)
    size = kg.zoo.info(args.entry)["preprocessing"]["image_size"]
    data = kg.data.unpaired(args.dir_a, args.dir_b, size)
    game.compile(g_optimizer=keras.optimizers.Adam(args.lr, beta_1=0.5),
                 d_optimizer=keras.optimizers.Adam(args.lr, beta_1=0.5))
    game.fit(data, epochs=args.epochs, callbacks=[kg.callbacks.BackupAndRestore(f"{args.out}/backup")])
    game.save(f"{args.out}/cyclegan.keras")
    print(f"wrote {args.out}/cyclegan.keras")
    return game


if __name__ == "__main__":
    main()
