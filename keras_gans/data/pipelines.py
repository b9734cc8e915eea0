"""Folders of images -> batches for ``fit``, on every backend.

- ``image_folder(path, image_size)``: one folder (optionally one sub-folder
  per class, giving labels) -> ``(images,)`` or ``(images, labels)`` batches
  for the GAN games;
- ``unpaired(dir_a, dir_b, image_size)``: the trainA/trainB layout ->
  ``(images_a, images_b)`` batches for ``CycleGAN``;
- ``paired(path, image_size=256)``: aligned pairs (A|B side by side in one
  image, or two folders of matching file names) -> ``(inputs, targets)``
  batches for ``Pix2Pix``;
- ``sr_pairs(hr_dir, scale, patch_size)``: high-resolution images ->
  ``(low_res, high_res)`` patch pairs for ``SRGAN``.

Each is a ``keras.utils.PyDataset`` of uint8 batches (the games map 0..255
to their range): ``fit`` takes it on TensorFlow, JAX and PyTorch, decodes in
background workers with ``workers=N`` (Keras' PyDataset arguments pass
through), and batch ``i`` of epoch ``e`` depends only on ``(seed, e, i)``
(``set_epoch``), so ``kg.callbacks.BackupAndRestore`` resumes a killed run
on exactly the batches it would have seen.

Files are decoded once, up front, by ``kg.images.open_image`` (EXIF rotation
honoured; 16-bit, float, palette, grey, CMYK and RGBA converted to 8-bit RGB);
an empty, truncated or non-image file is skipped with one warning naming the
skipped files (``.skipped`` lists them); a folder with no usable image is an
error naming the folder and the endings looked for.
"""

import warnings
from pathlib import Path

import keras
import numpy as np

from keras_gans.images import IMAGE_EXTENSIONS, ImageReadError, list_images, open_image


def read_folder(folder, recursive=False, min_side=None):
    """``(arrays, files, skipped)``: every readable image of ``folder`` as
    uint8 RGB ``(h, w, 3)``, the files they came from, and the skipped
    files (unreadable, or smaller than ``min_side``), warned about once."""
    folder = Path(folder).expanduser()
    files = list_images(folder, recursive=recursive)
    arrays, kept, skipped = [], [], []
    for f in files:
        try:
            a = np.asarray(open_image(f).convert("RGB"), np.uint8)
        except ImageReadError as e:
            skipped.append((f, str(e)))
            continue
        if min_side and min(a.shape[:2]) < min_side:
            skipped.append((f, f"{f}: {a.shape[1]}x{a.shape[0]} is smaller than {min_side} px"))
            continue
        arrays.append(a)
        kept.append(f)
    if skipped:
        shown = "; ".join(msg for _, msg in skipped[:5]) + (f"; and {len(skipped) - 5} more" if len(skipped) > 5 else "")
        warnings.warn(f"{folder}: skipped {len(skipped)} of {len(files)} file(s): {shown}", stacklevel=3)
    if not arrays:
        raise FileNotFoundError(
            f"No usable image in {folder} ({len(skipped)} file(s) skipped; endings looked for: "
            f"{', '.join(IMAGE_EXTENSIONS)})."
        )
    return arrays, kept, [f for f, _ in skipped]


def _square(a, size, resize="crop"):
    """uint8 ``(size, size, 3)``: centre square crop then Lanczos resize
    (``resize="crop"``), or a plain bicubic resize ignoring the aspect ratio
    (``"stretch"``, as pytorch-CycleGAN's ``Resize([s, s])``)."""
    from PIL import Image

    im = Image.fromarray(a)
    if resize == "crop":
        h, w = a.shape[:2]
        s = min(h, w)
        top, left = (h - s) // 2, (w - s) // 2
        im = im.crop((left, top, left + s, top + s))
        return np.asarray(im if s == size else im.resize((size, size), Image.LANCZOS), np.uint8)
    return np.asarray(im.resize((size, size), Image.BICUBIC), np.uint8)


def _check_positive(**values):
    for name, v in values.items():
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"`{name}` must be a positive int; got {v!r}.")


class _Epochs(keras.utils.PyDataset):
    """A PyDataset whose batches are a function of (seed, epoch, index)."""

    def __init__(self, batch_size, seed, **kwargs):
        super().__init__(**kwargs)
        _check_positive(batch_size=batch_size)
        self.batch_size, self.seed = int(batch_size), int(seed)
        self.set_epoch(0)

    def set_epoch(self, epoch):
        self.epoch = int(epoch)

    def on_epoch_end(self):
        # a plain Keras fit (no BackupAndRestore) calls this: next epoch's draws
        self.set_epoch(self.epoch + 1)

    def _rng(self, i, stream=0):
        return np.random.default_rng([self.seed, self.epoch, int(i), stream])


class ImageFolder(_Epochs):
    """See ``image_folder``."""

    def __init__(self, images, labels, class_names, batch_size, shuffle, seed, flip, skipped, **kwargs):
        self.images, self.labels, self.class_names = images, labels, class_names
        self.shuffle, self.flip, self.skipped = shuffle, flip, skipped
        super().__init__(batch_size, seed, **kwargs)

    def set_epoch(self, epoch):
        super().set_epoch(epoch)
        n = len(self.images)
        self.order = np.random.default_rng([self.seed, self.epoch]).permutation(n) if self.shuffle else np.arange(n)

    def __len__(self):
        return -(-len(self.images) // self.batch_size)

    def __getitem__(self, i):
        if not 0 <= i < len(self):
            raise IndexError(f"batch {i} of {len(self)}")
        idx = self.order[i * self.batch_size : (i + 1) * self.batch_size]
        x = self.images[idx]
        if self.flip:
            flips = self._rng(i).random(len(idx)) < 0.5
            x = np.where(flips[:, None, None, None], x[:, :, ::-1], x)
        return (x,) if self.labels is None else (x, self.labels[idx])


def image_folder(path, image_size, batch_size=64, labels=False, shuffle=True, flip=False, seed=0,
                 channels=3, **kwargs):
    """Batches of one folder's images, uint8 ``(b, image_size, image_size,
    channels)`` (centre square crop, Lanczos resize), with ``labels=True``
    also int32 class indices from the first sub-folder of each file (sorted
    names: ``.class_names``). Shuffled per epoch from ``seed``; ``flip``:
    random left-right flips. ``kwargs``: PyDataset's (``workers``, ...)."""
    _check_positive(image_size=image_size)
    if channels not in (1, 3):
        raise ValueError(f"`channels` must be 1 or 3; got {channels!r}.")
    folder = Path(path).expanduser()
    arrays, files, skipped = read_folder(folder, recursive=True)
    images = np.stack([_square(a, image_size) for a in arrays])
    if channels == 1:
        images = np.round(images @ np.array([0.299, 0.587, 0.114])).astype(np.uint8)[..., None]
    y, names = None, None
    if labels:
        parts = [f.relative_to(folder).parts for f in files]
        names = sorted({p[0] for p in parts if len(p) > 1})
        if not names or any(len(p) < 2 for p in parts):
            raise ValueError(
                f"labels=True needs every image in one sub-folder per class under {folder} "
                f"(e.g. {folder}/cats/1.jpg); found {'none' if not names else 'images directly in it'}."
            )
        index = {n: k for k, n in enumerate(names)}
        y = np.array([index[p[0]] for p in parts], np.int32)
    return ImageFolder(images, y, names, batch_size, shuffle, seed, flip, skipped, **kwargs)


def _crop_and_flip(images, rng, crop, flip):
    """One random ``crop`` square (and, with ``flip``, a left-right flip with
    probability 1/2) drawn from ``rng``, applied alike to every image of
    ``images`` (square, of one size): pytorch-CycleGAN's ``RandomCrop`` +
    ``RandomHorizontalFlip`` with the parameters its aligned dataset shares
    between A and B."""
    s = images[0].shape[0] - crop
    y, x = rng.integers(0, s + 1, 2)
    out = [im[y : y + crop, x : x + crop] for im in images]
    if flip and rng.random() < 0.5:
        out = [o[:, ::-1] for o in out]
    return out


class Unpaired(_Epochs):
    """See ``unpaired``."""

    def __init__(self, a, b, crop, batch_size, seed, flip, skipped, **kwargs):
        self.a, self.b, self.crop, self.flip, self.skipped = a, b, crop, flip, skipped
        super().__init__(batch_size, seed, **kwargs)

    def set_epoch(self, epoch):
        super().set_epoch(epoch)
        self.order = np.random.default_rng([self.seed, self.epoch]).permutation(len(self.a))

    def __len__(self):
        return max(len(self.a), len(self.b)) // self.batch_size

    def _augment(self, image, rng):
        return _crop_and_flip([image], rng, self.crop, self.flip)[0]

    def __getitem__(self, i):
        if not 0 <= i < len(self):
            raise IndexError(f"batch {i} of {len(self)}")
        rng = self._rng(i, 1)
        idx = range(i * self.batch_size, (i + 1) * self.batch_size)
        a = np.stack([self._augment(self.a[self.order[j % len(self.a)]], rng) for j in idx])
        b = np.stack([self._augment(self.b[rng.integers(len(self.b))], rng) for _ in idx])
        return a, b


def unpaired(dir_a, dir_b, image_size, load_size=None, batch_size=1, flip=True, seed=0, **kwargs):
    """Unaligned ``(images_a, images_b)`` uint8 batches, as pytorch-CycleGAN's
    ``UnalignedDataset`` makes them: every image resized to ``load_size``
    square (default ``image_size * 286 // 256``, aspect ratio not kept), then
    a random ``image_size`` crop and flip; A in a per-epoch shuffled order, B
    drawn at random. An epoch is ``max(len(A), len(B)) // batch_size``
    batches."""
    _check_positive(image_size=image_size, batch_size=batch_size)
    load_size = int(load_size or image_size * 286 // 256)
    if load_size < image_size:
        raise ValueError(f"`load_size` ({load_size}) must be >= `image_size` ({image_size}).")
    sets, skipped = [], []
    for d in (dir_a, dir_b):
        arrays, _, bad = read_folder(d)
        sets.append(np.stack([_square(a, load_size, "stretch") for a in arrays]))
        skipped += bad
    if max(len(sets[0]), len(sets[1])) < batch_size:
        raise ValueError(
            f"unpaired: {len(sets[0])} and {len(sets[1])} images, fewer than one batch of {batch_size}."
        )
    return Unpaired(sets[0], sets[1], image_size, batch_size, seed, flip, skipped, **kwargs)


class Paired(_Epochs):
    """See ``paired``: ``(inputs, targets)`` uint8 batches of aligned pairs,
    from arrays ``(n, load_size, load_size, C)`` already resized; the same
    random crop (and flip) for both images of a pair."""

    def __init__(self, inputs, targets, crop, batch_size=1, seed=0, flip=True, shuffle=True, skipped=(), files=None,
                 **kwargs):
        if len(inputs) != len(targets) or inputs.shape[1:3] != targets.shape[1:3]:
            raise ValueError(f"Paired: inputs {inputs.shape} and targets {targets.shape} must be as many images "
                             "of one size.")
        if not 1 <= crop <= inputs.shape[1]:
            raise ValueError(f"Paired: the crop ({crop}) must fit the images ({inputs.shape[1]} px).")
        self.inputs, self.targets, self.crop, self.flip, self.shuffle = inputs, targets, int(crop), flip, shuffle
        self.skipped, self.files = list(skipped), files
        super().__init__(batch_size, seed, **kwargs)
        if len(self) == 0:
            raise ValueError(f"paired: {len(inputs)} pairs, fewer than one batch of {batch_size}.")

    def set_epoch(self, epoch):
        super().set_epoch(epoch)
        n = len(self.inputs)
        self.order = np.random.default_rng([self.seed, self.epoch]).permutation(n) if self.shuffle else np.arange(n)

    def __len__(self):
        return len(self.inputs) // self.batch_size

    def __getitem__(self, i):
        if not 0 <= i < len(self):
            raise IndexError(f"batch {i} of {len(self)}")
        rng = self._rng(i, 2)
        pairs = [_crop_and_flip([self.inputs[j], self.targets[j]], rng, self.crop, self.flip)
                 for j in self.order[i * self.batch_size : (i + 1) * self.batch_size]]
        return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])


DIRECTIONS = ("AtoB", "BtoA")


def _matching_files(dir_a, dir_b):
    """``[(file_a, file_b)]`` of two folders' images with the same name
    (the stem: ``12.png`` pairs with ``12.jpg``); any name in one folder only,
    or twice in one folder, is an error naming them."""
    stems = []
    for d in (dir_a, dir_b):
        files = list_images(Path(d).expanduser())
        by_stem = {}
        for f in files:
            by_stem.setdefault(f.stem, []).append(f)
        twice = [v for v in by_stem.values() if len(v) > 1]
        if twice:
            raise ValueError(f"paired: {d} holds several images named {twice[0][0].stem!r} "
                             f"({', '.join(f.name for f in twice[0])}); pairs are matched by name.")
        stems.append({k: v[0] for k, v in by_stem.items()})
    only = [sorted(set(stems[0]) - set(stems[1])), sorted(set(stems[1]) - set(stems[0]))]
    if only[0] or only[1]:
        show = lambda names: ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")  # noqa: E731
        raise ValueError(
            "paired: the two folders must hold images of the same names (pairs are matched by name, the ending "
            f"aside); only in {dir_a}: {show(only[0]) or 'none'}; only in {dir_b}: {show(only[1]) or 'none'}."
        )
    return [(stems[0][k], stems[1][k]) for k in sorted(stems[0])]


def _read_pairs(path, targets):
    """``([(a, b) uint8 arrays], [files], [skipped])``: the side-by-side
    images of ``path`` split in halves (left A, right B), or the matching
    images of the folders ``path`` and ``targets``; a pair with an
    unreadable image is skipped (warned once)."""
    if targets is None:
        arrays, files, skipped = read_folder(path)
        pairs = []
        for a, f in zip(arrays, files):
            w = a.shape[1]
            if w % 2:
                raise ValueError(
                    f"paired: {f} is {w} pixels wide, an odd width: the aligned layout is the input (A) and the "
                    "target (B) side by side, each half of the width. For two folders of matching file names, "
                    "pass paired(inputs_folder, targets_folder)."
                )
            pairs.append((a[:, : w // 2], a[:, w // 2 :]))
        return pairs, files, skipped
    pairs, files, skipped = [], [], []
    for fa, fb in _matching_files(path, targets):
        try:
            pairs.append((np.asarray(open_image(fa).convert("RGB"), np.uint8),
                          np.asarray(open_image(fb).convert("RGB"), np.uint8)))
            files.append((fa, fb))
        except ImageReadError as e:
            skipped.append((fa, str(e)))
    if skipped:
        warnings.warn(f"paired: skipped {len(skipped)} pair(s) with an unreadable image: "
                      + "; ".join(msg for _, msg in skipped[:5]), stacklevel=3)
    if not pairs:
        raise FileNotFoundError(f"No readable pair in {path} and {targets}.")
    return pairs, files, [f for f, _ in skipped]


def paired(path, targets=None, image_size=256, load_size=None, batch_size=1, direction="AtoB", flip=True,
           shuffle=True, seed=0, **kwargs):
    """Aligned ``(inputs, targets)`` uint8 batches for ``Pix2Pix``, as
    pytorch-CycleGAN-and-pix2pix's ``AlignedDataset`` makes them.

    Args:
        path: the authors' aligned layout, a folder of images each holding
            A and B side by side (A the left half); or, with ``targets``,
            a folder of the A images.
        targets: a folder of the B images, named as the A images (the
            ending aside: ``12.png`` pairs with ``12.jpg``).
        image_size: the random crop's side (the paper's 256).
        load_size: every image is first resized to ``load_size`` square
            (bicubic, aspect ratio not kept; default ``image_size * 286 //
            256``: the authors' ``resize_and_crop``); ``load_size ==
            image_size`` with ``flip=False`` gives the images whole.
        direction: "AtoB" (inputs A, targets B) or "BtoA".
        flip: random left-right flips; a pair's two images share its crop
            and flip.
        shuffle: a new order each epoch (from ``seed`` and the epoch).

    Batch ``i`` of epoch ``e`` depends only on ``(seed, e, i)``, so
    ``kg.callbacks.BackupAndRestore`` resumes a killed run exactly. An epoch
    is ``pairs // batch_size`` batches. An aligned image of odd width, or a
    name in one folder only, is an error naming it.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"paired: direction must be 'AtoB' or 'BtoA'; got {direction!r}.")
    _check_positive(image_size=image_size, batch_size=batch_size)
    pairs, files, skipped = _read_pairs(path, targets)
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    inputs, outputs = (a, b) if direction == "AtoB" else (b, a)
    return paired_arrays(inputs, outputs, image_size, load_size, batch_size, flip, shuffle, seed,
                         skipped=skipped, files=files, **kwargs)


def paired_arrays(inputs, targets, image_size=256, load_size=None, batch_size=1, flip=True, shuffle=True, seed=0,
                  **kwargs):
    """``paired``'s batches from images in memory: ``inputs[i]`` and
    ``targets[i]`` uint8 ``(h, w, C)`` arrays of one pair (any sizes, each
    resized to ``load_size`` square, bicubic); the other arguments as
    ``paired``'s."""
    _check_positive(image_size=image_size, batch_size=batch_size)
    load_size = int(load_size or image_size * 286 // 256)
    if load_size < image_size:
        raise ValueError(f"`load_size` ({load_size}) must be >= `image_size` ({image_size}).")
    if len(inputs) != len(targets):
        raise ValueError(f"paired_arrays: {len(inputs)} inputs but {len(targets)} targets.")
    a = np.stack([_square(np.asarray(im, np.uint8), load_size, "stretch") for im in inputs])
    b = np.stack([_square(np.asarray(im, np.uint8), load_size, "stretch") for im in targets])
    return Paired(a, b, image_size, batch_size, seed, flip, shuffle, **kwargs)


class SRPairs(_Epochs):
    """See ``sr_pairs``."""

    def __init__(self, images, scale, patch_size, batch_size, steps, seed, skipped, **kwargs):
        self.images, self.scale, self.patch_size, self.steps, self.skipped = images, scale, patch_size, steps, skipped
        super().__init__(batch_size, seed, **kwargs)

    def __len__(self):
        return self.steps

    def pair(self, rng):
        """One (LR, HR) uint8 pair: a random HR patch, flip and rotation; LR by
        PIL bicubic ``1/scale``."""
        from PIL import Image

        img = self.images[rng.integers(len(self.images))]
        h, w = img.shape[:2]
        p = self.patch_size
        y, x = rng.integers(h - p + 1), rng.integers(w - p + 1)
        hr = img[y : y + p, x : x + p]
        if rng.random() < 0.5:
            hr = hr[:, ::-1]
        hr = np.ascontiguousarray(np.rot90(hr, int(rng.integers(4))))
        lr = np.asarray(Image.fromarray(hr).resize((p // self.scale, p // self.scale), Image.BICUBIC), np.uint8)
        return lr, hr

    def __getitem__(self, i):
        if not 0 <= i < len(self):
            raise IndexError(f"batch {i} of {len(self)}")
        rng = np.random.default_rng([self.seed, self.epoch, int(i)])
        pairs = [self.pair(rng) for _ in range(self.batch_size)]
        return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])


def sr_pairs(hr_dir, scale=4, patch_size=96, batch_size=16, steps_per_epoch=1000, seed=0, **kwargs):
    """``steps_per_epoch`` batches of random ``(low_res, high_res)`` uint8
    patch pairs from the high-resolution images of ``hr_dir`` (images smaller
    than ``patch_size`` are skipped and named): HR patches
    ``patch_size`` square, randomly flipped and rotated; LR by PIL bicubic
    downsampling ``scale`` times. The recipe of ``zoo/srresnet_x4`` draws
    its batches this way."""
    _check_positive(scale=scale, patch_size=patch_size, batch_size=batch_size, steps_per_epoch=steps_per_epoch)
    if patch_size % scale:
        raise ValueError(f"`patch_size` ({patch_size}) must be a multiple of `scale` ({scale}).")
    arrays, _, skipped = read_folder(hr_dir, min_side=patch_size)
    return SRPairs(arrays, scale, patch_size, batch_size, steps_per_epoch, seed, skipped, **kwargs)


__all__ = ["image_folder", "unpaired", "paired", "paired_arrays", "sr_pairs", "read_folder", "ImageFolder", "Unpaired", "Paired",
           "SRPairs"]
