"""Data for ``fit``: ``image_folder``, ``unpaired``, ``paired`` and ``sr_pairs`` turn
folders of images into resumable batches on every backend (see
``keras_gans.data.pipelines``); ``load_mnist`` and ``load_image_folder``
load small data sets into arrays.

Data live outside the package, in a folder found as:

1. the ``path`` argument, else
2. ``$KERAS_GANS_DATA/<data set>``, else
3. the source checkout's sibling ``../shared/data/<data set>``
   (``Path(keras_gans.__file__).parents[2] / "shared" / "data"``).

Nothing is downloaded: a missing folder or file is an error naming what to put
where.
"""

from keras_gans.data.images import load_image_folder
from keras_gans.data.pipelines import image_folder, paired, paired_arrays, read_folder, sr_pairs, unpaired
from keras_gans.data.tfds import tfds
from keras_gans.data.mnist import (
    MNIST_HELDOUT,
    MNIST_SPLIT_SEED,
    load_mnist,
    train_heldout_split,
)
from keras_gans.paths import data_dir, dataset_path

__all__ = [
    "image_folder",
    "unpaired",
    "paired",
    "paired_arrays",
    "sr_pairs",
    "read_folder",
    "tfds",
    "load_mnist",
    "train_heldout_split",
    "MNIST_HELDOUT",
    "MNIST_SPLIT_SEED",
    "load_image_folder",
    "data_dir",
    "dataset_path",
]
