"""``keras-gans generate MODEL -n 64 -o grid.png [--label 3] [--seed 0]``."""

import numpy as np

from keras_gans.images import make_grid


def _run(args):
    from keras_gans import zoo

    if args.n < 1:
        raise ValueError(f"-n must be at least 1; got {args.n}.")
    from keras_gans.cli import check_outputs

    check_outputs([args.output], args.overwrite)
    config = zoo.load_config(args.model)
    if config.get("kind") != "game":
        raise ValueError(
            f"{args.model!r} is a {config.get('kind', 'model')} entry ({config.get('task', 'no task')}), "
            "not a generator: `generate` needs a GAN entry."
        )
    model = zoo.load(args.model)
    conditional = hasattr(model, "num_classes")
    if args.label is not None and not conditional:
        raise ValueError(f"{args.model!r} is unconditional; --label needs a conditional entry.")
    if conditional:
        images = model.generate(args.n, labels=args.label, seed=args.seed)
    else:
        images = model.generate(args.n, seed=args.seed)
    value_range = tuple(config.get("preprocessing", {}).get("value_range", (-1.0, 1.0)))
    grid = make_grid(images, value_range, args.columns, args.padding)
    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover
        raise RuntimeError("writing PNG needs Pillow: pip install pillow") from e
    if args.scale > 1:
        grid = np.repeat(np.repeat(grid, args.scale, 0), args.scale, 1)
    from keras_gans.cli import save_image

    save_image(Image.fromarray(grid), args.output)
    print(f"wrote {args.output}: {args.n} samples, {grid.shape[1]}x{grid.shape[0]} px")
    return 0


def register(subparsers):
    p = subparsers.add_parser("generate", help="sample a zoo GAN into a PNG grid")
    p.add_argument("model", help="zoo entry name or path to an entry folder")
    p.add_argument("-n", type=int, default=64, help="number of samples (default 64)")
    p.add_argument("-o", "--output", default="grid.png", help="PNG file to write (default grid.png)")
    p.add_argument("--label", type=int, default=None, help="class of every sample (conditional entries)")
    p.add_argument("--seed", type=int, default=0, help="noise seed (default 0)")
    p.add_argument("--columns", type=int, default=None, help="grid columns (default ceil(sqrt(n)))")
    p.add_argument("--padding", type=int, default=2, help="pixels between cells (default 2)")
    p.add_argument("--scale", type=int, default=1, help="integer upscaling of the PNG (default 1)")
    from keras_gans.cli import add_overwrite_argument

    add_overwrite_argument(p)
    p.set_defaults(func=_run)
