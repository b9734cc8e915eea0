"""Folders of images (JPEG, PNG) -> one numpy array. Pillow is imported only here."""

import numpy as np

from keras_gans.images import list_images, open_image
from keras_gans.paths import dataset_path



def load_image_folder(
    path,
    size,
    value_range=(-1.0, 1.0),
    with_labels=False,
    limit=None,
    channels=3,
):
    """Load every image under ``path`` (recursively), centre-cropped to a
    square and resized to ``size`` x ``size`` (Lanczos; use it to downsample).

    Args:
        path: a folder, or a data set name under the data root (e.g.
            ``"flowers_ccby_128/images"``).
        size: output side in pixels.
        value_range: ``(lo, hi)`` for float32 output, or None for uint8.
        with_labels: also return int labels from the first sub-folder name
            (sorted class names, like an ImageFolder).
        limit: keep only ``limit`` files, evenly spread over the sorted list
            (so every class folder is represented), e.g. for quick tests.
        channels: 3 (RGB) or 1 (grey).

    Returns ``images`` of shape (n, size, size, channels), or
    ``(images, labels, class_names)`` when ``with_labels``.
    """
    from pathlib import Path

    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover
        raise ImportError("load_image_folder needs Pillow: pip install pillow") from e

    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3; got {channels!r}.")
    p = Path(path).expanduser()
    folder = p if p.is_dir() else dataset_path(str(path))
    files = list_images(folder, recursive=True)
    if limit is not None and int(limit) < len(files):
        keep = np.linspace(0, len(files) - 1, int(limit)).round().astype(int)
        files = [files[i] for i in keep]
    out = np.empty((len(files), size, size, channels), np.uint8)
    for i, f in enumerate(files):
        im = open_image(f).convert("RGB" if channels == 3 else "L")
        w, h = im.size
        s = min(w, h)
        left, top = (w - s) // 2, (h - s) // 2
        im = im.crop((left, top, left + s, top + s))
        if s != size:
            im = im.resize((size, size), Image.LANCZOS)
        a = np.asarray(im, np.uint8)
        out[i] = a if channels == 3 else a[..., None]
    images = out
    if value_range is not None:
        lo, hi = value_range
        images = out.astype("float32") / 255.0 * (hi - lo) + lo
    if not with_labels:
        return images
    rel = [f.relative_to(folder).parts for f in files]
    names = sorted({r[0] for r in rel if len(r) > 1})
    if not names:
        raise ValueError(f"with_labels=True needs one sub-folder per class under {folder}.")
    index = {n: i for i, n in enumerate(names)}
    labels = np.array([index.get(r[0], -1) if len(r) > 1 else -1 for r in rel], "int32")
    return images, labels, names
