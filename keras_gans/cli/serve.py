"""``keras-gans serve [ENTRY ...] [--host 127.0.0.1] [--port 7860]``: the zoo in a browser
(needs the ``serve`` extra: ``pip install keras_gans[serve]``)."""

import sys


def _run(args):
    try:
        from keras_gans.serve import create_app, discover, run
    except ImportError as e:
        raise RuntimeError(
            f"keras-gans serve needs the 'serve' extra ({e.name} is missing): pip install 'keras_gans[serve]'"
        ) from None
    for name, value in (("--max-mb", args.max_mb), ("--max-megapixels", args.max_megapixels)):
        if value <= 0:
            raise ValueError(f"{name} must be positive; got {value:g}.")
    entries = discover(args.entries or None)
    if not entries:
        raise ValueError("No zoo entry to serve: none generates, translates or upscales (see keras-gans zoo list).")
    app = create_app(entries, max_mb=args.max_mb, max_megapixels=args.max_megapixels)
    url = f"http://{'[' + args.host + ']' if ':' in args.host else args.host}:{args.port}"
    for kind, found in entries.items():
        print(f"  {kind}: {', '.join(e.name for e in found)}")
    print(f"keras-gans serve: {url} (Ctrl-C to stop)", flush=True)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"keras-gans serve: listening on {args.host}: anyone who reaches this machine can use the page.",
              file=sys.stderr)
    run(app, host=args.host, port=args.port)
    return 0


def register(subparsers):
    p = subparsers.add_parser("serve", help="try the zoo entries in a browser (a local web page)")
    p.add_argument("entries", nargs="*", metavar="ENTRY",
                   help="zoo entries (names, folders or official:NAME) to serve (default: every entry that "
                        "generates, translates or upscales)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0: every interface)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--max-mb", type=float, default=20.0, help="largest upload in MB (default 20)")
    p.add_argument("--max-megapixels", type=float, default=16.0,
                   help="largest uploaded image in megapixels (default 16)")
    p.set_defaults(func=_run)
