"""Where the data sets are."""

import os
from pathlib import Path

ENV_VAR = "KERAS_GANS_DATA"


def data_dir():
    """The data root: ``$KERAS_GANS_DATA`` or the checkout's ``../shared/data``."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    import keras_gans

    return Path(keras_gans.__file__).resolve().parents[2] / "shared" / "data"


def dataset_path(name, path=None):
    """The folder of data set ``name`` (or ``path`` when given); it must exist."""
    folder = Path(path).expanduser() if path is not None else data_dir() / name
    if not folder.is_dir():
        how = (
            f"the path you passed ({folder})"
            if path is not None
            else f"{folder} (set {ENV_VAR} to the folder holding '{name}/', or pass path=)"
        )
        raise FileNotFoundError(
            f"Data set {name!r} not found: no folder at {how}. Nothing is downloaded; "
            f"place the {name!r} files there."
        )
    return folder
