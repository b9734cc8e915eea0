"""``keras-gans zoo list``, ``keras-gans zoo info NAME``, ``keras-gans zoo
install PATH``, ``keras-gans zoo import-cyclegan G_A.pth G_B.pth --name NAME``
and ``keras-gans zoo import-pix2pix G.pth --out DIR``."""

import json


def _list(args):
    from keras_gans import zoo

    names = zoo.list()
    if not names:
        print("No zoo entries found. Searched: " + ", ".join(str(p) for p in zoo.search_paths()))
        return 0
    width = max(len(n) for n in names)
    for name in names:
        try:
            task = zoo.info(name).get("task", "")
        except Exception as e:  # a broken entry must not hide the others
            task = f"(unreadable: {e})"
        print(f"{name:<{width}}  {task}")
    return 0


def _info(args):
    from keras_gans import zoo

    print(json.dumps(zoo.info(args.name), indent=2))
    return 0


def _install(args):
    from keras_gans import zoo

    for folder in zoo.install(args.path, overwrite=args.overwrite):
        print(f"installed {folder.name} -> {folder}")
    return 0


def _import_cyclegan(args):
    from pathlib import Path

    from keras_gans import zoo
    from keras_gans.cyclegan import cyclegan_from_torch_pair

    game = cyclegan_from_torch_pair(args.g_a, args.g_b, image_size=args.image_size)
    size = args.image_size or 256
    card = {
        "title": f"{Path(args.out).name}: CycleGAN converted from official PyTorch checkpoints",
        "summary": (
            f"Generators converted from {Path(args.g_a).name} (A -> B) and {Path(args.g_b).name} "
            "(B -> A) by `keras-gans zoo import-cyclegan`; discriminators freshly initialised "
            "(not converted)."
        ),
        "task": "unpaired image-to-image translation (RGB, values in [-1, 1])",
        "preprocessing": {"image_size": size, "channels": 3, "value_range": [-1, 1]},
        "training": {"converted_from": [str(args.g_a), str(args.g_b)]},
        "limits": ["Not measured by keras_gans: converted weights, see their original model card."],
    }
    folder = zoo.save(game, Path(args.out), card=card, overwrite=args.overwrite,
                      weights_dtype="float16" if args.float16 else "float32")
    print(f"wrote zoo entry {folder}: kg.zoo.load({str(folder)!r})")
    return 0


def _import_pix2pix(args):
    from pathlib import Path

    from keras_gans import zoo
    from keras_gans.pix2pix import pix2pix_game_from_torch
    from keras_gans.pix2pix.networks import norm_of

    game = pix2pix_game_from_torch(args.g, image_size=args.image_size)
    size = args.image_size or game.image_size
    norm = norm_of(game.generator)
    card = {
        "title": f"{Path(args.out).name}: pix2pix converted from an official PyTorch checkpoint",
        "summary": (
            f"Generator converted from {Path(args.g).name} (a pytorch-CycleGAN-and-pix2pix UnetGenerator, "
            f"unet_{game.image_size}, norm={norm!r}) by `keras-gans zoo import-pix2pix`; discriminator "
            "freshly initialised (not converted)."
        ),
        "task": "paired image-to-image translation (RGB, values in [-1, 1])",
        "preprocessing": {"image_size": size, "channels": int(game.generator.inputs[0].shape[-1]),
                          "value_range": [-1, 1]},
        "training": {"converted_from": [str(args.g)]},
        "limits": [
            "Not measured by keras_gans: converted weights, see their original model card.",
            "translate() runs the generator as the authors' test.py does by default (mode='authors': each image "
            "normalised by its own batch statistics, dropout on, so outputs vary with the seed); mode='eval' "
            "(their --eval: running statistics, no dropout) is deterministic.",
        ],
    }
    folder = zoo.save(game, Path(args.out), card=card, overwrite=args.overwrite,
                      weights_dtype="float16" if args.float16 else "float32")
    print(f"wrote zoo entry {folder}: kg.zoo.load({str(folder)!r})")
    return 0


def register(subparsers):
    p = subparsers.add_parser("zoo", help="list and describe the pretrained models")
    sub = p.add_subparsers(dest="zoo_command", metavar="ZOO_COMMAND")
    p_list = sub.add_parser("list", help="names (and tasks) of the entries found")
    p_list.set_defaults(func=_list)
    p_info = sub.add_parser("info", help="an entry's card data as JSON")
    p_info.add_argument("name", help="entry name or path to an entry folder")
    p_info.set_defaults(func=_info)
    p_ins = sub.add_parser(
        "install", help="copy entries (sha256-checked) where kg.zoo.load finds them from any folder")
    p_ins.add_argument("path", help="an entry folder, or a folder of entries (a keras_gans checkout's zoo/)")
    p_ins.add_argument("--overwrite", action="store_true", help="replace entries installed already")
    p_ins.set_defaults(func=_install)
    p_imp = sub.add_parser(
        "import-cyclegan",
        help="official pytorch-CycleGAN generators (latest_net_G_A.pth, latest_net_G_B.pth) -> a zoo entry",
    )
    p_imp.add_argument("g_a", help="generator A -> B (.pth, resnet_9blocks or 6blocks, instance norm)")
    p_imp.add_argument("g_b", help="generator B -> A (.pth)")
    p_imp.add_argument("--out", "--name", dest="out", required=True,
                       help="entry folder to write (its name is the entry's name), e.g. ~/zoo/apple2orange")
    p_imp.add_argument("--image-size", type=int, default=None, help="fix the input size (default: any)")
    p_imp.add_argument("--float16", action="store_true", help="store the weights as float16")
    p_imp.add_argument("--overwrite", action="store_true")
    p_imp.set_defaults(func=_import_cyclegan)
    p_p2p = sub.add_parser(
        "import-pix2pix",
        help="an official pytorch pix2pix generator (latest_net_G.pth, unet_256/unet_128) -> a zoo entry",
    )
    p_p2p.add_argument("g", help="the generator (.pth: UnetGenerator, batch or instance norm)")
    p_p2p.add_argument("--out", required=True,
                       help="entry folder to write (its name is the entry's name), e.g. ~/zoo/edges2shoes")
    p_p2p.add_argument("--image-size", type=int, default=None,
                       help="fix the input size (default: any multiple of 2**num_downs)")
    p_p2p.add_argument("--float16", action="store_true", help="store the weights as float16")
    p_p2p.add_argument("--overwrite", action="store_true")
    p_p2p.set_defaults(func=_import_pix2pix)
    p.set_defaults(func=lambda args: p.print_help() or 2)
