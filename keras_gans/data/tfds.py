"""TensorFlow Datasets -> the same uint8 batches as ``kg.data.image_folder``.

Nothing is downloaded: the data set must already be prepared in the TFDS data
folder (``data_dir``, else ``$TFDS_DATA_DIR``, else ``~/tensorflow_datasets``),
e.g. by ``tfds.load(name)`` on a machine with network access, then copied.
When it is not, this fails at once naming the data set, the folder looked in
and ``kg.data.image_folder`` as the alternative (``tfds.load`` itself would
try to download, and offline it retries for minutes).
"""

import os
from pathlib import Path


def _data_dir(data_dir):
    return Path(data_dir or os.environ.get("TFDS_DATA_DIR") or "~/tensorflow_datasets").expanduser()


def _prepared(name, root):
    """The version folders of ``name`` (``"mnist"`` or ``"cycle_gan/apple2orange"``)
    holding a ``dataset_info.json`` under ``root``."""
    folder = root / name
    return sorted(p.parent for p in folder.glob("*/dataset_info.json")) if folder.is_dir() else []


def tfds(name, split="train", image_size=None, batch_size=64, labels=False, shuffle=True, seed=0,
         data_dir=None, image_key="image", label_key="label"):
    """A ``tf.data.Dataset`` of uint8 image batches from a prepared TFDS data
    set; ``fit`` takes it on every backend.

    Args:
        name: a TFDS name, e.g. ``"mnist"``, ``"tf_flowers"``,
            ``"cycle_gan/apple2orange"``, ``"div2k/bicubic_x4"``.
        split: the split; for ``cycle_gan/*`` data sets ``"train"`` (or
            ``"test"``) gives unaligned ``(images_a, images_b)`` batches from
            ``trainA``/``trainB`` (``testA``/``testB``), as CycleGAN trains.
        image_size: resize every image to this square side (bilinear, aspect
            ratio not kept); None keeps the data set's size (it must be fixed).
        labels: also yield ``label_key`` (``(images, labels)`` batches).
        shuffle, seed: shuffle the examples (buffer 10,000) from ``seed``.
    """
    try:
        import tensorflow as tf
        import tensorflow_datasets as tfds_lib
    except ImportError as e:
        raise ImportError(
            "kg.data.tfds needs tensorflow and tensorflow-datasets: pip install 'keras_gans[tfds]' "
            "(or read image folders with kg.data.image_folder)."
        ) from e
    root = _data_dir(data_dir)
    if not _prepared(name, root):
        raise FileNotFoundError(
            f"TFDS data set {name!r} is not prepared in {root} (looked for {root / name}/<version>/"
            "dataset_info.json; set data_dir= or $TFDS_DATA_DIR). keras_gans never downloads: prepare it "
            f"with tfds.load({name!r}) where there is network access and copy the folder here, or read "
            "your images with kg.data.image_folder / kg.data.unpaired / kg.data.sr_pairs."
        )

    def load(part):
        return tfds_lib.load(name, split=part, data_dir=str(root), download=False, try_gcs=False,
                             shuffle_files=False)

    def images(ds):
        def prep(example):
            x = example[image_key]
            if image_size:
                x = tf.cast(tf.clip_by_value(tf.round(tf.image.resize(x, (image_size, image_size))), 0, 255), tf.uint8)
            return (x, tf.cast(example[label_key], tf.int32)) if labels else x
        if shuffle:
            ds = ds.shuffle(10_000, seed=seed, reshuffle_each_iteration=True)
        return ds.map(prep, num_parallel_calls=tf.data.AUTOTUNE)

    if name.startswith("cycle_gan/") and split in ("train", "test"):
        a, b = images(load(f"{split}A")), images(load(f"{split}B"))
        ds = tf.data.Dataset.zip((a, b))
    else:
        ds = images(load(split))
        if not labels:
            ds = ds.map(lambda x: (x,))
    return ds.batch(batch_size, drop_remainder=False).prefetch(tf.data.AUTOTUNE)
