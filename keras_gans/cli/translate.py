"""``keras-gans translate MODEL INPUT -o OUTPUT [--direction a2b|b2a] [--size N]``.

Image-to-image translation with a CycleGAN (or a bare generator), on JPEG/PNG
files of any size:

1. the image is resized so that its longer side is ``N`` pixels (aspect ratio
   kept; both sides rounded to multiples of 4, which the ResNet generator
   needs), or, with ``--size 0``, kept at its own size and reflect-padded to
   multiples of 4;
2. the generator translates it (uint8 -> [-1, 1] -> uint8);
3. the result is resized back (or cropped) to the original size and written.

``N`` defaults to the model's training size: the zoo entry's
``preprocessing.image_size``, else the CycleGAN's pool image size, else 256
(the paper's). MODEL is a zoo entry name or folder (``keras_gans.zoo.load``),
a ``.keras`` file, or ``official:NAME`` for the authors' converted
generator (e.g. ``official:apple2orange``; the ``.pth`` must be in the cache,
see ``kg.cyclegan.fetch_official_cyclegan``). INPUT may be a folder:
OUTPUT is then a folder and every image is written there as PNG.
"""

from pathlib import Path

DEFAULT_SIZE = 256


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


def default_size(model):
    """The model's training image size (a CycleGAN's pool image size), or
    ``DEFAULT_SIZE``."""
    shape = getattr(model, "image_shape", None)
    if shape:
        return int(max(shape[0][:2]))
    return DEFAULT_SIZE


def translate_file(generator, src, dst, size):
    """Read ``src``, translate it, write ``dst``; returns the (width, height)."""
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

    out = translate_any_size(generator, arr, size)
    img = Image.fromarray(out[..., 0] if out.shape[-1] == 1 else out)
    from keras_gans.cli import save_image

    save_image(img, dst)
    return img.size


def _run(args):
    from keras_gans.cli import file_jobs

    jobs = file_jobs(args.input, args.output, "INPUT", args.overwrite)
    if args.size is not None and args.size < 0:
        raise ValueError(f"--size must be >= 0 (0 = native size); got {args.size}.")
    model = load_model(args.model, args.unsafe_load)
    generator = pick_generator(model, args.direction)
    size = default_size(model) if args.size is None else args.size
    from keras_gans.cli import run_jobs

    def one(src, dst):
        w, h = translate_file(generator, src, dst, size)
        return f"{src} -> {dst} ({w}x{h}, {args.direction}, size {size or 'native'})"

    return run_jobs(jobs, one)


def register(subparsers):
    p = subparsers.add_parser(
        "translate", help="image-to-image translation with a CycleGAN (any image size)"
    )
    p.add_argument("model", help="zoo entry name/folder, .keras file, or official:NAME (e.g. official:apple2orange)")
    p.add_argument("input", help="image file (JPEG/PNG, any size) or folder")
    p.add_argument("-o", "--output", required=True, help="output image (or folder when INPUT is a folder)")
    p.add_argument("--direction", choices=("a2b", "b2a"), default="a2b",
                   help="a2b: generator_ab (e.g. apple -> orange), b2a: generator_ba (default a2b)")
    p.add_argument("--size", type=int, default=None,
                   help="longer side the image is translated at (multiples of 4; default: the model's "
                        "training size, else 256); 0 = native size, reflect-padded to multiples of 4")
    from keras_gans.cli.sr import _common

    _common(p)
    p.set_defaults(func=_run)
