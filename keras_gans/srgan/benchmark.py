"""Super-resolution benchmark evaluation (Set5, Set14, BSD100, or any folder).

    from keras_gans.srgan import benchmark as sr_eval
    result = sr_eval.evaluate(model, "../shared/data/Set5", scale=4)
    result["mean"]["bicubic"], result["mean"]["model"]   # {"psnr": dB, "ssim", "gradient_ratio", "hf_ratio"}
    print(sr_eval.format_table(result))

Layout read: ``DIR/image_SRF_<scale>/img_NNN_SRF_<scale>_HR.png`` with the
matching ``..._LR.png`` (the SelfExSR packaging of Set5/Set14/BSD100), or
``DIR`` itself holding such files, or a flat folder of HR images. The data
set's own LR images are used where present; otherwise LR is made by PIL
bicubic downscaling of the HR image (``result["lr_source"]`` says which).
HR is cropped (top-left) to a multiple of ``scale``. A grayscale image
(Set14's img_003) is fed to the model as RGB (R = G = B), and compared on its
own grey values, as the papers' MATLAB code does: the model's (and bicubic's)
RGB output is brought to one channel by the mean of R, G and B (the grey value
itself when R = G = B), and no Y mapping is applied to either side.

Metrics: ``keras_gans.metrics.image_quality`` -- PSNR and SSIM on the BT.601 Y
channel, ``scale`` pixels shaved at each border, on uint8 images (model
outputs are rounded to uint8 first, as when saved to PNG). The bicubic
baseline is PIL's bicubic upscaling (a = -0.5, as MATLAB's ``imresize``) of
the LR file.
"""

import re
from pathlib import Path

import numpy as np

from keras_gans.images import is_image_file, read_rgb
from keras_gans.metrics.image_quality import gradient_ratio, grid_ratio, high_frequency_ratio, psnr, ssim
from keras_gans.srgan.upscale import as_upscaler

MEASURES = {"psnr": psnr, "ssim": ssim, "gradient_ratio": gradient_ratio, "hf_ratio": high_frequency_ratio,
            # NaN for an image too small for its spectrum, left out of the means
            "grid_ratio": lambda sr, hr, scale: grid_ratio(sr, hr, scale, too_small="nan")}


def _mean(values):
    """Mean over the images that have the measure (NaN where none has)."""
    kept = [v for v in values if not np.isnan(v)]
    return float(np.mean(kept)) if kept else float("nan")


# Ledig et al. 2017, Table 2 (x4; PSNR dB / SSIM).
PAPER_TABLE2 = {
    "Set5": {"bicubic": (28.43, 0.8211), "SRResNet": (32.05, 0.9019), "SRGAN": (29.40, 0.8472)},
    "Set14": {"bicubic": (25.99, 0.7486), "SRResNet": (28.49, 0.8184), "SRGAN": (26.02, 0.7397)},
    "BSD100": {"bicubic": (25.94, 0.6935), "SRResNet": (27.58, 0.7620), "SRGAN": (25.16, 0.6688)},
}
_ALIASES = {"set5": "Set5", "set14": "Set14", "bsd100": "BSD100", "b100": "BSD100"}


def _pil():
    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover
        raise ImportError("SR evaluation reads images with Pillow: pip install pillow") from e
    return Image


def load_image(path):
    """``(uint8 RGB (H, W, 3), is_grey)`` of an image file, read by
    ``kg.images.read_rgb`` (upright, 8-bit): a grey file (L, 16-bit grey,
    1-bit, a palette of greys) comes back as R = G = B with ``is_grey``."""
    rgb, _, grey = read_rgb(path)
    return rgb, grey


def comparable(image, grey):
    """What the metrics compare: the RGB image itself, or for a grey ground
    truth the mean of R, G and B (float, 0-255 scale)."""
    a = np.asarray(image)
    return a.astype(np.float64).mean(axis=-1) if grey else a


def bicubic_resize(image, size):
    """PIL bicubic resize of a uint8 image to ``size = (height, width)``."""
    Image = _pil()
    h, w = size
    return np.asarray(Image.fromarray(np.asarray(image, np.uint8)).resize((w, h), Image.BICUBIC), np.uint8)


def dataset_name(folder):
    """"Set5", "Set14", "BSD100" from the folder (or its parent) name, else the folder's name."""
    p = Path(folder).resolve()
    for part in (p.name, p.parent.name):
        if part.lower() in _ALIASES:
            return _ALIASES[part.lower()]
    return p.name


def find_pairs(data_dir, scale=4):
    """``[(name, hr_path, lr_path or None)]`` sorted by name."""
    root = Path(data_dir).expanduser()
    if not root.is_dir():
        raise FileNotFoundError(
            f"SR data folder {root} does not exist. Expected e.g. ../shared/data/Set5 holding "
            f"image_SRF_{scale}/img_001_SRF_{scale}_HR.png (+ _LR.png), or a folder of HR images."
        )
    sub = root / f"image_SRF_{scale}"
    folder = sub if sub.is_dir() else root
    files = sorted(f for f in folder.iterdir() if f.is_file() and is_image_file(f))
    pattern = re.compile(rf"^(.*)_SRF_{scale}_HR$")
    pairs = []
    packaged = [f for f in files if pattern.match(f.stem)]
    if packaged:
        for f in packaged:
            stem = pattern.match(f.stem).group(1)
            lr = f.with_name(f"{stem}_SRF_{scale}_LR{f.suffix}")
            pairs.append((stem, f, lr if lr.is_file() else None))
    else:
        others = [f for f in files if not re.search(r"_SRF_\d+_(HR|LR)$", f.stem)]
        pairs = [(f.stem, f, None) for f in others]
    if not pairs:
        other = sorted(p.name for p in root.glob("image_SRF_*"))
        hint = f" It has {', '.join(other)}; pass the matching --scale." if other else ""
        raise FileNotFoundError(f"No HR images for x{scale} under {folder}.{hint}")
    return pairs


def evaluate(model=None, data_dir=None, scale=4, tile=None, overlap=None, limit=None, progress=None):
    """PSNR/SSIM of bicubic upscaling and (when given) of ``model`` on a data set.

    Args:
        model: an SRGAN game (its ``upscale`` is used), a keras generator
            (LR [0, 1] -> HR [-1, 1]), a callable uint8 LR -> uint8 SR, or
            None for the bicubic baseline only.
        data_dir: the data set folder (e.g. ``../shared/data/Set5``).
        scale: the SR factor (4 for the paper's table).
        tile, overlap: passed to ``upscale``.
        limit: evaluate only the first ``limit`` images.
        progress: optional callable(name) called before each image.

    Returns a dict: ``dataset``, ``scale``, ``lr_source`` ("dataset" or
    "bicubic-downscaled HR (PIL)", or "mixed"), ``images`` (per image:
    ``name``, ``hr_size``, ``bicubic`` and ``model`` {psnr, ssim, gradient_ratio,
    hf_ratio, grid_ratio}: ``keras_gans.metrics``), ``mean``
    ({"bicubic": {...}, "model": {...}}) and ``paper`` (Table 2's figures for
    this data set, or None).
    """
    if data_dir is None:
        raise ValueError("evaluate needs data_dir, e.g. '../shared/data/Set5'.")
    if isinstance(scale, bool) or not isinstance(scale, int) or scale < 2:
        raise ValueError(f"scale must be an int >= 2; got {scale!r}.")
    upscaler = as_upscaler(model, tile, overlap)
    pairs = find_pairs(data_dir, scale)
    n_total = len(pairs)
    if limit is not None:
        pairs = pairs[: int(limit)]
    rows, sources = [], set()
    for name, hr_path, lr_path in pairs:
        if progress:
            progress(name)
        hr, grey = load_image(hr_path)
        if lr_path is not None:
            lr = load_image(lr_path)[0]
            sources.add("dataset")
            h, w = lr.shape[0] * scale, lr.shape[1] * scale
            if h > hr.shape[0] or w > hr.shape[1]:
                raise ValueError(
                    f"{lr_path.name}: LR {lr.shape[:2]} x{scale} is larger than HR {hr.shape[:2]} "
                    f"({hr_path.name}); wrong --scale?"
                )
            hr = hr[:h, :w]
        else:
            h, w = hr.shape[0] - hr.shape[0] % scale, hr.shape[1] - hr.shape[1] % scale
            hr = hr[:h, :w]
            lr = bicubic_resize(hr, (h // scale, w // scale))
            sources.add("bicubic-downscaled HR (PIL)")
        row = {"name": name, "hr_size": [int(h), int(w)], "grey": grey}
        bic = bicubic_resize(lr, (h, w))
        ref = comparable(hr, grey)
        row["bicubic"] = {m: f(comparable(bic, grey), ref, scale) for m, f in MEASURES.items()}
        if upscaler is not None:
            sr = np.asarray(upscaler(lr))
            if sr.dtype != np.uint8:
                raise TypeError(f"the model's upscaler returned {sr.dtype}; expected uint8.")
            if sr.shape != hr.shape:
                raise ValueError(
                    f"{name}: the model produced {sr.shape} from LR {lr.shape}; expected {hr.shape} (x{scale})."
                )
            row["model"] = {m: f(comparable(sr, grey), ref, scale) for m, f in MEASURES.items()}
        rows.append(row)
    mean = {}
    for key in ("bicubic", "model"):
        vals = [r[key] for r in rows if key in r]
        if vals:
            mean[key] = {m: _mean([v[m] for v in vals]) for m in MEASURES}
    ds = dataset_name(data_dir)
    return {
        "dataset": ds,
        "scale": scale,
        "lr_source": sources.pop() if len(sources) == 1 else "mixed",
        "images": rows,
        "n_total": n_total,
        "mean": mean,
        "paper": PAPER_TABLE2.get(ds) if scale == 4 else None,
    }


def format_table(result, model_name="model"):
    """The result as a text table: per image and mean, bicubic and model,
    with the paper's Table 2 figures for the data set (x4) beside ours."""
    has_model = "model" in result["mean"]
    head = f"{'image':<16}{'HR HxW':>11}  {'bicubic PSNR/SSIM':>19}"
    if has_model:
        head += f"  {model_name + ' PSNR/SSIM':>22}"
    lines = [
        f"{result['dataset']} x{result['scale']}  (LR: {result['lr_source']}; Y channel, "
        f"{result['scale']} px border shaved)",
        head,
        "-" * len(head),
    ]

    def cell(d, width):
        return f"{d['psnr']:>8.2f} / {d['ssim']:.4f}".rjust(width)

    for r in result["images"]:
        line = f"{r['name']:<16}{'x'.join(map(str, r['hr_size'])):>11}  {cell(r['bicubic'], 19)}"
        if has_model:
            line += f"  {cell(r['model'], 22)}"
        lines.append(line)
    lines.append("-" * len(head))
    line = f"{'mean':<16}{len(result['images']):>10}i  {cell(result['mean']['bicubic'], 19)}"
    if has_model:
        line += f"  {cell(result['mean']['model'], 22)}"
    lines.append(line)
    greys = [r["name"] for r in result["images"] if r.get("grey")]
    lines.append(
        "PSNR/SSIM on the BT.601 Y of colour images"
        + (f"; grey images ({', '.join(greys)}) on their own values, the output averaged over R, G, B "
           "(as the papers' MATLAB code)" if greys else "")
        + "."
    )
    paper = result.get("paper")
    if paper:
        lines.append("")
        lines.append(f"Ledig et al. 2017, Table 2 ({result['dataset']} x4):")
        if len(result["images"]) < result.get("n_total", len(result["images"])):
            lines.append(
                f"  (our means cover {len(result['images'])} of {result['n_total']} images: "
                "not comparable with the paper's)"
            )
        for method, (p, s) in paper.items():
            ours = ""
            if method == "bicubic":
                ours = f"   (ours: {result['mean']['bicubic']['psnr']:.2f} / {result['mean']['bicubic']['ssim']:.4f})"
            lines.append(f"  {method:<10}{p:>8.2f} / {s:.4f}{ours}")
        if has_model:
            m = result["mean"]["model"]
            lines.append(f"  {model_name:<10}{m['psnr']:>8.2f} / {m['ssim']:.4f}   (ours)")
    return "\n".join(lines)
