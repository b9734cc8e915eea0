"""Published checkpoint files: where each is cached, and fetching it.

Every converter's ``official:NAME`` goes through ``fetch``: the file is
looked up at ``$KERAS_GANS_CACHE/official/<file>`` (default
``~/.keras/keras_gans/official/``); nothing touches the network unless the
caller asks (``download=True``), and then with a short socket timeout, so an
offline machine fails within seconds with the same message: the URL and the
exact path to place the file at by hand.
"""

import os
from pathlib import Path

from keras_gans.paths import CACHE_ENV, cache_dir


def official_dir():
    """``$KERAS_GANS_CACHE/official`` (default ``~/.keras/keras_gans/official``)."""
    return cache_dir() / "official"


def fetch(url, filename, what, download=False, timeout=5.0):
    """The local path of the published file ``url``, cached as ``filename``.

    Args:
        url: where its authors publish it.
        filename: its name in ``official_dir()``.
        what: how to name it in messages (e.g. "the official CycleGAN
            generator 'apple2orange'").
        download: fetch it when it is not cached (else fail at once).
        timeout: the socket timeout of the download, seconds.

    Raises ``FileNotFoundError`` naming the URL and the path to place the
    file at, when it is not cached and ``download`` is False or fails.
    """
    path = official_dir() / filename
    if path.is_file():
        return path
    how = (
        f"{what[:1].upper()}{what[1:]} is not cached. Download {url} on a machine with internet access and "
        f"place it at {path} (e.g. `mkdir -p {path.parent} && curl -L -o {path} {url}`; set ${CACHE_ENV} "
        "to use another cache folder)."
    )
    if not download:
        raise FileNotFoundError(how + " Or pass download=True (CLI: --download) to fetch it now.")
    import urllib.request

    tmp = Path(f"{path}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with urllib.request.urlopen(url, timeout=timeout) as r, open(tmp, "wb") as f:
            while chunk := r.read(1 << 20):
                f.write(chunk)
        os.replace(tmp, path)
    except Exception as e:
        tmp.unlink(missing_ok=True)
        raise FileNotFoundError(f"Downloading failed ({type(e).__name__}: {e}). {how}") from None
    return path
