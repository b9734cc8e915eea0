"""``keras-gans generate MODEL -n 64 -o grid.png [--label 3] [--seed 0]``."""

import math

import numpy as np


def grid_shape(n, columns=None):
    """(rows, columns) of the grid for ``n`` images."""
    cols = int(columns) if columns else int(math.ceil(math.sqrt(n)))
    return int(math.ceil(n / cols)), cols


def make_grid(images, value_range=(-1.0, 1.0), columns=None, padding=2):
    """Tile images (n, h, w, c) into one uint8 array with ``padding`` black
    pixels between and around the cells: height ``rows*h + (rows+1)*padding``."""
    images = np.asarray(images, np.float32)
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise ValueError(f"expected images of shape (n, h, w, 1 or 3); got {images.shape}.")
    lo, hi = value_range
    images = np.clip((images - lo) / (hi - lo), 0.0, 1.0)
    images = np.round(images * 255.0).astype(np.uint8)
    n, h, w, c = images.shape
    rows, cols = grid_shape(n, columns)
    grid = np.zeros((rows * h + (rows + 1) * padding, cols * w + (cols + 1) * padding, c), np.uint8)
    for i in range(n):
        r, k = divmod(i, cols)
        y, x = padding + r * (h + padding), padding + k * (w + padding)
        grid[y : y + h, x : x + w] = images[i]
    return grid[..., 0] if c == 1 else grid


def _run(args):
    from keras_gans import zoo

    if args.n < 1:
        raise ValueError(f"-n must be at least 1; got {args.n}.")
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
    from pathlib import Path

    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(grid).save(args.output)
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
    p.set_defaults(func=_run)
