"""Super-resolution sub-commands.

    keras-gans upscale MODEL IN -o OUT [--tile 192] [--overlap N] [--outscale F]
    keras-gans evaluate-sr MODEL --data ../shared/data/Set5 [--scale 4] [--json out.json]

MODEL is a zoo entry name, entry folder or ``hf://owner/name`` (``keras_gans.zoo.load``), a
``.keras`` file (``keras.saving.load_model``), ``official:NAME`` for a
published ESRGAN / Real-ESRGAN checkpoint converted on the fly
(``kg.esrgan.load_official``: from the cache, or fetched with
``--download``), or, for ``evaluate-sr``, ``bicubic`` for the baseline
alone. The model is an SRGAN game or a bare generator (LR in [0, 1] -> HR in
[-1, 1]).
"""

import json
from pathlib import Path

#: tile side in LR pixels of ``keras-gans upscale`` (and of ``keras-gans serve``'s upscale page)
DEFAULT_TILE = 192


def load_model(spec, unsafe_load=False, download=False):
    """An SRGAN game or generator from a zoo name/folder, a ``.keras`` file
    or ``official:NAME``."""
    spec = str(spec)
    if spec.startswith("official:"):
        from keras_gans.esrgan import load_official

        return load_official(spec.split(":", 1)[1], download=download)
    from keras_gans import zoo

    return zoo.load_any(spec, safe_mode=not unsafe_load)


def _upscaler(model, tile, overlap):
    from keras_gans.srgan.upscale import as_upscaler

    return as_upscaler(model, tile=tile, overlap=overlap)


def upscale_file(upscaler, src, dst, progress=None, outscale=None):
    """Read ``src``, super-resolve it, write ``dst``; returns (in size, out size).

    ``outscale``: resize the result (Lanczos) to ``outscale`` times the
    input's size (sides truncated to ints, as Real-ESRGAN's ``--outscale``),
    e.g. 3.5 with a x4 model; None keeps the model's factor."""
    from PIL import Image

    from keras_gans.images import read_rgb

    rgb, alpha, grey = read_rgb(src)  # upright (EXIF), 8-bit, RGB (+ alpha)
    out = upscaler(rgb, progress=progress)
    img = Image.fromarray(out)
    if grey:
        img = img.convert("L")
    if alpha is not None:  # alpha is not super-resolved: bicubic
        img = img.convert("RGBA" if not grey else "LA")
        img.putalpha(Image.fromarray(alpha).resize(img.size, Image.BICUBIC))
    if outscale is not None:
        size = (int(rgb.shape[1] * outscale), int(rgb.shape[0] * outscale))
        if size != img.size:
            img = img.resize(size, Image.LANCZOS)
    if img.mode in ("RGBA", "LA") and str(dst).lower().endswith((".jpg", ".jpeg")):
        img = img.convert("RGB" if img.mode == "RGBA" else "L")  # JPEG has no alpha
    from keras_gans.cli import save_image

    save_image(img, dst)
    return rgb.shape[1::-1], img.size


def _run_upscale(args):
    from keras_gans.cli import file_jobs

    jobs = file_jobs(args.input, args.output, "IN", args.overwrite)
    if args.tile is not None and args.tile < 0:
        raise ValueError(f"--tile must be >= 0 (0 = no tiling); got {args.tile}.")
    if args.outscale is not None and not args.outscale > 0:
        raise ValueError(f"--outscale must be > 0; got {args.outscale}.")
    tile = args.tile or None
    model = load_model(args.model, args.unsafe_load, args.download)
    up = _upscaler(model, tile, args.overlap)
    from keras_gans.cli import run_jobs

    def one(src, dst, progress):
        a, b = upscale_file(up, src, dst, progress, args.outscale)
        return f"{src} {a[0]}x{a[1]} -> {dst} {b[0]}x{b[1]}"

    return run_jobs(jobs, one, args.quiet)


def _run_evaluate(args):
    from keras_gans.srgan import benchmark as sr_eval

    tile = args.tile or None
    if args.json:
        from keras_gans.cli import check_outputs

        check_outputs([Path(args.json)], args.overwrite)
    if args.model.lower() == "bicubic":
        model, name = None, "bicubic"
    else:
        model, name = load_model(args.model, args.unsafe_load, args.download), Path(str(args.model)).stem
    result = sr_eval.evaluate(model, args.data, scale=args.scale, tile=tile, limit=args.limit)
    print(sr_eval.format_table(result, model_name=name[:12]))
    if args.json:
        from keras_gans.files import atomic_write_text

        atomic_write_text(Path(args.json), json.dumps(result, indent=2))
        print(f"wrote {args.json}")
    return 0


def register(subparsers):
    p = subparsers.add_parser("upscale", help="super-resolve an image (or a folder of images)")
    p.add_argument("model", help="zoo entry name/folder/hf://owner/name or .keras file of an SRGAN game or "
                                 "generator, or official:NAME (e.g. official:realesrgan_x4plus; names: "
                                 "kg.esrgan.OFFICIAL_MODELS)")
    p.add_argument("input", help="image file or folder")
    p.add_argument("-o", "--output", required=True, help="output file (or folder when IN is a folder)")
    p.add_argument("--tile", type=int, default=DEFAULT_TILE,
                   help="images with a side over T LR pixels run layer by layer in T x T tiles (kg.streaming): "
                        "the same result as the whole image, memory bounded by the tile whatever the model's "
                        "receptive field (RRDBNet's is 349 px) (default 192; 0 = whole image at once)")
    p.add_argument("--overlap", type=int, default=None,
                   help="instead of exact streaming: overlapping windows of tile + 2 x N LR pixels whose rims "
                        "are dropped (exact from the model's receptive radius up, small differences near tile "
                        "borders below it; RRDBNet x4 needs about 35 KB per window pixel)")
    p.add_argument("--outscale", type=float, default=None,
                   help="resize the result (Lanczos) to this factor of the input size, e.g. 2 with a x4 model "
                        "(default: the model's factor)")
    _common(p)
    _download(p)
    p.set_defaults(func=_run_upscale)

    e = subparsers.add_parser("evaluate-sr", help="PSNR/SSIM (Y, shaved) vs bicubic on Set5/Set14/BSD100")
    e.add_argument("model", help="zoo entry name/folder/hf://owner/name, .keras file, official:NAME, or "
                                 "'bicubic' for the baseline only")
    e.add_argument("--data", required=True, help="data set folder, e.g. ../shared/data/Set5")
    e.add_argument("--scale", type=int, default=4, help="SR factor (default 4)")
    e.add_argument("--tile", type=int, default=256, help="tile side in LR pixels (default 256; 0 = whole)")
    e.add_argument("--limit", type=int, default=None, help="only the first N images")
    e.add_argument("--json", default=None, help="also write the full result as JSON")
    _common(e)
    _download(e)
    e.set_defaults(func=_run_evaluate)


def _common(parser):
    from keras_gans.cli import add_overwrite_argument

    add_overwrite_argument(parser)
    parser.add_argument("--unsafe-load", action="store_true",
                        help="load a .keras file with Keras' safe mode off (it may run code stored "
                             "in the file: Lambda layers); only for files you trust")


def _download(parser):
    parser.add_argument("--download", action="store_true",
                        help="official:NAME only: download the authors' file when it is not cached (default: "
                             "fail at once, naming the URL and where to place the file)")
