"""``keras-gans train GAME ...``: train a game on your own folders of images.

    keras-gans train dcgan --images flowers/ --image-size 64 --epochs 50 --out run/
    keras-gans train wgan-gp --images flowers/ --image-size 64 --epochs 50 --out run/
    keras-gans train cdcgan --images digits/ --image-size 28 --channels 1 --out run/   (one sub-folder per class)
    keras-gans train cyclegan --a trainA/ --b trainB/ --image-size 128 --epochs 200 --out run/
    keras-gans train pix2pix --pairs facades/train --direction BtoA --epochs 200 --out run/   (A|B side by side)
    keras-gans train pix2pix --pairs edges/ --targets photos/ --image-size 128 --out run/    (matching file names)
    keras-gans train srresnet --hr T91/ --epochs 100 --out run/
    keras-gans train srgan --hr T91/ --init srresnet_x4 --out run/
    keras-gans train cyclegan --a mine_A/ --b mine_B/ --init cyclegan_apple2orange --out run/
    keras-gans train dcgan --images flowers/ --distribute data-parallel --out run/   (JAX, TF: every device)

The run folder holds ``backup/`` (kill-safe checkpoints: the same command
goes on from the exact batch where it stopped), ``samples/epoch_XXXX.png``
(each epoch), ``log.csv`` (the losses per epoch) and, at the end,
``game.keras`` (``keras.saving.load_model``, or ``keras-gans export`` to a zoo
entry), and ``run.json`` (backend, distribution, devices, command), which
``keras-gans export`` copies into the card.
"""

import contextlib
import json
import sys
from pathlib import Path

GAMES = ("dcgan", "cdcgan", "wgan-gp", "cyclegan", "pix2pix", "srresnet", "srgan")
# each paper's batch size
DEFAULT_BATCH = {"dcgan": 64, "cdcgan": 64, "wgan-gp": 64, "cyclegan": 1, "pix2pix": 1, "srresnet": 16, "srgan": 16}


def _need(args, *names):
    missing = [f"--{n.replace('_', '-')}" for n in names if getattr(args, n) is None]
    if missing:
        raise ValueError(f"train {args.game} needs {' and '.join(missing)} (see keras-gans train --help).")


def _data(args):
    import keras_gans as kg

    if args.game in ("dcgan", "cdcgan", "wgan-gp"):
        _need(args, "images")
        return kg.data.image_folder(args.images, args.image_size, batch_size=args.batch_size,
                                    flip=True, seed=args.seed, channels=args.channels,
                                    labels=args.game == "cdcgan")
    if args.game == "cyclegan":
        _need(args, "a", "b")
        return kg.data.unpaired(args.a, args.b, args.image_size, batch_size=args.batch_size, seed=args.seed)
    if args.game == "pix2pix":
        _need(args, "pairs")
        return kg.data.paired(args.pairs, args.targets, args.image_size, batch_size=args.batch_size,
                              direction=args.direction, seed=args.seed)
    _need(args, "hr")
    return kg.data.sr_pairs(args.hr, scale=4, patch_size=args.image_size, batch_size=args.batch_size,
                            steps_per_epoch=args.steps_per_epoch, seed=args.seed)


def _game(args, data=None):
    import keras_gans as kg

    expected = {"dcgan": kg.GAN, "cdcgan": kg.ConditionalGAN, "wgan-gp": kg.GAN, "cyclegan": kg.CycleGAN,
                "pix2pix": kg.Pix2Pix, "srresnet": kg.SRGAN, "srgan": kg.SRGAN}[args.game]
    if args.init:
        game = kg.zoo.load(args.init)
        if not isinstance(game, expected):
            raise ValueError(f"--init {args.init} is a {type(game).__name__}; train {args.game} needs a {expected.__name__}.")
        if args.game == "srgan" and game.discriminator is None:
            game = kg.SRGAN(game.generator, kg.srgan.srgan_discriminator(image_size=args.image_size),
                            adversarial_weight=1e-3, seed=args.seed)
        return game
    f = args.filters
    if args.game == "dcgan":
        return kg.GAN(kg.architectures.dcgan_generator(100, args.image_size, args.channels, f or 64, seed=args.seed),
                      kg.architectures.dcgan_discriminator(args.image_size, args.channels, f or 64, seed=args.seed),
                      latent_dim=100, loss="non_saturating", seed=args.seed)
    if args.game == "cdcgan":  # classes: the sub-folders of --images
        n = len(data.class_names) if args.num_classes is None else args.num_classes
        A = kg.architectures
        return kg.ConditionalGAN(A.dcgan_generator(100, args.image_size, args.channels, f or 64, num_classes=n, seed=args.seed),
                                 A.dcgan_discriminator(args.image_size, args.channels, f or 64, num_classes=n, seed=args.seed),
                                 latent_dim=100, num_classes=n, seed=args.seed)
    if args.game == "wgan-gp":  # the paper's critic has no batch norm (the penalty is per sample)
        return kg.WGANGP(kg.architectures.dcgan_generator(100, args.image_size, args.channels, f or 64, seed=args.seed),
                         kg.architectures.dcgan_discriminator(args.image_size, args.channels, f or 64, seed=args.seed,
                                                              norm=None),
                         latent_dim=100, seed=args.seed)
    if args.game == "cyclegan":
        return kg.CycleGAN.official(n_blocks=args.n_blocks, filters=f or 64, seed=args.seed)
    if args.game == "pix2pix":
        return kg.Pix2Pix.official(num_downs=kg.pix2pix.networks.unet_depth(args.image_size), filters=f or 64,
                                   seed=args.seed)
    g = kg.srgan.srresnet(scale=4, blocks=args.n_blocks, filters=f or 64)
    if args.game == "srresnet":
        return kg.SRGAN(g, None, adversarial_weight=0, seed=args.seed)
    return kg.SRGAN(g, kg.srgan.srgan_discriminator(image_size=args.image_size), adversarial_weight=1e-3, seed=args.seed)


def _samples_callback(folder, data, game_name):
    """``kg.callbacks.SampleGrid`` writing ``samples/epoch_XXXX.png`` each
    epoch: 16 ``generate`` samples for GANs, [input | output] rows for
    CycleGAN, [input | output | target] rows for pix2pix and [bicubic |
    output | HR] rows for super-resolution, on the first 4 of the first batch."""
    import keras_gans as kg

    if game_name in ("dcgan", "cdcgan", "wgan-gp"):
        return kg.callbacks.SampleGrid(folder, n=16)
    first = data[0]
    inputs = first[0] if game_name == "cyclegan" else (first[0], first[1])
    return kg.callbacks.SampleGrid(folder, n=4, inputs=inputs)


def _distribution(args):
    """Set up ``--distribute``: ``(scope, what run.json records)``; the game is built and compiled in
    ``with scope():``."""
    import contextlib

    from keras_gans import backend

    if args.distribute == "none":
        return contextlib.nullcontext, {"distribution": "none"}
    try:
        return backend.data_parallel(args.batch_size)
    except ValueError as e:
        raise ValueError(f"--distribute {args.distribute}: {e}") from None


def _run(args):
    import keras

    import keras_gans as kg

    out = Path(args.out).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    scope, distribution = _distribution(args)
    record = {"game": args.game, "backend": keras.backend.backend(), **distribution,
              "command": " ".join(["keras-gans", *sys.argv[1:]]) if sys.argv[0].endswith("keras-gans") else None}
    (out / "run.json").write_text(json.dumps(record, indent=1) + "\n")
    if args.image_size is None and args.init:
        args.image_size = (kg.zoo.info(args.init).get("preprocessing") or {}).get("image_size")
    if args.image_size is None:
        args.image_size = {"dcgan": 64, "cdcgan": 64, "wgan-gp": 64, "cyclegan": 256, "pix2pix": 256, "srresnet": 96,
                           "srgan": 96}[args.game]
    with scope():  # tf.distribute: variables are created (and compiled) in the strategy's scope
        if args.game == "cdcgan" and not args.init:  # the classes come from the data
            data = _data(args)
            game = _game(args, data)
        else:
            game = _game(args)  # a wrong --init fails before any image is read
            data = _data(args)
    lr = args.lr or {"dcgan": 2e-4, "cdcgan": 2e-4, "wgan-gp": 1e-4, "cyclegan": 2e-4, "pix2pix": 2e-4, "srresnet": 1e-4,
                     "srgan": 1e-4}[args.game]
    betas = {"dcgan": (0.5, 0.999), "cdcgan": (0.5, 0.999), "wgan-gp": (0.0, 0.9), "cyclegan": (0.5, 0.999),
             "pix2pix": (0.5, 0.999)}.get(args.game, (0.9, 0.999))

    def adam():  # each paper's Adam
        return keras.optimizers.Adam(lr, beta_1=betas[0], beta_2=betas[1])

    with scope():
        optimizers = {"g_optimizer": adam()}
        if args.game != "srresnet":  # SRResNet training has no discriminator
            optimizers["d_optimizer"] = adam()
        game.compile(**optimizers)
    callbacks = [
        kg.callbacks.BackupAndRestore(out / "backup", save_freq=args.save_every, delete_checkpoint=False),
        kg.callbacks.TerminateOnNaN(),
        keras.callbacks.CSVLogger(str(out / "log.csv"), append=True),
        _samples_callback(out / "samples", data, args.game),
        kg.callbacks.ProgressLog(every=60.0),
    ]
    if args.time_limit:
        callbacks.append(kg.callbacks.TimeLimit(args.time_limit))
    game.fit(data, epochs=args.epochs, callbacks=callbacks, verbose=0)
    if getattr(game, "stopped_by_time_limit", False):
        print(f"stopped by --time-limit; run the same command to go on from {out / 'backup'}")
        return 0
    game.save(out / "game.keras")
    print(f"wrote {out / 'game.keras'}; make it a zoo entry with: keras-gans export {out / 'game.keras'} --out ENTRY_FOLDER")
    return 0


def _export(args):
    import keras_gans as kg

    from keras_gans.cli import check_outputs

    src = Path(args.model).expanduser()
    if src.is_dir() and (src / "game.keras").is_file():
        src = src / "game.keras"
    elif not src.exists() and src.suffix == ".keras":
        raise FileNotFoundError(f"{src} does not exist: pass a run folder (holding game.keras), a .keras file or a zoo entry.")
    model = kg.zoo.load_any(src, safe_mode=not args.unsafe_load)
    if args.saved_model:
        return _export_saved_model(model, Path(args.saved_model).expanduser(), args)
    if args.onnx:
        return _export_onnx(model, Path(args.onnx).expanduser(), args)
    if not args.out:
        raise ValueError("export needs --out ENTRY_FOLDER (a zoo entry), --saved-model FOLDER or --onnx FILE.")
    folder = Path(args.out).expanduser()
    if (folder / "config.json").exists() and not args.overwrite:
        check_outputs([folder / "config.json"], False)
    run_json = src.parent / "run.json"
    training = {"source": str(src), **(json.loads(run_json.read_text()) if run_json.is_file() else {})}
    card = {"summary": args.summary or f"Exported by keras-gans export from {src.name}.",
            "training": training,
            "limits": ["Not measured: add metrics with the command that measured them."]}
    saved = kg.zoo.save(model, folder, card=card, overwrite=args.overwrite,
                        weights_dtype="float16" if args.float16 else "float32")
    print(f"wrote zoo entry {saved}: kg.zoo.load({str(saved)!r})")
    return 0


def _generator(model, direction):
    if hasattr(model, "generator_for"):
        return model.generator_for(direction)
    return getattr(model, "generator", model)


@contextlib.contextmanager
def _sample_size(n):
    """Keras traces an ONNX export with 1 for every unknown dim, too small for
    a network that reflect-pads by 3 (CycleGAN); trace with ``n`` for the
    unknown sides instead, and one sample (a batch of ``n`` would trace ``n``
    times the work: a minute for RRDBNet-23). The dims stay dynamic in the
    file. Uses a private Keras hook; without it the export runs as Keras does it."""
    try:
        from keras.src.export import onnx as keras_onnx
    except ImportError:  # pragma: no cover
        yield
        return
    original = getattr(keras_onnx, "convert_spec_to_tensor", None)
    if original is None:  # pragma: no cover
        yield
        return
    def sample(spec, replace_none_number=None):
        x = original(spec, replace_none_number=n)
        return x[:1] if tuple(spec.shape)[:1] == (None,) else x

    keras_onnx.convert_spec_to_tensor = sample
    try:
        yield
    finally:
        keras_onnx.convert_spec_to_tensor = original


def _export_onnx(model, file, args):
    """The generator as ONNX (Keras' ``Model.export(format="onnx")``, through
    ``torch.onnx`` on the torch backend; unknown image sizes stay dynamic)."""
    import numpy as np

    from keras_gans import backend

    if "onnx" not in backend.EXPORT_FORMATS:
        raise RuntimeError(
            f"--onnx runs on the torch backend here (Keras exports ONNX through torch.onnx; on "
            f"{backend.name} it needs tf2onnx / jax2onnx, not installed): run it with "
            "KERAS_BACKEND=torch. The weights are the same on every backend."
        )
    from keras_gans.cli import check_outputs

    check_outputs([file], args.overwrite)
    generator = _generator(model, args.direction)
    # Keras exports a model that has been called once
    generator(*[np.zeros([1] + [d or 16 for d in t.shape[1:]], str(t.dtype)) for t in generator.inputs])
    from keras_gans.files import atomic_path

    with atomic_path(file) as tmp, _sample_size(32):
        generator.export(str(tmp), format="onnx", verbose=False)
    print(f"wrote ONNX {file}: onnxruntime.InferenceSession({str(file)!r})")
    return 0


def _export_saved_model(model, folder, args):
    """The game's generator (``--direction`` for a CycleGAN) as a TF
    SavedModel (Keras' ``Model.export``): ``tf.saved_model.load(folder).serve(x)``
    with the generator's inputs (unknown sizes stay dynamic)."""
    from keras_gans import backend

    if "tf_saved_model" not in backend.EXPORT_FORMATS:
        raise RuntimeError(
            f"--saved-model needs the tensorflow or jax backend (Keras' Model.export); this is "
            f"{backend.name}. Run with KERAS_BACKEND=tensorflow."
        )
    if folder.exists() and any(folder.iterdir()) and not args.overwrite:
        raise FileExistsError(f"{folder} exists and is not empty; pass --overwrite to replace it.")
    generator = _generator(model, args.direction)
    generator.export(str(folder), format="tf_saved_model", verbose=False)
    print(f"wrote TF SavedModel {folder}: tf.saved_model.load({str(folder)!r}).serve(x)")
    return 0


def register(subparsers):
    p = subparsers.add_parser("train", help="train a game on your own image folders (resumable)",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("game", choices=GAMES)
    p.add_argument("--images", help="dcgan: folder of images (searched recursively)")
    p.add_argument("--a", help="cyclegan: folder of domain A images")
    p.add_argument("--b", help="cyclegan: folder of domain B images")
    p.add_argument("--hr", help="srresnet/srgan: folder of high-resolution images")
    p.add_argument("--pairs", help="pix2pix: folder of aligned pairs (A|B side by side in each image), or with "
                                   "--targets the folder of inputs")
    p.add_argument("--targets", help="pix2pix: folder of targets named as the --pairs inputs (two-folder layout)")
    p.add_argument("--direction", choices=("AtoB", "BtoA"), default="AtoB",
                   help="pix2pix: AtoB (default) learns A -> B (left half / --pairs -> right half / --targets)")
    p.add_argument("--out", required=True, help="run folder (checkpoints, samples, log.csv, game.keras)")
    p.add_argument("--image-size", type=int, default=None,
                   help="dcgan: 28, 32 or 64 (default 64); cyclegan, pix2pix: crop side (default 256; pix2pix's "
                        "U-Net: unet_256 from 256 px, unet_128 at 128); sr: HR patch side (default 96)")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=None, help="default: dcgan 64, cyclegan and pix2pix 1, sr 16")
    p.add_argument("--steps-per-epoch", type=int, default=1000, help="sr: batches per epoch (default 1000)")
    p.add_argument("--lr", type=float, default=None, help="Adam learning rate (default: the paper's)")
    p.add_argument("--filters", type=int, default=None, help="network width (default 64)")
    p.add_argument("--n-blocks", type=int, default=None, help="residual blocks (cyclegan 9, sr 16)")
    p.add_argument("--channels", type=int, default=3, choices=(1, 3), help="dcgan, cdcgan, wgan-gp: 1 = grey")
    p.add_argument("--num-classes", type=int, default=None, help="cdcgan: default the number of class sub-folders")
    p.add_argument("--init", default=None, help="start from a zoo entry (name or folder) to fine-tune it")
    p.add_argument("--save-every", type=int, default=200, help="checkpoint every N steps (default 200)")
    p.add_argument("--time-limit", type=float, default=None, help="seconds: stop cleanly (checkpoint kept) before then")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--distribute", choices=("none", "data-parallel"), default="none",
                   help="data-parallel: the batch split over every device (JAX: keras.distribution.DataParallel; "
                        "TensorFlow: tf.distribute.MirroredStrategy over the GPUs), recorded in run.json and the "
                        "exported card")
    p.set_defaults(func=_train_entry)

    e = subparsers.add_parser("export", help="a trained game (.keras or run folder) -> a zoo entry folder")
    e.add_argument("model", help="run folder (with game.keras), .keras file, or zoo entry")
    e.add_argument("--out", default=None, help="zoo entry folder to write (its name is the entry's name)")
    e.add_argument("--saved-model", default=None, help="write the generator as a TF SavedModel folder instead")
    e.add_argument("--onnx", default=None, help="write the generator as an ONNX file instead (torch backend)")
    e.add_argument("--direction", choices=("a2b", "b2a"), default="a2b", help="CycleGAN: which generator")
    e.add_argument("--summary", default=None, help="one line for the model card")
    e.add_argument("--float16", action="store_true", help="store the weights as float16 (half the size)")
    e.add_argument("--overwrite", action="store_true")
    e.add_argument("--unsafe-load", action="store_true", help="load a .keras file with Lambda layers (trusted files only)")
    e.set_defaults(func=_export)


def _train_entry(args):
    if args.batch_size is None:
        args.batch_size = DEFAULT_BATCH[args.game]
    if args.n_blocks is None:
        args.n_blocks = 9 if args.game == "cyclegan" else 16
    return _run(args)
