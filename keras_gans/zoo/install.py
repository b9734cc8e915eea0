"""Installing entries where ``kg.zoo.load`` finds them by name from any folder."""

import os
import shutil
import tempfile
from pathlib import Path

from keras_gans.paths import user_zoo
from keras_gans.zoo.discovery import CONFIG
from keras_gans.zoo.integrity import load_config, verified_weights


def install(source, overwrite=False):
    """Copy zoo entries into ``user_zoo()`` so that ``load(name)`` finds
    them from any folder (e.g. after a non-editable ``pip install``).

    ``source``: an entry folder, or a folder of entries (a checkout's
    ``zoo/``: every sub-folder with a ``config.json``). Each entry's weights
    are sha256-checked before and after the copy; an entry already installed
    is replaced only with ``overwrite``. Returns the installed folders."""
    src = Path(source).expanduser()
    if not src.is_dir():
        raise FileNotFoundError(f"Cannot install {src}: not a folder (expected an entry folder or a zoo/ folder).")
    entries = [src] if (src / CONFIG).is_file() else sorted(p for p in src.iterdir() if (p / CONFIG).is_file())
    if not entries:
        raise FileNotFoundError(f"Cannot install {src}: it holds no {CONFIG}, and no sub-folder does.")
    dest_root = user_zoo()
    dest_root.mkdir(parents=True, exist_ok=True)
    done = []
    for entry in entries:
        config = load_config(entry)
        verified_weights(entry, config)
        dst = dest_root / entry.name
        if dst.exists() and not overwrite:
            raise FileExistsError(f"{dst} is installed already; pass overwrite=True (CLI: --overwrite) to replace it.")
        tmp = Path(tempfile.mkdtemp(dir=dest_root, prefix=f".{entry.name}."))
        try:
            for f in entry.iterdir():
                if f.is_file():
                    shutil.copy2(f, tmp / f.name)
            verified_weights(tmp, load_config(tmp))  # the copy is whole
            if dst.exists():
                shutil.rmtree(dst)
            os.replace(tmp, dst)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp)
        done.append(dst)
    return done
