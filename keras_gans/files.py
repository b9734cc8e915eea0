"""Files written whole or not at all, and checked when read back.

Every file keras_gans writes (checkpoints, weights, cards, images) goes to a
temporary name in the destination folder, is flushed to disk (``fsync``) and
then renamed over the destination. A rename within one folder is atomic on
POSIX file systems, so a process killed at any instant leaves either the old
file or the new one, never a truncated one.

    with atomic_path("out/model.weights.h5") as tmp:
        model.save_weights(tmp)          # any writer that takes a path
    atomic_write_text("out/config.json", text)
"""

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path


def _fsync_file(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder):
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover  (platforms without directory fds)
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _suffix(path):
    """The full suffix (``.weights.h5``, ``.png``): some writers check it."""
    name = path.name
    dot = name.find(".", 1)
    return name[dot:] if dot > 0 else ""


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path`` (same folder, same suffix);
    when the block ends without an exception, the temporary file is fsynced
    and renamed to ``path``; otherwise it is removed and ``path`` is left as
    it was."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(f"Cannot write {path}: the folder {folder} does not exist.")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp" + _suffix(path))
    os.close(fd)
    os.remove(tmp)  # writers such as h5py and Pillow create the file themselves
    try:
        yield tmp
        if not os.path.exists(tmp):
            raise RuntimeError(f"Nothing was written for {path} (temporary file {tmp} is missing).")
        _fsync_file(tmp)
        os.replace(tmp, path)
        _fsync_dir(folder)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def atomic_write_bytes(path, data):
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)


def atomic_write_text(path, text, encoding="utf-8"):
    atomic_write_bytes(path, text.encode(encoding))


def sha256_file(path):
    """The hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


__all__ = ["atomic_path", "atomic_write_bytes", "atomic_write_text", "sha256_file"]
