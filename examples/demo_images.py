"""Inputs for `make demo` that exist on a fresh machine: scikit-image's
astronaut photo (NASA, public domain), downscaled x4 to 128x128 for the SR
demo, written to outputs/astronaut_lr.png; and, when ../shared/data is there,
one held-out apple photo copied to outputs/apple.jpg (otherwise the demo
prints the command to run on a photo of your own)."""

import shutil
import sys
from pathlib import Path


def main(out="outputs"):
    from PIL import Image
    from skimage import data

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    lr = Image.fromarray(data.astronaut()).resize((128, 128), Image.BICUBIC)
    lr.save(out / "astronaut_lr.png")
    print(f"wrote {out / 'astronaut_lr.png'} (scikit-image's astronaut, NASA, public domain, 512 -> 128 px)")
    apple = Path(__file__).resolve().parents[2] / "shared" / "data" / "fruit_apple_orange" / "testA" / "apple_77.jpg"
    if apple.is_file():
        shutil.copyfile(apple, out / "apple.jpg")
        print(f"copied a held-out apple to {out / 'apple.jpg'}")
        return 0
    print("no ../shared/data here: translate a photo of your own with\n"
          "  keras-gans translate cyclegan_apple2orange your_apple.jpg -o orange.jpg")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
