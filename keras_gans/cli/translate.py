"""``keras-gans translate MODEL INPUT -o OUTPUT [--direction a2b|b2a] [--size N] [--tile T] [--mode authors|eval]``.

Image-to-image translation with a CycleGAN, a pix2pix model (or a bare
generator), on image files of any size, written at the input's own
resolution by default:

1. the image is read upright (EXIF), in 8 bits (16-bit scaled), grey kept
   grey, alpha kept aside;
2. by default it is reflect-padded to multiples of 4 (which the ResNet
   generator needs) and translated at its own resolution: images with a side
   over ``--tile`` pixels (default 512) layer by layer in tiles
   (``kg.streaming``: instance norms with whole-image statistics, the same
   result as the whole image at once, memory bounded by the tile: a
   12-megapixel photo fits in about 2 GB); with ``--size N`` it is resized
   instead so that its longer side is ``N`` pixels (aspect kept, multiples of
   4), translated, and resized back (Lanczos): faster, with N-pixel detail.
   A pix2pix model is translated at its U-Net's native size by default
   (``--size 256`` for unet_256, 128 for unet_128: sides must be multiples of
   that, and the authors resize to it), in ``--mode authors`` by default
   (batch statistics of the image and dropout, as the authors' test.py
   without --eval; ``--mode eval``: running statistics, no dropout,
   deterministic; CycleGAN's networks have neither, so both modes agree);
3. the result (with the alpha channel, a grey input as grey) is written.

A progress line (tiles done, ETA; file i of N for a folder) goes to stderr
for work that lasts over two seconds; ``--quiet`` silences it. MODEL is a zoo
entry name, folder or ``hf://owner/name`` (``keras_gans.zoo.load``), a
``.keras`` file, or ``official:NAME`` for the authors' converted generator
(``official:apple2orange``, ``official:edges2shoes``;
``official:pix2pix/sat2map`` where CycleGAN and pix2pix publish one name;
the table is ``kg.convert.official.FAMILIES``; the ``.pth`` must be in the
cache, ``--download`` fetches it). INPUT may be a folder: OUTPUT is then a
folder and every image is written there as PNG.
"""


def load_model(spec, unsafe_load=False, download=False):
    """A game (CycleGAN, Pix2Pix) or a generator from a zoo name/folder, a
    ``.keras`` file or ``official:NAME`` (``kg.convert.load_official``)."""
    spec = str(spec)
    if spec.startswith("official:"):
        from keras_gans.convert import load_official

        return load_official(spec.split(":", 1)[1], download=download)
    from keras_gans import zoo

    return zoo.load_any(spec, safe_mode=not unsafe_load)


def pick_generator(model, direction):
    """The generator translating in ``direction`` ("a2b" or "b2a")."""
    import keras

    if direction not in ("a2b", "b2a"):
        raise ValueError(f"--direction must be 'a2b' or 'b2a'; got {direction!r}.")
    if hasattr(model, "generator_for"):
        return model.generator_for(direction)
    if isinstance(model, keras.Model) and not hasattr(model, "game_step"):
        if direction != "a2b":
            raise ValueError(
                f"{model.name} is a single generator (one direction); --direction b2a needs a "
                "CycleGAN with both generators."
            )
        return model
    raise ValueError(
        f"translate needs a CycleGAN game or an image-to-image generator; got {type(model).__name__}."
    )


def default_size(model):
    """The ``--size`` a model is translated at by default: a Pix2Pix's
    ``image_size`` (its U-Net's native side), else 0 (the image's own
    resolution)."""
    return int(getattr(model, "image_size", None) or 0)


def default_mode(model):
    """The model's ``translate_mode`` (Pix2Pix: "authors"), else "eval"."""
    return getattr(model, "translate_mode", "eval")


def translate_file(generator, src, dst, size=0, tile="default", progress=None, mode="eval", seed=None):
    """Read ``src``, translate it (``size`` 0: at its own resolution, in
    tiles of ``tile`` when larger; ``mode``, ``seed``: see
    ``kg.cyclegan.translate``), write ``dst`` with the input's alpha, a grey
    input as grey; returns the (width, height)."""
    import numpy as np

    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover
        raise RuntimeError("translate reads and writes images with Pillow: pip install pillow") from e
    channels = None
    try:
        channels = generator.inputs[0].shape[-1]
    except (AttributeError, IndexError, TypeError):
        pass
    from keras_gans.cyclegan.translate import DEFAULT_TILE, translate_any_size
    from keras_gans.images import read_rgb

    tile = DEFAULT_TILE if tile == "default" else tile
    rgb, alpha, grey = read_rgb(src)  # upright (EXIF), 8-bit, RGB (+ alpha)
    arr = rgb if channels != 1 else np.asarray(Image.fromarray(rgb).convert("L"))[..., None]
    out = translate_any_size(generator, arr, size, tile=tile, progress=progress, mode=mode, seed=seed)
    img = Image.fromarray(out[..., 0] if out.shape[-1] == 1 else out)
    if grey and img.mode != "L":
        img = img.convert("L")
    if alpha is not None:  # the translation keeps the input's transparency
        img = img.convert("LA" if img.mode == "L" else "RGBA")
        img.putalpha(Image.fromarray(alpha))
    if img.mode in ("RGBA", "LA") and str(dst).lower().endswith((".jpg", ".jpeg")):
        img = img.convert("RGB" if img.mode == "RGBA" else "L")  # JPEG has no alpha
    from keras_gans.cli import save_image

    save_image(img, dst)
    return img.size


def _run(args):
    from keras_gans.cli import file_jobs

    jobs = file_jobs(args.input, args.output, "INPUT", args.overwrite)
    if args.size is not None and args.size < 0:
        raise ValueError(f"--size must be >= 0 (0 = the image's own resolution); got {args.size}.")
    if args.tile < 0:
        raise ValueError(f"--tile must be >= 0 (0 = no tiling); got {args.tile}.")
    model = load_model(args.model, args.unsafe_load, args.download)
    generator = pick_generator(model, args.direction)
    size = default_size(model) if args.size is None else args.size
    mode = args.mode or default_mode(model)
    from keras_gans.cli import run_jobs

    index = {src: k for k, (src, _) in enumerate(jobs)}

    def one(src, dst, progress):
        seed = None if args.seed is None else [args.seed, index[src]]  # each file its own dropout draw
        w, h = translate_file(generator, src, dst, size, args.tile or None, progress, mode, seed)
        return (f"{src} -> {dst} ({w}x{h}, {args.direction}, {f'at {size} px' if size else 'full size'}, "
                f"mode {mode})")

    return run_jobs(jobs, one, args.quiet)


def register(subparsers):
    p = subparsers.add_parser(
        "translate", help="image-to-image translation with a CycleGAN or pix2pix model (any image size)"
    )
    p.add_argument("model", help="zoo entry name/folder/hf://owner/name, .keras file, or official:NAME "
                                 "(e.g. official:apple2orange, official:edges2shoes, official:pix2pix/sat2map)")
    p.add_argument("input", help="image file (JPEG/PNG, any size) or folder")
    p.add_argument("-o", "--output", required=True, help="output image (or folder when INPUT is a folder)")
    p.add_argument("--direction", choices=("a2b", "b2a"), default="a2b",
                   help="a2b: generator_ab (e.g. apple -> orange), b2a: generator_ba (default a2b)")
    p.add_argument("--size", type=int, default=None,
                   help="0: translate at the image's own resolution (the default, but for pix2pix); N: at a "
                        "longer side of N pixels (faster, N-pixel detail), resized back to the input's size "
                        "(pix2pix's default: its U-Net's native size, 256 for unet_256)")
    p.add_argument("--tile", type=int, default=512,
                   help="full resolution: images with a side over T pixels are translated layer by layer in "
                        "T x T tiles, the same result as whole with memory bounded by the tile (default 512; "
                        "0: the whole image at once)")
    p.add_argument("--mode", choices=("authors", "eval"), default=None,
                   help="authors: training-mode batch statistics of each image and dropout (the authors' test.py "
                        "default; pix2pix's default here); eval: running statistics, no dropout (their --eval; "
                        "deterministic, tiles allowed)")
    p.add_argument("--seed", type=int, default=None,
                   help="authors mode: dropout masks from (seed, file index), repeatable on one backend "
                        "(default: fresh)")
    from keras_gans.cli.sr import _common, _download

    _common(p)
    _download(p)
    p.set_defaults(func=_run)
