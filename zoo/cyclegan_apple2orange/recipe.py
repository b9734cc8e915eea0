"""Recipe of the `cyclegan_apple2orange` zoo entry (trained on a 2-core CPU, in sessions: the card).

CycleGAN (Zhu et al. 2017) as in the paper and the authors' code: ResNet
generators (9 blocks at 256 px, 6 at 128 px), 70x70 PatchGAN discriminators,
least-squares GAN loss, cycle weight 10, identity weight 0.5, 50-image
history pools, Adam(2e-4, beta_1=0.5), batch 1, learning rate constant for the
first half of the epochs then linearly decayed to 0. Data: unpaired apple (A)
and orange (B) photos of mixed sizes from `fruit_apple_orange`, resized to
286x286 (143 for a 128 model), randomly cropped to 256 (128) and randomly
flipped left-right, the official ``resize_and_crop`` + ``flip`` preprocessing.

    # the paper's setting (a GPU: ~15,000 steps at 256 px)
    python zoo/cyclegan_apple2orange/recipe.py --epochs 200 --image-size 256 --n-blocks 9
    # a lighter model
    python zoo/cyclegan_apple2orange/recipe.py --epochs 200 --image-size 128 --n-blocks 6
    # check that everything runs: 2 steps at 64 px on a few images, to a temp folder
    python zoo/cyclegan_apple2orange/recipe.py --smoke

Set KERAS_BACKEND (any backend works); the default here is tensorflow, the
fastest for this step on the CPUs measured (TF + XLA, the games' default
``jit_compile``: 1.06 s vs torch 1.43 s, JAX 1.99 s at 128 px on the 2-core
AMD EPYC; benchmarks/RESULTS.md). The card records the backend of every
training segment. Data are read
from $KERAS_GANS_DATA/fruit_apple_orange or the checkout's ../shared/data
(--data to point elsewhere); they are research-use photos, never copied into
the entry.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_gans as kg  # noqa: E402
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_shared"))  # recipe support, outside the wheel
import recipe_utils  # noqa: E402
from keras_gans.data.pipelines import Unpaired  # noqa: E402
from keras_gans.schedules import LinearDecay  # noqa: E402

HERE = Path(__file__).resolve().parent
DATA = "fruit_apple_orange"


# ------------------------------------------------------------------- data
def data_folder(path=None):
    """The data set's folder (``--data``, ``$KERAS_GANS_DATA/fruit_apple_orange``
    or ``../shared/data/fruit_apple_orange``)."""
    try:
        from keras_gans.data import dataset_path
    except ImportError:  # pragma: no cover
        dataset_path = None
    if dataset_path is not None:
        return dataset_path(DATA, path)
    folder = Path(path or Path(kg.__file__).resolve().parents[2] / "shared" / "data" / DATA)
    if not folder.is_dir():
        raise FileNotFoundError(f"Data set {DATA!r} not found at {folder}; pass --data.")
    return folder


def load_domain(folder, load_size, limit=None):
    """Every image of ``folder`` as uint8 ``(n, load_size, load_size, 3)``,
    resized like the official ``transforms.Resize([s, s], BICUBIC)`` (the
    aspect ratio is not kept)."""
    from PIL import Image

    files = kg.images.list_images(folder)
    files = files[:limit] if limit else files
    out = np.empty((len(files), load_size, load_size, 3), np.uint8)
    for i, f in enumerate(files):
        im = kg.images.open_image(f).convert("RGB")
        out[i] = np.asarray(im.resize((load_size, load_size), Image.BICUBIC))
    return out


# ------------------------------------------------------------------ model
def build(args):
    return kg.CycleGAN.official(
        n_blocks=args.n_blocks, filters=args.filters, seed=args.seed, loss="least_squares",
        cycle_weight=10.0, identity_weight=0.5, pool_size=args.pool_size,
        image_shape=(args.image_size, args.image_size, 3), upsample=getattr(args, "upsample", "transpose"),
    )


def warm_start(model, entry, run):
    """Start ``model`` from the weights of a zoo entry (``--warmstart``; fresh
    optimizers), once per run folder, and record the start in
    ``run/init.json`` (its steps, CPU time and training segments count in the
    card). A transposed-convolution generator's upsampling kernels start a
    resize-convolution one through
    ``kg.cyclegan.networks.transpose_to_resize_kernel`` (least-squares
    closest; the fine-tune does the rest)."""
    from keras_gans.cyclegan.networks import transpose_to_resize_kernel

    src = kg.zoo.load(entry)
    changed = []
    for name in ("generator_ab", "generator_ba", "discriminator_a", "discriminator_b"):
        old, new = getattr(src, name), getattr(model, name)
        for layer in new.layers:
            if not layer.weights:
                continue
            weights = old.get_layer(layer.name).get_weights()
            if isinstance(layer, keras.layers.Conv2D) and weights[0].shape != tuple(layer.weights[0].shape):
                weights[0] = transpose_to_resize_kernel(weights[0])
                changed.append(f"{name}.{layer.name}")
            layer.set_weights(weights)
    info = recipe_utils.record_start(run, entry, converted=changed)
    print(f"warm start from {entry} ({info['steps']} steps; converted to resize-convolution: {changed or 'none'})",
          flush=True)
    return info


def card(args, history, steps, wall):

    size, nb = args.image_size, args.n_blocks
    up = (f"u{2 * args.filters}, u{args.filters}" if args.upsample == "transpose" else
          f"u{2 * args.filters}, u{args.filters} as resize-convolutions (nearest x2 + Conv 3x3, not the paper's "
          "transposed convolutions: no checkerboard)")
    return {
        "title": f"cyclegan_apple2orange: CycleGAN apple <-> orange, {size}x{size}",
        "summary": (
            "A CycleGAN (Zhu et al. 2017) trained by keras_gans on unpaired apple (A) and orange (B) "
            "photos. `translate(images, direction='a2b')` turns apples into oranges, 'b2a' the "
            "reverse; uint8 in, uint8 out, any size divisible by 4 (the `keras-gans translate` "
            "command resizes any JPEG/PNG). Both discriminators ship too, for fine-tuning."
        ),
        "task": "unpaired image-to-image translation, apple <-> orange (RGB, values in [-1, 1])",
        "architecture": (
            f"kg.cyclegan.resnet_generator(n_blocks={nb}, filters={args.filters}, upsample={args.upsample!r}) x2 "
            f"(c7s1-{args.filters}, "
            f"d{2 * args.filters}, d{4 * args.filters}, {nb} x R{4 * args.filters}, {up}, c7s1-3, tanh; reflection "
            "padding, InstanceNorm without affine); "
            f"kg.cyclegan.patchgan_discriminator(filters={args.filters}, n_layers=3) x2 (70x70 PatchGAN). "
            "Otherwise the same layers as the authors' PyTorch ResnetGenerator / NLayerDiscriminator."
        ),
        "data": (
            f"fruit_apple_orange (substitute for the paper's apple2orange): {args.n_a} apple and "
            f"{args.n_b} orange web photos of mixed sizes (Kaggle 'Fruit Images for Object Detection' "
            "via github.com/chanjianliu/fruit_recognition; see the data set's SOURCE.md). Far "
            "smaller than apple2orange (995 + 1019 ImageNet photos)."
        ),
        "licence": (
            "Weights: Apache-2.0 (as keras_gans). Data: photos collected from the web, copyright "
            "with their owners, used for research only; outputs of the model are derived from them."
        ),
        "preprocessing": {"image_size": size, "channels": 3, "value_range": [-1, 1]},
        "training": recipe_utils.run_record(
            __file__, args.out,
            **recipe_utils.epoch_fields(args, history, steps, wall),
            optimizer=f"Adam({args.lr}, beta_1=0.5) for both generators and for both discriminators",
            schedule="LinearDecay: constant, then linear to 0 over the last decay_epochs",
            loss="least squares; cycle 10; identity 0.5 x 10; pools of 50 fakes",
            augmentation=f"resize to {args.load_size}x{args.load_size} (bicubic), random crop {size}, random flip",
            warm_start=warm_start_sentence(getattr(args, "init", None)),
        ),
        "limits": [
            "Trained on ~75 photos per domain (the paper's apple2orange has ~1,000): expect colour "
            "and texture transfer, limited shape change, and failures on cluttered scenes.",
            "Translates the whole image: backgrounds may be tinted too.",
        ],
    }


def warm_start_sentence(init):
    """The card's account of a ``--warmstart`` (None without one)."""
    if not init:
        return None
    text = (f"Steps 1-{init['steps']:,} are the entry {init['entry']} as shipped at commit "
            f"{init.get('commit') or '(uncommitted)'} (weights sha256 {init.get('sha256')}); its checkpoint was "
            f"gone, so training went on from those weights with fresh Adam moments and the schedule at step "
            f"{init['steps']:,}")
    if init.get("converted"):
        text += (f"; the generators' upsampling changed from transposed convolutions to resize-convolutions "
                 f"there ({', '.join(init['converted'])} started from the least-squares closest kernels)")
    return text + "."


def save(model, args, history, steps, wall):
    return kg.zoo.save(model, Path(args.out), card=card(args, history, steps, wall), overwrite=True,
                       weights_dtype="float16")


# ------------------------------------------------------------------- main
def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=200, help="total epochs (the paper: 200)")
    p.add_argument("--decay-epochs", type=int, default=None,
                   help="epochs of linear decay at the end (default: half of --epochs)")
    p.add_argument("--image-size", type=int, default=256, help="training crop (256 or 128)")
    p.add_argument("--n-blocks", type=int, default=None, help="ResNet blocks (default: 9 at >= 256 px, else 6)")
    p.add_argument("--filters", type=int, default=64)
    p.add_argument("--batch-size", type=int, default=1)
    p.add_argument("--pool-size", type=int, default=50)
    p.add_argument("--upsample", choices=("transpose", "nearest"), default="transpose",
                   help="the generators' upsampling: the paper's transposed convolutions, or nearest x2 + conv "
                        "(resize-convolution: no checkerboard)")
    p.add_argument("--warmstart", default=None, metavar="ENTRY",
                   help="a run folder without a checkpoint starts from this entry's weights (fresh optimizers; "
                        "its steps, CPU time and segments count in the card, the schedule continues from its "
                        "step count): e.g. zoo/cyclegan_apple2orange when its checkpoint is gone")
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data", default=None, help="the fruit_apple_orange folder (default: the data root)")
    p.add_argument("--out", default=str(HERE), help="entry folder to write (default: this folder)")
    p.add_argument("--run-dir", default=None,
                   help="checkpoints and progress (default ~/.cache/keras_gans/runs/cyclegan_apple2orange); "
                        "a run that finds a checkpoint there goes on from it")
    p.add_argument("--save-every", type=int, default=50, help="checkpoint every N steps")
    p.add_argument("--time-limit", type=float, default=None,
                   help="seconds: stop cleanly (checkpoint written) before then, and export the entry")
    recipe_utils.add_distribute_argument(p)
    recipe_utils.add_export_arguments(p)
    p.add_argument("--smoke", action="store_true",
                   help="2 steps at 64 px with a small model on 4 images per domain, to a temp folder")
    args = p.parse_args(argv)

    limit = None
    if args.smoke:
        args.image_size, args.n_blocks, args.filters, args.epochs, args.decay_epochs = 64, 2, 8, 1, 1
        args.out = tempfile.mkdtemp(prefix="cyclegan_smoke_")
        limit = 4
    if args.image_size % 4:
        raise SystemExit(f"--image-size must be a multiple of 4; got {args.image_size}.")
    if args.n_blocks is None:
        args.n_blocks = 9 if args.image_size >= 256 else 6
    if args.decay_epochs is None:
        args.decay_epochs = args.epochs // 2
    args.load_size = int(round(args.image_size * 286 / 256))

    keras.utils.set_random_seed(args.seed)
    folder = data_folder(args.data)
    a = load_domain(folder / "trainA", args.load_size, limit)
    b = load_domain(folder / "trainB", args.load_size, limit)
    args.n_a, args.n_b = len(a), len(b)
    # kg.data.unpaired's batches (random crop + flip; A shuffled per epoch, B at random),
    # from the arrays loaded above: batch i of epoch e depends only on (seed, e, i)
    data = Unpaired(a, b, args.image_size, args.batch_size, args.seed, flip=True, skipped=[])
    steps_per_epoch = args.steps_per_epoch = 2 if args.smoke else len(data)
    run = recipe_utils.run_dir("cyclegan_apple2orange", args.run_dir or (tempfile.mkdtemp() if args.smoke else None))
    init = recipe_utils.read_init(run)
    fresh = not kg.checkpoint.list_checkpoints(run / "backup")
    prior = init["steps"] if init else (int(kg.zoo.load_config(args.warmstart)["training"]["steps"])
                                        if args.warmstart and fresh else 0)
    total = args.epochs * steps_per_epoch
    if prior >= total:
        raise SystemExit(f"--warmstart {args.warmstart}: its {prior} steps already complete the {total} of "
                         f"--epochs {args.epochs}.")
    # the schedule of the whole training (prior steps included), in this run's optimizer steps
    constant = (args.epochs - args.decay_epochs) * steps_per_epoch - prior
    lr = LinearDecay(
        args.lr * min(1.0, 1.0 - (-constant) / max(1, args.decay_epochs * steps_per_epoch)) if constant < 0 else args.lr,
        constant_steps=max(0, constant),
        decay_steps=max(1, args.decay_epochs * steps_per_epoch + min(0, constant)),
    )
    scope, distributed = recipe_utils.distribution(args)
    with scope():  # tf.distribute: the game's variables live in the strategy
        model = build(args)
        model.compile(
            g_optimizer=keras.optimizers.Adam(lr, beta_1=0.5),
            d_optimizer=keras.optimizers.Adam(lr, beta_1=0.5),
        )

    if args.warmstart and fresh and not args.export_only:
        init = warm_start(model, args.warmstart, run)
    log = recipe_utils.RunLog(run)
    print(f"{args.n_a} apples, {args.n_b} oranges; {steps_per_epoch} steps/epoch x {args.epochs} epochs "
          f"at {args.image_size}px, n_blocks={args.n_blocks}, backend {keras.backend.backend()}; run folder {run}",
          flush=True)
    callbacks = recipe_utils.training_callbacks(run, args.save_every, args.time_limit, total_steps=total - prior)
    callbacks.append(kg.callbacks.StopAtStep(total - prior))  # the whole schedule: prior steps + this run's
    if args.export_only:
        hist = recipe_utils.restore_for_export(model, run)
        steps = int(keras.ops.convert_to_numpy(model.g_optimizer.iterations))
    else:
        epochs = -(-(total - prior) // steps_per_epoch)
        hist = log.fit(model, data, callbacks, distributed, epochs=epochs,
                       steps_per_epoch=steps_per_epoch)
        steps = int(keras.ops.convert_to_numpy(model.g_optimizer.iterations))
    steps += prior
    wall_s = log.wall_s + (init["wall_s"] if init else 0.0)
    print(f"at step {steps} ({steps / steps_per_epoch:.1f} epochs), {wall_s / 3600:.2f} h in all", flush=True)
    if args.no_export:
        return 0
    args.segments = (init["segments"] if init else []) + [
        {**s, "steps_from": s["steps_from"] + prior, "steps_to": s["steps_to"] + prior} for s in log.segments]
    args.init = init
    args.training_command = log.training_command()
    folder_out = save(model, args, hist.history, steps, wall_s)
    print(f"saved {folder_out}: {steps} steps", flush=True)
    if args.smoke:  # the saved entry loads and translates
        loaded = kg.zoo.load(folder_out) if hasattr(kg.zoo, "load") else model
        out = loaded.translate(a[:1, : args.image_size, : args.image_size], direction="a2b")
        assert out.shape == (1, args.image_size, args.image_size, 3) and out.dtype == np.uint8
        print(f"smoke OK: losses {({k: round(float(v[-1]), 3) for k, v in hist.history.items()})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
