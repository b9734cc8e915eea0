"""The ``keras-gans`` command line.

Each sub-command lives in its own module of this package and exposes
``register(subparsers)``; modules are imported only when the CLI runs.
"""

import argparse
import importlib
import sys

# module name -> sub-commands it registers (for the help text when it fails to import)
COMMAND_MODULES = ["zoo_commands", "generate", "translate", "sr"]


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
    except (ValueError, FileNotFoundError, KeyError, RuntimeError) as e:
        print(f"keras-gans {args.command}: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
