"""Published checkpoint files: where each is cached, fetching it, and which family converts it.

``FAMILIES`` is the one table of the published models: ``load_official("edges2shoes")``
(the CLI's ``official:NAME``) finds the family that publishes the name and
calls its converter; ``"pix2pix/sat2map"`` names the family where two
publish one name. Every converter's file goes through ``fetch``: the file is
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


#: family -> its converter module, which defines ``OFFICIAL_MODELS`` (the
#: names its authors publish), ``PAPER`` (how to name them), ``official_url(name)``,
#: ``official_path(name)`` (the cache file) and ``load_official(name, download=False)``.
FAMILIES = {
    "cyclegan": "keras_gans.cyclegan.convert_torch",
    "pix2pix": "keras_gans.pix2pix.convert_torch",
}


def _module(family):
    import importlib

    return importlib.import_module(FAMILIES[family])


def official_models():
    """``{family: names}`` of every published model keras_gans converts."""
    return {family: tuple(_module(family).OFFICIAL_MODELS) for family in FAMILIES}


def resolve_official(spec):
    """``(family, name)`` of ``"NAME"`` (the one family publishing it) or
    ``"FAMILY/NAME"``; an unknown or ambiguous name is a ValueError listing
    the choices."""
    spec = str(spec)
    models = official_models()
    listing = "; ".join(f"{family}: {', '.join(names)}" for family, names in models.items())
    if "/" in spec:
        family, name = spec.split("/", 1)
        if family not in models:
            raise ValueError(f"Unknown family {family!r} in official:{spec}; known: {', '.join(models)}.")
        if name not in models[family]:
            raise ValueError(f"The {family} authors publish no {name!r}; they publish {', '.join(models[family])}.")
        return family, name
    owners = [family for family, names in models.items() if spec in names]
    if not owners:
        raise ValueError(f"Unknown official model {spec!r}. Published: {listing}.")
    if len(owners) > 1:
        raise ValueError(f"Both {' and '.join(owners)} publish a model {spec!r}: say which, "
                         + " or ".join(f"official:{family}/{spec}" for family in owners) + ".")
    return owners[0], spec


def load_official(spec, download=False):
    """The published model ``spec`` (``"NAME"`` or ``"FAMILY/NAME"``) as its
    family's converter gives it (CycleGAN: the generator; pix2pix: a
    ``Pix2Pix`` game), from the cache (see ``fetch``)."""
    family, name = resolve_official(spec)
    return _module(family).load_official(name, download=download)


def cached_official():
    """``[(spec, family, name, paper, url)]`` of the published files in the
    cache, ``spec`` being what ``load_official`` takes (``"NAME"``, or
    ``"FAMILY/NAME"`` where two families publish NAME)."""
    models = official_models()
    out = []
    for family, names in models.items():
        module = _module(family)
        for name in names:
            if module.official_path(name).is_file():
                shared = sum(name in other for other in models.values()) > 1
                out.append((f"{family}/{name}" if shared else name, family, name, module.PAPER,
                            module.official_url(name)))
    return out
