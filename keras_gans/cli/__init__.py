"""The ``keras-gans`` command line.

Each sub-command lives in its own module of this package and exposes
``register(subparsers)``; modules are imported only when the CLI runs.
"""

import argparse
import importlib
import sys

# module name -> sub-commands it registers (for the help text when it fails to import)
COMMAND_MODULES = ["zoo_commands", "generate", "translate", "sr", "train", "demo", "serve"]


def file_jobs(input_path, output, what="INPUT", overwrite=False):
    """``[(source, destination)]`` for a command that maps images to images:
    one file to ``output``, or every image of a folder to ``output/<stem>.png``;
    the destinations are checked (``check_outputs``) before any work."""
    from pathlib import Path

    src = Path(input_path).expanduser()
    if not src.exists():
        raise FileNotFoundError(f"Input {src} does not exist.")
    if not src.is_dir():
        jobs = [(src, Path(output).expanduser())]
    else:
        from keras_gans.images import list_images

        out = Path(output).expanduser()
        if out.suffix:
            raise ValueError(f"{what} is a folder, so -o must be a folder too; got {out}.")
        jobs = [(f, out / f"{f.stem}.png") for f in list_images(src)]
    check_outputs([dst for _, dst in jobs], overwrite)
    return jobs


def check_outputs(paths, overwrite=False):
    """Before any work: every output's folder exists (missing folders are
    created) and is writable, and no output exists unless ``overwrite``.
    Raises FileExistsError / PermissionError / NotADirectoryError naming the
    path."""
    import os
    from pathlib import Path

    existing = []
    for dst in map(Path, paths):
        if dst.is_dir():
            raise IsADirectoryError(f"Output {dst} is a folder; expected an image file name (e.g. {dst / 'out.png'}).")
        folder = dst.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise NotADirectoryError(f"Cannot write {dst}: {folder} exists and is not a folder.") from None
        except OSError as e:
            raise PermissionError(f"Cannot create the output folder {folder}: {e.strerror or e}.") from None
        if not os.access(folder, os.W_OK | os.X_OK):
            raise PermissionError(f"Cannot write {dst}: the folder {folder} is not writable.")
        if dst.exists():
            if not os.access(dst, os.W_OK):
                raise PermissionError(f"Cannot replace {dst}: the file is read-only.")
            existing.append(str(dst))
    if existing and not overwrite:
        shown = ", ".join(existing[:3]) + (f" and {len(existing) - 3} more" if len(existing) > 3 else "")
        raise FileExistsError(
            f"{len(existing)} output file(s) exist already: {shown}. Pass --overwrite to replace them "
            "(nothing was written)."
        )


def add_overwrite_argument(parser):
    parser.add_argument("--overwrite", action="store_true",
                        help="replace existing output files (default: refuse, write nothing)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress line on stderr")


class Progress:
    """A progress line on stderr: ``label done/total (pct) eta``, redrawn in
    place, shown only once the work has lasted ``after`` seconds (a quick
    job prints nothing) and never with ``quiet``. Call it as
    ``progress(done, total)`` (``total`` may be None); ``close()`` ends the
    line."""

    def __init__(self, label="", quiet=False, after=2.0, stream=None):
        import time

        self.label, self.quiet, self.after = label, quiet, after
        self.stream = stream or sys.stderr
        self.t0, self.shown, self._last = time.time(), False, 0.0

    def __call__(self, done, total=None):
        import time

        now = time.time()
        if self.quiet or now - self.t0 < self.after or (now - self._last < 0.2 and done != total):
            return
        self._last = now
        text = f"{self.label} {done}/{total or '?'}"
        if total:
            rate = done / (now - self.t0)
            eta = (total - done) / rate if rate > 0 else 0.0
            text += f" ({100 * done / total:.0f}%, eta {int(eta) // 60}m{int(eta) % 60:02d}s)"
        self.stream.write("\r" + text.ljust(60))
        self.stream.flush()
        self.shown = True

    def close(self):
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
            self.shown = False


def run_jobs(jobs, one, quiet=False):
    """Run ``one(src, dst, progress)`` (which returns the line to print) for
    every job; ``progress`` is a ``Progress`` labelled with the file (and
    "file i of N" for a folder) for the job's tiles. An unreadable image is
    named on stderr and skipped, the others still run; exit status 1 when
    any was skipped."""
    from keras_gans.images import ImageReadError

    failed = []
    for i, (src, dst) in enumerate(jobs):
        label = f"file {i + 1} of {len(jobs)} ({src.name}): tile" if len(jobs) > 1 else f"{src.name}: tile"
        progress = Progress(label, quiet)
        try:
            line = one(src, dst, progress)
            progress.close()
            print(line)
        except ImageReadError as e:
            progress.close()
            if len(jobs) == 1:
                raise
            failed.append(str(src))
            print(f"skipped: {e}", file=sys.stderr)
    if failed:
        print(f"{len(failed)} of {len(jobs)} inputs skipped: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def save_image(img, dst):
    """Write a PIL image whole (temporary name, then rename): a kill never
    leaves a truncated file in place of an earlier good one."""
    from pathlib import Path

    from keras_gans.files import atomic_path

    Path(dst).parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(dst) as tmp:
        img.save(tmp, format=img.format or _format_of(dst))


def _format_of(path):
    from PIL import Image

    ext = str(path).lower().rsplit(".", 1)[-1]
    return Image.registered_extensions().get("." + ext, "PNG")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="keras-gans",
        description="Pretrained GANs for Keras 3 (TensorFlow, JAX or PyTorch: set KERAS_BACKEND).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{mod}")
        except ModuleNotFoundError as e:
            if e.name == f"{__name__}.{mod}":
                continue  # sub-command not shipped in this version
            raise
        module.register(sub)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args) or 0
    except (ValueError, KeyError, RuntimeError, OSError) as e:  # OSError: missing, unwritable, existing files
        print(f"keras-gans {args.command}: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
