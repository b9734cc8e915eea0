"""``keras-gans demo [--out outputs]``: the README's main job, offline on the
shipped zoo weights: three trained GANs sampled into PNG grids, a photo
super-resolved x4 and, when ``../shared/data`` is there, a held-out apple
turned into an orange. Rewrites its own files in ``--out``."""

from pathlib import Path


def _run(args):
    out = Path(args.out).expanduser()
    from keras_gans.cli import main

    steps = [
        ["generate", "dcgan_mnist", "-n", "64", "-o", str(out / "dcgan_mnist.png"), "--seed", "0"],
        ["generate", "cdcgan_mnist", "-n", "64", "-o", str(out / "cdcgan_mnist_3.png"), "--label", "3", "--seed", "0"],
        ["generate", "dcgan_flowers64", "-n", "64", "-o", str(out / "dcgan_flowers64.png"), "--seed", "0"],
    ]
    status = 0
    for step in steps:
        status |= main(step + ["--overwrite"])
    try:
        from PIL import Image
        from skimage import data
    except ImportError:
        print("scikit-image is not installed: skipping the super-resolution demo "
              "(keras-gans upscale srresnet_x4 photo.png -o photo_x4.png on a photo of your own)")
    else:
        lr = out / "astronaut_lr.png"
        Image.fromarray(data.astronaut()).resize((128, 128), Image.BICUBIC).save(lr)
        print(f"wrote {lr} (scikit-image's astronaut, NASA, public domain, 512 -> 128 px)")
        status |= main(["upscale", "srresnet_x4", str(lr), "-o", str(out / "astronaut_x4.png"), "--overwrite"])
    from keras_gans.paths import data_dir

    apple = Path(data_dir()) / "fruit_apple_orange" / "testA" / "apple_77.jpg"
    if apple.is_file():
        status |= main(["translate", "cyclegan_apple2orange", str(apple), "-o", str(out / "apple_as_orange.png"),
                        "--overwrite"])
    else:
        print("no ../shared/data here: translate a photo of your own with\n"
              "  keras-gans translate cyclegan_apple2orange your_apple.jpg -o orange.jpg")
    print(f"outputs written to {out}")
    return status


def register(subparsers):
    p = subparsers.add_parser("demo", help="the main job: sample, upscale and translate with the shipped zoo")
    p.add_argument("--out", default="outputs", help="folder for the images (default ./outputs)")
    p.set_defaults(func=_run)
