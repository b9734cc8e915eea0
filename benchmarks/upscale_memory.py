"""Peak memory of a tiled ``upscale`` (the hostile-input issue's "huge image"
case): for each (input size, tile), a fresh process loads the model, runs a
small warm-up, then upscales one random uint8 image and reports

    peak RSS during the upscale - RSS before it   (the upscale's own memory)

next to the output's bytes, and the target "1 GB + 3 x output bytes".

    python benchmarks/upscale_memory.py --model srresnet_x4 --size 1000x750 --tile 256 128
    python benchmarks/upscale_memory.py --model tiny --size 8000x6000 --tile 256

``--model tiny`` is a 1-block, 8-filter SRResNet (random weights): the same
tiling code at a fraction of the compute, for sizes the real model would take
hours over on a CPU.
"""

import argparse
import json
import subprocess
import sys

CHILD = r"""
import json, os, resource, sys, time
import numpy as np
spec, w, h, tile = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
import keras, keras_gans as kg
if spec == "tiny":
    keras.utils.set_random_seed(0)
    model = kg.srgan.srresnet(scale=4, blocks=1, filters=8)
else:
    model = kg.zoo.load(spec)
up = model.upscale if hasattr(model, "upscale") else (lambda im, tile: kg.srgan.upscale_images(model, im, 4, tile=tile))
up(np.zeros((tile + 8, tile + 8, 3), np.uint8), tile=tile)  # warm-up: builds and compiles one window shape
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
before = rss()
img = np.random.default_rng(0).integers(0, 256, (h, w, 3), dtype=np.uint8)
t = time.perf_counter()
out = up(img, tile=tile)
wall = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"model": spec, "input": [w, h], "tile": tile, "output_bytes": out.nbytes,
                  "rss_before": before, "peak_rss": peak, "upscale_bytes": peak - before, "wall_s": wall}))
"""


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="srresnet_x4", help="zoo entry, or 'tiny'")
    p.add_argument("--size", nargs="+", default=["1000x750"], help="input sizes WxH")
    p.add_argument("--tile", nargs="+", type=int, default=[256], help="tile sides (LR pixels)")
    args = p.parse_args(argv)
    rows = []
    for size in args.size:
        w, h = (int(v) for v in size.lower().split("x"))
        for tile in args.tile:
            out = subprocess.run([sys.executable, "-c", CHILD, args.model, str(w), str(h), str(tile)],
                                 capture_output=True, text=True, check=True)
            row = json.loads(out.stdout.strip().splitlines()[-1])
            row["target_bytes"] = 2**30 + 3 * row["output_bytes"]
            rows.append(row)
            mb = lambda b: f"{b / 2**20:,.0f} MB"  # noqa: E731
            print(f"{args.model} {w}x{h} tile {tile}: output {mb(row['output_bytes'])}, upscale peak "
                  f"{mb(row['upscale_bytes'])} (target < {mb(row['target_bytes'])}), "
                  f"{row['wall_s']:.0f} s", flush=True)
    return rows


if __name__ == "__main__":
    main()
