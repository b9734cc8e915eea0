"""Where things are: the data sets, keras_gans' cache, the zoo's folders,
Keras' model cache. One place for every folder the library resolves and every
environment variable that moves one; imports nothing of keras_gans.

| variable | what | default |
|---|---|---|
| ``KERAS_GANS_DATA`` | data root (``data_dir``) | the checkout's ``../shared/data`` |
| ``KERAS_GANS_CACHE`` | converted / official checkpoints (``cache_dir``) | ``~/.keras/keras_gans`` |
| ``KERAS_GANS_HOME`` | installed zoo entries live in its ``zoo/`` (``user_zoo``) | ``$KERAS_HOME/keras_gans`` |
| ``KERAS_GANS_ZOO`` | more entry folders, searched first (``zoo_search_paths``) | none |
| ``KERAS_HOME`` | Keras' own folder (``keras_models_dir``) | ``~/.keras`` |
"""

import os
from pathlib import Path

ENV_VAR = "KERAS_GANS_DATA"
CACHE_ENV = "KERAS_GANS_CACHE"
HOME_ENV = "KERAS_GANS_HOME"
ZOO_ENV = "KERAS_GANS_ZOO"
#: the source checkout keras_gans runs from (the folder holding keras_gans/)
CHECKOUT = Path(__file__).resolve().parents[1]


def data_dir():
    """The data root: ``$KERAS_GANS_DATA`` or the checkout's ``../shared/data``."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return CHECKOUT.parent / "shared" / "data"


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


def user_zoo():
    """The installed entries' folder: ``$KERAS_GANS_HOME/zoo``, by default
    ``~/.keras/keras_gans/zoo`` (filled by ``kg.zoo.install`` /
    ``keras-gans zoo install``)."""
    home = os.environ.get(HOME_ENV) or os.path.join(os.environ.get("KERAS_HOME", "~/.keras"), "keras_gans")
    return Path(home).expanduser() / "zoo"


def zoo_search_paths():
    """Folders searched for zoo entries, in order: ``$KERAS_GANS_ZOO``
    (``os.pathsep``-separated), the installed entries (``user_zoo()``), then
    the source checkout's ``zoo/`` when keras_gans runs from a checkout."""
    paths = [Path(p).expanduser() for p in os.environ.get(ZOO_ENV, "").split(os.pathsep) if p]
    paths.append(user_zoo())
    checkout = CHECKOUT / "zoo"
    if checkout.is_dir():
        paths.append(checkout)
    return paths
