"""Keras ``.weights.h5`` files: dtype casting (float16 storage), the shapes
they hold, and building a model whose weights are about to be loaded."""

import contextlib
from pathlib import Path


def copy_h5(src_file, dst_file, cast_from, cast_to):
    """Copy an h5 weights file, casting floating datasets of dtype
    ``cast_from`` to ``cast_to`` (a fresh file: no space left by deleted
    datasets)."""
    import h5py
    import numpy as np

    cast_from, cast_to = np.dtype(cast_from), np.dtype(cast_to)
    with h5py.File(src_file, "r") as src, h5py.File(dst_file, "w") as dst:

        def copy_group(s, d):
            for k, v in s.attrs.items():
                d.attrs[k] = v
            for key, item in s.items():
                if isinstance(item, h5py.Group):
                    copy_group(item, d.create_group(key))
                    continue
                data = item[()]
                if getattr(data, "dtype", None) == cast_from:
                    data = np.asarray(data).astype(cast_to)
                ds = d.create_dataset(key, data=data)
                for k, v in item.attrs.items():
                    ds.attrs[k] = v

        copy_group(src, dst)
    return Path(dst_file)


def stored_shapes(file):
    """Sorted shapes of the variables in a Keras ``.weights.h5`` file."""
    import h5py

    shapes = []
    with h5py.File(file, "r") as f:
        def visit(name, item):
            if isinstance(item, h5py.Dataset) and name.rsplit("/", 2)[-2:-1] == ["vars"]:
                shapes.append(tuple(item.shape))
        f.visititems(visit)
    return sorted(shapes)


@contextlib.contextmanager
def weights_to_be_loaded():
    """Build models without running their random initializers: every float
    weight is about to be overwritten by the entry's weights, and on JAX each
    initializer shape costs a separate XLA compilation (seconds per model).
    Non-float variables (seed states, counters) are initialized normally.
    Uses a private Keras hook; without it, models are built the usual way."""
    try:
        from keras.src.backend.common.variables import Variable
    except ImportError:  # pragma: no cover
        yield
        return
    original = Variable.__dict__.get("_initialize_with_initializer")
    if original is None:  # pragma: no cover
        yield
        return

    def zeros_instead(self, initializer):
        import numpy as np

        dtype = str(self._dtype)
        if "float" not in dtype or self._shape is None or any(d is None for d in self._shape):
            return original(self, initializer)
        self._initialize(self._convert_to_tensor(np.zeros(self._shape, dtype)))

    Variable._initialize_with_initializer = zeros_instead
    try:
        yield
    finally:
        Variable._initialize_with_initializer = original
