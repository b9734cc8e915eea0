"""Recipe of the `dcgan_mnist` zoo entry: an unconditional DCGAN for 28x28
MNIST digits in [-1, 1], trained on the 8,000-image training split.

    env KERAS_BACKEND=jax python zoo/dcgan_mnist/recipe.py
    env KERAS_BACKEND=jax python zoo/dcgan_mnist/evaluate.py --write

The shipped entry was made on a 2-core CPU with TensorFlow, the fastest
backend for this model there (37,500 steps with the R1 penalty,
about 40 min when run alone):

    env KERAS_BACKEND=tensorflow python zoo/dcgan_mnist/recipe.py --epochs 300 --r1 1.0 \
        --select-from 150 --select-every 5 --class-range 0.05 0.145 --score-samples 10000
    env KERAS_BACKEND=tensorflow python zoo/dcgan_mnist/evaluate.py --write

Without --r1 (the previous entry) the discriminator overfits the 8,000 digits
(d_loss 0.16 at epoch 300) and the digit mix never settled inside 5%-15%
(digit 9 at 14.6%-16.9%); with R1(1.0) the game stays near equilibrium
(d_loss ~1.3) and every scored checkpoint from epoch 150 on was inside.

(The evaluation needs the `lenet_mnist` entry.)

To continue training an entry (fresh optimizers, the card keeps the first
run's record under `initialised_from`), e.g. on TensorFlow, the fastest
backend for this model on a CPU:

    env KERAS_BACKEND=tensorflow python zoo/dcgan_mnist/recipe.py --init zoo/dcgan_mnist \
        --epochs 100 --select-from 5 --select-every 5 --class-range 0.05 0.15

Checkpoints are scored on training digits by FD-LeNet (+ a penalty when the
samples' class fractions leave --class-range, if given).
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
    g = kg.architectures.dcgan_generator(args.latent_dim, 28, 1, args.g_filters, seed=args.seed)
    d = kg.architectures.dcgan_discriminator(28, 1, args.d_filters, seed=args.seed + 1)
    regularizers = [kg.regularizers.R1Penalty(args.r1)] if args.r1 else []
    return kg.GAN(g, d, latent_dim=args.latent_dim, loss="non_saturating", regularizers=regularizers,
                  seed=args.seed)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=150)
    p.add_argument("--ema", type=float, default=0.999, help="EMA momentum of the generator's weights")
    p.add_argument("--select-every", type=int, default=5, help="score the EMA generator every N epochs")
    p.add_argument("--select-from", type=int, default=50, help="first epoch scored")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--latent-dim", type=int, default=64)
    p.add_argument("--g-filters", type=int, default=32, help="generator width (last hidden stage)")
    p.add_argument("--d-filters", type=int, default=64, help="discriminator width (first conv)")
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--r1", type=float, default=0.0, metavar="GAMMA",
                   help="R1 penalty weight on the discriminator (default: 0, none)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=str(HERE), help="entry folder to write (default: this folder)")
    recipe_utils.add_resume_arguments(p)
    p.add_argument("--smoke", action="store_true", help="1 epoch on 256 images, to check the recipe runs")
    p.add_argument("--init", default=None, help="continue from this entry's generator and discriminator")
    p.add_argument("--score-samples", type=int, default=2000,
                   help="samples generated to score each checkpoint (default: %(default)s)")
    p.add_argument("--class-range", type=float, nargs=2, default=None, metavar=("LO", "HI"),
                   help="prefer checkpoints whose class fractions (on the scoring samples) lie in "
                        "[LO, HI], e.g. 0.05 0.15 (default: off, as for the shipped entry)")
    args = p.parse_args(argv)

    keras.utils.set_random_seed(args.seed)
    x, _ = kg.data.load_mnist(split="train", value_range=(-1, 1))
    if args.smoke:
        x, args.epochs = x[:256], 1
    init = kg.zoo.load_config(args.init) if args.init else None
    gan = kg.zoo.load(args.init) if args.init else build(args)
    gan.compile(
        g_optimizer=keras.optimizers.Adam(args.lr, beta_1=0.5, use_ema=True, ema_momentum=args.ema),
        d_optimizer=keras.optimizers.Adam(args.lr, beta_1=0.5),
    )
    fd_score = mnist_eval.training_score_fn(conditional=False, n=args.score_samples)
    lo, hi = args.class_range or (0.0, 1.0)

    def score(game):  # FD-LeNet vs training digits, + 1000 per unit outside the class range
        fd, info = fd_score(game)
        outside = max(0.0, info["class_max"] - hi) + max(0.0, lo - info["class_min"])
        return fd + 1000.0 * outside, info

    selector = recipe_utils.BestGenerator(
        score, every=args.select_every,
        start=min(args.select_from, args.epochs), state_dir=args.run_dir,
    )
    # NaN stop, progress every minute, --time-limit; kill-safe checkpoints with --resume DIR (opt-in:
    # it shuffles with the game's seed, so the default run stays the one that made the shipped entry)
    resume = recipe_utils.training_callbacks(args.run_dir, args.save_every, args.time_limit)
    t0 = time.time()
    hist = gan.fit(x, batch_size=args.batch_size, epochs=args.epochs, shuffle=True, verbose=0,
                   callbacks=[selector, *resume])
    selected = selector.restore(gan)
    wall = time.time() - t0
    steps = int(gan.g_optimizer.iterations)
    card = {
        "title": "dcgan_mnist: unconditional DCGAN, 28x28 MNIST digits",
        "summary": (
            "A DCGAN (Radford et al. 2016) trained by keras_gans on the 8,000-image MNIST "
            "training split. `generate(n, seed=)` gives n 28x28x1 digits in [-1, 1]; the same "
            "seed gives the same digits on TensorFlow, JAX and PyTorch. The discriminator "
            "ships too, so the game can be fine-tuned with `compile()` + `fit()`."
        ),
        "task": "unconditional image generation (MNIST digits, 28x28x1, values in [-1, 1])",
        "architecture": (
            f"kg.architectures.dcgan_generator(latent_dim={args.latent_dim}, image_size=28, channels=1, "
            f"filters={args.g_filters}): z -> Dense 7x7x{2 * args.g_filters} -> BN-ReLU -> "
            f"ConvT(4, s2) {args.g_filters} -> BN-ReLU -> ConvT(4, s2) 1 -> tanh; "
            f"kg.architectures.dcgan_discriminator(image_size=28, channels=1, filters={args.d_filters}): "
            f"Conv(4, s2) {args.d_filters} -> LReLU(0.2) -> Conv(4, s2) {2 * args.d_filters} -> BN -> "
            "LReLU(0.2) -> Dense 1 (logit). BatchNorm eps 1e-5, momentum 0.1 (PyTorch convention)."
        ),
        "data": (
            "MNIST test set (10,000 digits, LeCun, Cortes & Burges), the only MNIST images available "
            "here, split once by `kg.data.load_mnist(split=...)` (seed 0): 8,000 training digits "
            "(used here), 2,000 held-out digits (used only for evaluation)."
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
                f"FD-LeNet of {args.score_samples:,} samples (seed 1234) vs the 8,000 *training* digits (held-out digits unused), "
                + (f"+ 1000 x how far the samples' class fractions fall outside [{lo}, {hi}]; "
                   if args.class_range else "")
                + "best kept (the discriminator is the one at the end of training)"
            ),
            selection=selected,
            selection_history=selector.history,
            loss="non-saturating GAN loss, 1 D step per G step"
            + "".join(f", {type(r).__name__}({r.get_config()})" for r in gan.regularizers),
            final_epoch_losses={k: round(float(v[-1]), 4) for k, v in hist.history.items()},
            wall_time_s=round(wall, 1),
            seed=args.seed,
            **({"initialised_from": {"entry": args.init, "training": init["training"]}} if init else {}),
        ),
        "limits": [
            "Trained on 8,000 digits at small width (generator filters=32) on a 2-core CPU: "
            "some samples have malformed strokes; far from a state-of-the-art MNIST GAN.",
            "Unconditional: the digit class is not controllable (see cdcgan_mnist).",
            "FD-LeNet is measured with this repository's lenet_mnist evaluator; it is not FID and "
            "is comparable only with other FD-LeNet numbers at the same sample sizes.",
        ],
    }
    folder = kg.zoo.save(gan, args.out, card=card, weights_dtype="float16", overwrite=True)
    print(f"saved {folder}: {steps} steps, {wall:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
