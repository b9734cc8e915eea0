"""Finding zoo entries: by name on the search path (``kg.paths.zoo_search_paths``) or by folder."""

import difflib
import os
from pathlib import Path

from keras_gans.paths import ZOO_ENV, user_zoo, zoo_search_paths

CONFIG = "config.json"
WEIGHTS = "model.weights.h5"
CARD = "MODEL_CARD.md"


class UnknownEntryError(ValueError, KeyError):
    """No zoo entry of that name."""

    def __str__(self):
        return str(self.args[0]) if self.args else ""


def _entries():
    found = {}
    for root in zoo_search_paths():
        if not root.is_dir():
            continue
        for sub in sorted(root.iterdir()):
            if (sub / CONFIG).is_file() and sub.name not in found:
                found[sub.name] = sub
    return found


def list_entries():
    """Sorted names of the entries found on the search path."""
    return sorted(_entries())


def _looks_like_path(s):
    return os.sep in s or (os.altsep and os.altsep in s) or s.startswith(".") or s.startswith("~")


def entry_path(name_or_path):
    """The folder of an entry given by name, by path or as
    ``hf://owner/name[@revision]`` (fetched into the Hugging Face cache:
    ``keras_gans.zoo.hub``)."""
    from keras_gans.zoo import hub

    if hub.is_hub_spec(name_or_path):
        return hub.entry_folder(name_or_path)
    if isinstance(name_or_path, os.PathLike) or _looks_like_path(str(name_or_path)):
        folder = Path(name_or_path).expanduser()
        if not (folder / CONFIG).is_file():
            raise FileNotFoundError(
                f"{folder} is not a zoo entry: it has no {CONFIG}. An entry folder holds "
                f"{CONFIG}, {WEIGHTS} and {CARD} (see keras_gans.zoo.save)."
            )
        return folder
    name = str(name_or_path)
    entries = _entries()
    if name in entries:
        return entries[name]
    if Path(name).is_dir() and (Path(name) / CONFIG).is_file():
        return Path(name)
    names = sorted(entries)
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.0)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    where = ", ".join(str(p) for p in zoo_search_paths())
    raise UnknownEntryError(
        f"Unknown zoo entry {name!r}.{hint} Valid names: {', '.join(names) or '(none found)'}. "
        f"Searched: {where}. Install entries with `keras-gans zoo install PATH` (an entry folder, or "
        f"the zoo/ folder of a keras_gans checkout) into {user_zoo()}, add folders with ${ZOO_ENV}, "
        "or pass a path to an entry folder."
    )
