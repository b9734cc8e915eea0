"""``keras-gans translate MODEL INPUT -o OUTPUT [--direction a2b|b2a] [--size N] [--mode authors|eval]``.

Image-to-image translation with a CycleGAN, a pix2pix model (or a bare
generator), on JPEG/PNG files of any size:

1. the image is resized so that its longer side is ``N`` pixels (aspect ratio
   kept; both sides rounded to multiples of what the generator needs: 4 for
   the ResNet generator, ``2**num_downs`` for the U-Net), or, with
   ``--size 0``, kept at its own size and reflect-padded to such multiples;
2. the generator translates it (uint8 -> [-1, 1] -> uint8), in ``--mode``:
   "authors" (the default for pix2pix: batch statistics of the image and
   dropout, as the authors' test.py without --eval) or "eval" (running
   statistics, no dropout; the default for the others, whose networks have
   neither, so both modes agree);
3. the result is resized back (or cropped) to the original size and written.

``N`` defaults to the model's training size: the CycleGAN's pool image size,
or the U-Net's native size (256 for unet_256), else 256 (the paper's). MODEL
is a zoo entry name or folder (``keras_gans.zoo.load``), a ``.keras`` file,
or ``official:NAME`` for the authors' converted generator
(``official:apple2orange``, ``official:edges2shoes``;
``official:pix2pix/sat2map`` where CycleGAN and pix2pix publish one name;
the table is ``kg.convert.official.FAMILIES``; the ``.pth`` must be in the
cache, ``--download`` fetches it). INPUT may be a folder: OUTPUT is then a
folder and every image is written there as PNG.
"""

from pathlib import Path

DEFAULT_SIZE = 256


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
    """The model's training image size (a CycleGAN's pool image size, a
    Pix2Pix's ``image_size``), or ``DEFAULT_SIZE``."""
    shape = getattr(model, "image_shape", None)
    if shape:
        return int(max(shape[0][:2]))
    return int(getattr(model, "image_size", None) or DEFAULT_SIZE)


def default_mode(model):
    """The model's ``translate_mode`` (Pix2Pix: "authors"), else "eval"."""
    return getattr(model, "translate_mode", "eval")


def translate_file(generator, src, dst, size, mode="eval", seed=None):
    """Read ``src``, translate it (``mode``, ``seed``: see
    ``kg.cyclegan.translate``), write ``dst``; returns the (width, height)."""
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
    from keras_gans.images import open_image

    arr = np.asarray(open_image(src).convert("L" if channels == 1 else "RGB"), np.uint8)  # upright, 8-bit
    if arr.ndim == 2:
        arr = arr[..., None]
    from keras_gans.cyclegan.translate import translate_any_size

    out = translate_any_size(generator, arr, size, mode=mode, seed=seed)
    img = Image.fromarray(out[..., 0] if out.shape[-1] == 1 else out)
    from keras_gans.cli import save_image

    save_image(img, dst)
    return img.size


def _run(args):
    from keras_gans.cli import file_jobs

    jobs = file_jobs(args.input, args.output, "INPUT", args.overwrite)
    if args.size is not None and args.size < 0:
        raise ValueError(f"--size must be >= 0 (0 = native size); got {args.size}.")
    model = load_model(args.model, args.unsafe_load, args.download)
    generator = pick_generator(model, args.direction)
    size = default_size(model) if args.size is None else args.size
    mode = args.mode or default_mode(model)
    from keras_gans.cli import run_jobs

    index = {src: k for k, (src, _) in enumerate(jobs)}

    def one(src, dst):
        seed = None if args.seed is None else [args.seed, index[src]]  # each file its own dropout draw
        w, h = translate_file(generator, src, dst, size, mode, seed)
        return f"{src} -> {dst} ({w}x{h}, {args.direction}, size {size or 'native'}, mode {mode})"

    return run_jobs(jobs, one)


def register(subparsers):
    p = subparsers.add_parser(
        "translate", help="image-to-image translation with a CycleGAN or pix2pix model (any image size)"
    )
    p.add_argument("model", help="zoo entry name/folder, .keras file, or official:NAME (e.g. official:apple2orange, "
                                 "official:edges2shoes, official:pix2pix/sat2map)")
    p.add_argument("input", help="image file (JPEG/PNG, any size) or folder")
    p.add_argument("-o", "--output", required=True, help="output image (or folder when INPUT is a folder)")
    p.add_argument("--direction", choices=("a2b", "b2a"), default="a2b",
                   help="a2b: generator_ab (e.g. apple -> orange), b2a: generator_ba (default a2b)")
    p.add_argument("--size", type=int, default=None,
                   help="longer side the image is translated at (multiples of 4; default: the model's "
                        "training size, else 256); 0 = native size, reflect-padded to multiples of 4 "
                        "(of 2**num_downs for a U-Net)")
    p.add_argument("--mode", choices=("authors", "eval"), default=None,
                   help="authors: training-mode batch statistics of each image and dropout (the authors' test.py "
                        "default; pix2pix's default here); eval: running statistics, no dropout (their --eval; "
                        "deterministic)")
    p.add_argument("--seed", type=int, default=None,
                   help="authors mode: dropout masks from (seed, file index), repeatable on one backend "
                        "(default: fresh)")
    p.add_argument("--download", action="store_true",
                   help="official:NAME: fetch the authors' .pth into the cache when it is missing")
    from keras_gans.cli.sr import _common

    _common(p)
    p.set_defaults(func=_run)
