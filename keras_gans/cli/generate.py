"""``keras-gans generate MODEL -n 64 -o grid.png [--label 3] [--seed 0]``."""

import numpy as np

from keras_gans.images import make_grid


def load_generator(name):
    """``(game, config)`` of a GAN zoo entry; any other entry is an error
    naming what it is."""
    from keras_gans import zoo

    config = zoo.load_config(name)
    if config.get("kind") != "game":
        raise ValueError(
            f"{name!r} is a {config.get('kind', 'model')} entry ({config.get('task', 'no task')}), "
            "not a generator: `generate` needs a GAN entry."
        )
    return zoo.load(name), config


def generate_file(model, config, dst, n, label=None, seed=0, columns=None, padding=2, scale=1):
    """Sample ``n`` images (``label``: the class of each, conditional entries
    only) with noise ``seed``, tile them into a grid and write it to ``dst``;
    returns the grid's (width, height)."""
    if n < 1:
        raise ValueError(f"-n must be at least 1; got {n}.")
    conditional = hasattr(model, "num_classes")
    if label is not None and not conditional:
        raise ValueError(f"{config.get('name', 'this entry')!r} is unconditional; --label needs a conditional entry.")
    if conditional:
        images = model.generate(n, labels=label, seed=seed)
    else:
        images = model.generate(n, seed=seed)
    value_range = tuple(config.get("preprocessing", {}).get("value_range", (-1.0, 1.0)))
    grid = make_grid(images, value_range, columns, padding)
    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover
        raise RuntimeError("writing PNG needs Pillow: pip install pillow") from e
    if scale > 1:
        grid = np.repeat(np.repeat(grid, scale, 0), scale, 1)
    from keras_gans.cli import save_image

    save_image(Image.fromarray(grid), dst)
    return grid.shape[1], grid.shape[0]


def _run(args):
    if args.n < 1:
        raise ValueError(f"-n must be at least 1; got {args.n}.")
    from keras_gans.cli import check_outputs

    check_outputs([args.output], args.overwrite)
    model, config = load_generator(args.model)
    w, h = generate_file(model, config, args.output, args.n, args.label, args.seed, args.columns,
                         args.padding, args.scale)
    print(f"wrote {args.output}: {args.n} samples, {w}x{h} px")
    return 0


def register(subparsers):
    p = subparsers.add_parser("generate", help="sample a zoo GAN into a PNG grid")
    p.add_argument("model", help="zoo entry name, path to an entry folder, or hf://owner/name")
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
