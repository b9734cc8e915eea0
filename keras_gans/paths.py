"""Where things are: the data sets, keras_gans' cache, Keras' model cache.
One place for every folder the library resolves."""

import os
from pathlib import Path

ENV_VAR = "KERAS_GANS_DATA"
CACHE_ENV = "KERAS_GANS_CACHE"


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


def cache_dir():
    """keras_gans' own cache (e.g. converted official checkpoints):
    ``$KERAS_GANS_CACHE`` or ``~/.keras/keras_gans``."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".keras" / "keras_gans").expanduser()


def keras_models_dir():
    """Where ``keras.utils.get_file`` keeps downloaded weights (VGG19,
    InceptionV3): ``$KERAS_HOME/models``, else ``~/.keras/models`` (``/tmp/.keras``
    when the home folder is not writable, as Keras does)."""
    home = os.environ.get("KERAS_HOME")
    if not home:
        base = os.path.expanduser("~")
        if not os.access(base, os.W_OK):
            base = "/tmp"
        home = os.path.join(base, ".keras")
    return Path(home) / "models"
