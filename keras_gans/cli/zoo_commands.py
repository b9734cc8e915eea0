"""``keras-gans zoo list``, ``keras-gans zoo info NAME``, ``keras-gans zoo
install PATH``, ``keras-gans zoo import-cyclegan G_A.pth G_B.pth --name NAME``,
``keras-gans zoo import-pix2pix G.pth --out DIR`` and ``keras-gans zoo import-sr WEIGHTS.pth --out DIR``."""

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


def sr_import_card(path, found, folder, licence=None):
    """The card of a zoo entry converted from an SR checkpoint ``path``
    (``found``: ``kg.esrgan.identify``'s answer): source file and sha256,
    licence, and the authors' published numbers when the file is one of
    ``kg.esrgan.CHECKPOINTS`` (recognised by its file name)."""
    from pathlib import Path

    from keras_gans.esrgan import checkpoint_info
    from keras_gans.files import sha256_file

    path = Path(path)
    config = found["config"]
    scale = config.get("scale", config.get("upscale"))
    known, entry = checkpoint_info(path.name)
    entry = entry or {}
    name = folder.name
    what = entry.get("description") or found["description"]
    source = {
        "converted_from": path.name,
        "sha256": sha256_file(path),
        "size": path.stat().st_size,
        "layout": found["layout"],
        "converted_by": f"keras-gans zoo import-sr {path.name} --out {name}",
    }
    if known:
        source.update({"checkpoint": known, "published_at": entry.get("url") or entry.get("page")})
    if licence is None:
        licence = entry.get("licence") or (
            "Unknown to keras_gans: this file is not one of kg.esrgan.CHECKPOINTS; the licence of its source "
            "applies (pass --licence to record it).")
    evaluate = f"keras-gans evaluate-sr {name} --data ../shared/data/Set5 --scale {scale}"
    limits = ["Converted, not trained, by keras_gans: the outputs equal the PyTorch network's within float32 "
              "rounding (the converter's tests); the weights' quality is the authors'."]
    published = entry.get("published")
    if published:
        shown = ", ".join(f"{k} {v} dB" for k, v in published.items() if k != "source")
        limits.append(f"PSNR as published by the authors, not measured by keras_gans: {shown} "
                      f"({published['source']}).")
    limits.append("Not measured by keras_gans" + ("" if published else "; the authors publish no PSNR for this file")
                  + f": measure with `{evaluate}`.")
    card = {
        "title": f"{name}: {what}, converted from {path.name}",
        "summary": (f"{what}, converted from the PyTorch checkpoint {path.name} by `keras-gans zoo import-sr`. "
                    f"Use: `keras-gans upscale {name} in.png -o out.png` or `kg.zoo.load(...).upscale(uint8)`."),
        "task": f"single-image super-resolution, x{scale}",
        "architecture": f"{found['description']}, read from the {found['layout']}; "
                        f"kg.esrgan.{found['architecture']}(**{config})",
        "licence": licence,
        "preprocessing": {"image_size": None, "channels": config.get("in_channels", 3), "scale": scale,
                          "value_range": [-1, 1], "input_value_range": [0, 1],
                          "note": "generator: LR RGB in [0, 1] -> HR RGB in [-1, 1] (the authors' [0, 1] output "
                                  "x 2 - 1); upscale() handles uint8"},
        "training": source,
        "evaluation": {"command": evaluate},
        "limits": limits,
    }
    if published:
        card["evaluation"]["published"] = published
        card["evaluation"]["published_note"] = "as published by the authors, not measured by keras_gans"
    return card


def _import_sr(args):
    from pathlib import Path

    import keras_gans as kg
    from keras_gans import zoo

    found = kg.esrgan.identify(args.weights, scale=args.scale, act_type=args.act_type, res_scale=args.res_scale)
    generator = kg.esrgan.from_torch(found["state_dict"], scale=args.scale, act_type=args.act_type,
                                     res_scale=args.res_scale, name="generator")
    game = kg.SRGAN(generator, None, adversarial_weight=0)
    folder = Path(args.out).expanduser()
    card = sr_import_card(args.weights, found, folder, args.licence)
    folder = zoo.save(game, folder, card=card, overwrite=args.overwrite)
    print(f"wrote zoo entry {folder} ({found['architecture']} x{game.scale}): kg.zoo.load({str(folder)!r}), "
          f"keras-gans upscale {folder} in.png -o out.png")
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
    p_sr = sub.add_parser(
        "import-sr",
        help="an ESRGAN / Real-ESRGAN / BasicSR checkpoint (.pth: RRDBNet, SRVGGNetCompact, MSRResNet, EDSR) "
             "-> a zoo entry",
    )
    p_sr.add_argument("weights", help="the .pth file (e.g. RealESRGAN_x4plus.pth); its layout is recognised")
    p_sr.add_argument("--out", required=True,
                      help="entry folder to write (its name is the entry's name), e.g. ~/zoo/realesrgan_x4plus")
    p_sr.add_argument("--licence", default=None,
                      help="the weights' licence for the card (default: the known checkpoint's, else 'unknown')")
    p_sr.add_argument("--scale", type=int, default=None,
                      help="RRDBNet only, when the file cannot say (input and output channels differ)")
    p_sr.add_argument("--act-type", choices=("prelu", "relu", "leakyrelu"), default=None,
                      help="SRVGGNetCompact without PReLU weights: its activation")
    p_sr.add_argument("--res-scale", type=float, default=None,
                      help="EDSR only: residual scaling (default 0.1 for 256 features, else 1)")
    p_sr.add_argument("--overwrite", action="store_true")
    p_sr.set_defaults(func=_import_sr)
    p.set_defaults(func=lambda args: p.print_help() or 2)
