"""keras_gans' zoo as a Hugging Face Space: ``keras-gans serve`` on 0.0.0.0:7860.

    python spaces/app.py                    # from a checkout: its zoo, http://0.0.0.0:7860
    python spaces/app.py --export space/    # the folder to push as the Space (see README.md)

The exported folder holds this file, the Space's README.md (front matter:
Docker SDK, port 7860), Dockerfile and requirements.txt, the ``keras_gans``
package and the checkout's zoo entries that ``keras-gans serve`` offers
(weights included: push them with git LFS). The Space runs the same app as
``keras-gans serve``, on the JAX backend.
"""

import argparse
import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# in a checkout this file is spaces/app.py; in an exported Space, app.py beside keras_gans/
ROOT = HERE.parent if (HERE.parent / "keras_gans").is_dir() and not (HERE / "keras_gans").is_dir() else HERE
SPACE_FILES = ("README.md", "Dockerfile", "requirements.txt")


def _import_root():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("KERAS_BACKEND", "jax")
    os.environ.setdefault("KERAS_GANS_ZOO", str(ROOT / "zoo"))


def export(dest):
    """Write the Space's folder ``dest`` (a new or empty folder); returns the
    zoo entries copied."""
    _import_root()
    from keras_gans.serve import discover

    dest = Path(dest)
    if dest.exists() and any(p.name != ".git" for p in dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty: export into a new folder (or a fresh Space clone).")
    dest.mkdir(parents=True, exist_ok=True)
    for name in SPACE_FILES:
        shutil.copy2(HERE / name, dest / name)
    shutil.copy2(Path(__file__), dest / "app.py")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "keras_gans", dest / "keras_gans", ignore=ignore)
    entries = sorted({e.name for found in discover().values() for e in found if not e.name.startswith("official:")})
    from keras_gans import zoo

    for name in entries:
        shutil.copytree(zoo.entry_path(name), dest / "zoo" / name, ignore=ignore)
    # the Hub keeps binary files in LFS
    (dest / ".gitattributes").write_text("*.h5 filter=lfs diff=lfs merge=lfs -text\n"
                                         "*.png filter=lfs diff=lfs merge=lfs -text\n")
    return entries


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--export", metavar="DIR", help="write the Space's folder to DIR and exit")
    parser.add_argument("--check", action="store_true", help="list the entries served and exit")
    parser.add_argument("--host", default="0.0.0.0", help="address (default 0.0.0.0: a Space's container)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 7860)))
    args = parser.parse_args(argv)
    if args.export:
        entries = export(args.export)
        print(f"wrote {args.export}: {', '.join(entries)}")
        return 0
    _import_root()
    from keras_gans.serve import create_app, discover, run

    import keras_gans

    entries = discover()
    print(f"keras_gans from {Path(keras_gans.__file__).parent}", flush=True)
    for kind, found in entries.items():
        print(f"{kind}: {', '.join(e.name for e in found)}", flush=True)
    if args.check:
        return 0
    run(create_app(entries), host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
