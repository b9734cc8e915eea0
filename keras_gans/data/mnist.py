"""MNIST from its IDX gzip files.

Only the 10,000 test digits (``t10k-*``) are available in ``shared/data``;
the zoo splits them once, deterministically, into 8,000 training and 2,000
held-out images (``train_heldout_split``, seed ``MNIST_SPLIT_SEED``).
"""

import gzip

import numpy as np

from keras_gans.paths import dataset_path

IMAGES = "t10k-images-idx3-ubyte.gz"
LABELS = "t10k-labels-idx1-ubyte.gz"
MNIST_HELDOUT = 2000
MNIST_SPLIT_SEED = 0
_SPLITS = ("all", "train", "heldout")


def _read_idx(file, magic, offset):
    if not file.is_file():
        raise FileNotFoundError(
            f"MNIST file missing: {file}. Place {file.name} (IDX, gzip) in {file.parent}."
        )
    try:
        raw = gzip.open(file).read()
    except (OSError, EOFError) as e:
        raise ValueError(f"{file} is not a readable gzip file: {e}") from e
    found = int.from_bytes(raw[:4], "big")
    if found != magic:
        raise ValueError(f"{file}: IDX magic number {found:#06x}, expected {magic:#06x}.")
    return np.frombuffer(raw, np.uint8, offset=offset)


def train_heldout_split(*arrays, n_heldout=MNIST_HELDOUT, seed=MNIST_SPLIT_SEED):
    """Deterministic split of equally long arrays into (train, held-out).

    Returns ``(train_arrays, heldout_arrays)``, each a tuple of the inputs
    indexed by a fixed permutation (``np.random.default_rng(seed)``): the last
    ``n_heldout`` items are held out.
    """
    if not arrays:
        raise ValueError("train_heldout_split needs at least one array.")
    n = len(arrays[0])
    if any(len(a) != n for a in arrays):
        raise ValueError(f"arrays have different lengths: {[len(a) for a in arrays]}.")
    if not 0 < n_heldout < n:
        raise ValueError(f"n_heldout must be in (0, {n}); got {n_heldout}.")
    order = np.random.default_rng(seed).permutation(n)
    train, held = np.sort(order[: n - n_heldout]), np.sort(order[n - n_heldout :])
    return tuple(a[train] for a in arrays), tuple(a[held] for a in arrays)


def load_mnist(path=None, split="all", value_range=None):
    """The 10,000 MNIST test digits and their labels.

    Args:
        path: folder with ``t10k-images-idx3-ubyte.gz`` and
            ``t10k-labels-idx1-ubyte.gz`` (default: the ``mnist`` data set
            folder, see ``keras_gans.data``).
        split: "all" (10,000), "train" (8,000) or "heldout" (2,000), from
            ``train_heldout_split`` with its fixed seed.
        value_range: None gives uint8 images of shape (n, 28, 28); a pair
            ``(lo, hi)`` gives float32 images of shape (n, 28, 28, 1) scaled
            to that range (e.g. ``(-1, 1)`` for a tanh generator).

    Returns ``(images, labels)``; labels are int32 in 0..9.
    """
    if split not in _SPLITS:
        raise ValueError(f"split must be one of {_SPLITS}; got {split!r}.")
    folder = dataset_path("mnist", path)
    images = _read_idx(folder / IMAGES, 0x0803, 16)
    labels = _read_idx(folder / LABELS, 0x0801, 8).astype("int32")
    if images.size != labels.size * 28 * 28:
        raise ValueError(
            f"{folder}: {images.size} pixels for {labels.size} labels; expected 28x28 per label."
        )
    images = images.reshape(-1, 28, 28)
    if split != "all":
        train, held = train_heldout_split(images, labels)
        images, labels = train if split == "train" else held
    if value_range is not None:
        lo, hi = value_range
        images = (images.astype("float32") / 255.0 * (hi - lo) + lo)[..., None]
    return images, labels
