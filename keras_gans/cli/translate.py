"""``keras-gans translate MODEL INPUT -o OUTPUT [--direction a2b|b2a] [--size N] [--tile T]``.

Image-to-image translation with a CycleGAN (or a bare generator), on image
files of any size, written at the input's own resolution by default:

1. the image is read upright (EXIF), in 8 bits (16-bit scaled), grey kept
   grey, alpha kept aside;
2. by default it is reflect-padded to multiples of 4 (which the ResNet
   generator needs) and translated at its own resolution: images with a side
   over ``--tile`` pixels (default 512) layer by layer in tiles
   (``kg.streaming``: instance norms with whole-image statistics, the same
   result as the whole image at once, memory bounded by the tile: a
   12-megapixel photo fits in about 2 GB); with ``--size N`` it is resized
   instead so that its longer side is ``N`` pixels (aspect kept, multiples of
   4), translated, and resized back (Lanczos): faster, with N-pixel detail;
3. the result (with the alpha channel, a grey input as grey) is written.

A progress line (tiles done, ETA; file i of N for a folder) goes to stderr
for work that lasts over two seconds; ``--quiet`` silences it. MODEL is a zoo
entry name, folder or ``hf://owner/name`` (``keras_gans.zoo.load``), a
``.keras`` file, or ``official:NAME`` for the authors' converted generator
(e.g. ``official:apple2orange``; the ``.pth`` must be in the cache, see
``kg.cyclegan.fetch_official_cyclegan``). INPUT may be a folder: OUTPUT is
then a folder and every image is written there as PNG.
"""


def load_model(spec, unsafe_load=False):
    """A CycleGAN game or a generator from a zoo name/folder, a ``.keras``
    file or ``official:NAME``."""
    spec = str(spec)
    if spec.startswith("official:"):
        from keras_gans.cyclegan import load_official_cyclegan

        return load_official_cyclegan(spec.split(":", 1)[1])
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


def translate_file(generator, src, dst, size=0, tile="default", progress=None):
    """Read ``src``, translate it (``size`` 0: at its own resolution, in
    tiles of ``tile`` when larger; see the module docstring), write ``dst``
    with the input's alpha, a grey input as grey; returns the (width, height)."""
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
    out = translate_any_size(generator, arr, size, tile=tile, progress=progress)
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
    if args.size < 0:
        raise ValueError(f"--size must be >= 0 (0 = the image's own resolution); got {args.size}.")
    if args.tile < 0:
        raise ValueError(f"--tile must be >= 0 (0 = no tiling); got {args.tile}.")
    model = load_model(args.model, args.unsafe_load)
    generator = pick_generator(model, args.direction)
    from keras_gans.cli import run_jobs

    def one(src, dst, progress):
        w, h = translate_file(generator, src, dst, args.size, args.tile or None, progress)
        return f"{src} -> {dst} ({w}x{h}, {args.direction}, {f'at {args.size} px' if args.size else 'full size'})"

    return run_jobs(jobs, one, args.quiet)


def register(subparsers):
    p = subparsers.add_parser(
        "translate", help="image-to-image translation with a CycleGAN (any image size)"
    )
    p.add_argument("model", help="zoo entry name/folder/hf://owner/name, .keras file, or official:NAME "
                                 "(e.g. official:apple2orange)")
    p.add_argument("input", help="image file (JPEG/PNG, any size) or folder")
    p.add_argument("-o", "--output", required=True, help="output image (or folder when INPUT is a folder)")
    p.add_argument("--direction", choices=("a2b", "b2a"), default="a2b",
                   help="a2b: generator_ab (e.g. apple -> orange), b2a: generator_ba (default a2b)")
    p.add_argument("--size", type=int, default=0,
                   help="0 (default): translate at the image's own resolution; N: at a longer side of N "
                        "pixels (faster, N-pixel detail), resized back to the input's size")
    p.add_argument("--tile", type=int, default=512,
                   help="full resolution: images with a side over T pixels are translated layer by layer in "
                        "T x T tiles, the same result as whole with memory bounded by the tile (default 512; "
                        "0: the whole image at once)")
    from keras_gans.cli.sr import _common

    _common(p)
    p.set_defaults(func=_run)
