"""Recipe of the `cdcgan_mnist` zoo entry: a class-conditional DCGAN for
28x28 MNIST digits in [-1, 1] (`generate(n, labels=digit)`), trained on the
8,000-image training split with its labels.

    nice -n 10 env KERAS_BACKEND=jax python zoo/cdcgan_mnist/recipe.py
    nice -n 10 env KERAS_BACKEND=jax python zoo/cdcgan_mnist/evaluate.py --write

(The evaluation needs the `lenet_mnist` entry.)
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
import mnist_eval  # noqa: E402  (zoo/_shared)
import recipe_utils  # noqa: E402

HERE = Path(__file__).resolve().parent


def build(args):
    g = kg.architectures.dcgan_generator(args.latent_dim, 28, 1, args.g_filters, num_classes=10, seed=args.seed)
    d = kg.architectures.dcgan_discriminator(28, 1, args.d_filters, num_classes=10, seed=args.seed + 1)
    return kg.ConditionalGAN(
        g, d, latent_dim=args.latent_dim, num_classes=10, loss="non_saturating", seed=args.seed
    )


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--ema", type=float, default=0.999, help="EMA momentum of the generator's weights")
    p.add_argument("--select-every", type=int, default=2, help="score the EMA generator every N epochs")
    p.add_argument("--select-from", type=int, default=10, help="first epoch scored")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--latent-dim", type=int, default=64)
    p.add_argument("--g-filters", type=int, default=32, help="generator width (last hidden stage)")
    p.add_argument("--d-filters", type=int, default=64, help="discriminator width (first conv)")
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=str(HERE), help="entry folder to write (default: this folder)")
    recipe_utils.add_resume_arguments(p)
    p.add_argument("--smoke", action="store_true", help="1 epoch on 256 images, to check the recipe runs")
    args = p.parse_args(argv)

    keras.utils.set_random_seed(args.seed)
    x, y = kg.data.load_mnist(split="train", value_range=(-1, 1))
    if args.smoke:
        x, y, args.epochs = x[:256], y[:256], 1
    gan = build(args)
    gan.compile(
        g_optimizer=keras.optimizers.Adam(args.lr, beta_1=0.5, use_ema=True, ema_momentum=args.ema),
        d_optimizer=keras.optimizers.Adam(args.lr, beta_1=0.5),
    )
    selector = recipe_utils.BestGenerator(
        mnist_eval.training_score_fn(conditional=True), every=args.select_every,
        start=min(args.select_from, args.epochs), state_dir=args.run_dir,
    )
    # NaN stop, progress every minute, --time-limit; kill-safe checkpoints with --resume DIR (opt-in:
    # it shuffles with the game's seed, so the default run stays the one that made the shipped entry)
    resume = recipe_utils.training_callbacks(args.run_dir, args.save_every, args.time_limit)
    t0 = time.time()
    hist = gan.fit(x, y, batch_size=args.batch_size, epochs=args.epochs, shuffle=True, verbose=0,
                   callbacks=[selector, *resume])
    selected = selector.restore(gan)
    wall = time.time() - t0
    steps = int(gan.g_optimizer.iterations)
    card = {
        "title": "cdcgan_mnist: class-conditional DCGAN, 28x28 MNIST digits",
        "summary": (
            "A conditional DCGAN (Radford et al. 2016 architecture, conditioned as in Mirza & "
            "Osindero 2014) trained by keras_gans on the 8,000-image MNIST training split and its "
            "labels. `generate(n, labels=d, seed=)` gives n 28x28x1 images of digit d in [-1, 1]; "
            "the same seed and labels give the same digits on TensorFlow, JAX and PyTorch. The "
            "discriminator ships too, so the game can be fine-tuned with `compile()` + `fit(x, y)`."
        ),
        "task": "class-conditional image generation (MNIST digit 0-9 -> 28x28x1 image in [-1, 1])",
        "architecture": (
            f"kg.architectures.dcgan_generator(latent_dim={args.latent_dim}, image_size=28, channels=1, "
            f"filters={args.g_filters}, num_classes=10): [z, Embedding(10, 10)(label)] -> "
            f"Dense 7x7x{2 * args.g_filters} -> BN-ReLU -> "
            f"ConvT(4, s2) {args.g_filters} -> BN-ReLU -> ConvT(4, s2) 1 -> tanh; "
            f"kg.architectures.dcgan_discriminator(image_size=28, channels=1, filters={args.d_filters}, "
            "num_classes=10): [image, Embedding(10, 28*28)(label) as a 2nd channel] -> "
            f"Conv(4, s2) {args.d_filters} -> LReLU(0.2) -> Conv(4, s2) {2 * args.d_filters} -> BN -> "
            "LReLU(0.2) -> Dense 1 (logit). BatchNorm eps 1e-5, momentum 0.1 (PyTorch convention)."
        ),
        "data": (
            "MNIST test set (10,000 digits, LeCun, Cortes & Burges), the only MNIST images available "
            "here, split once by `kg.data.load_mnist(split=...)` (seed 0): 8,000 training digits "
            "and labels (used here), 2,000 held-out digits (used only for evaluation)."
        ),
        "licence": (
            "Weights: Apache-2.0 (as keras_gans). Data: MNIST, no licence stated by the copy used "
            "(commonly listed as CC BY-SA 3.0; verify upstream)."
        ),
        "preprocessing": {"image_size": 28, "channels": 1, "value_range": [-1, 1]},
        "training": recipe_utils.run_record(
            __file__, args.out,
            epochs=args.epochs,
            steps=steps,
            batch_size=args.batch_size,
            optimizer=f"Adam({args.lr}, beta_1=0.5) for each player",
            generator_weights=(
                f"exponential moving average (momentum {args.ema}) of the generator's weights; "
                f"scored every {args.select_every} epochs from epoch {args.select_from} by "
                "FD-LeNet of 2,000 samples vs the 8,000 *training* digits (held-out digits unused), "
                "best kept (the discriminator is the one at the end of training)"
            ),
            selection=selected,
            selection_history=selector.history,
            loss="non-saturating GAN loss, 1 D step per G step; G's labels are the batch's labels",
            final_epoch_losses={k: round(float(v[-1]), 4) for k, v in hist.history.items()},
            wall_time_s=round(wall, 1),
            seed=args.seed,
        ),
        "limits": [
            "Trained on 8,000 digits at small width (generator filters=32) on a 2-core CPU: "
            "some samples have malformed strokes; far from a state-of-the-art MNIST GAN.",
            "The requested digit is judged by the lenet_mnist evaluator (98.85% held-out "
            "accuracy), so per-digit accuracies carry its errors too.",
            "FD-LeNet is measured with this repository's lenet_mnist evaluator; it is not FID and "
            "is comparable only with other FD-LeNet numbers at the same sample sizes.",
        ],
    }
    folder = kg.zoo.save(gan, args.out, card=card, weights_dtype="float16", overwrite=True)
    print(f"saved {folder}: {steps} steps, {wall:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
