"""Inference speed in seconds per megapixel of OUTPUT, and peak memory:
keras_gans on each Keras backend against native PyTorch and ONNX Runtime,
same networks, same weights, same image, in one run.

Networks (``--which``: ``all``, ``translate``, ``upscale`` or a comma list of names):

| name | network | default input |
|---|---|---|
| apple2orange_6x32 | zoo ``cyclegan_apple2orange``'s ``generator_ab`` (6 blocks, ngf 32) | 1024x768 photo |
| resnet9_ngf64 | ``kg.cyclegan.resnet_generator(9, 64, seed=0)`` (the paper's) | 1024x768 photo |
| srresnet_x4 | zoo ``srresnet_x4`` (SRResNet-16) | 512x384 LR |
| rrdbnet_x4 | ``kg.esrgan.rrdbnet(scale=4)``: 23 RRDBs (RealESRGAN_x4plus') | 256x256 LR |
| realesr_general_x4v3 | ``kg.esrgan.srvgg_net_compact(num_feat=64, num_conv=32)`` | 512x384 LR |
| realesr_animevideov3 | ``kg.esrgan.srvgg_net_compact(num_feat=64, num_conv=16)`` | 512x384 LR |

The last three have seeded random weights (``seeded_weights``). The image is
scikit-image's astronaut resized (Lanczos) to the size.

Rows, each the median (min, max) of ``--repeats`` timed calls after a warm-up
call, uint8 image in -> uint8 image out, and the peak RSS over warm-up and
calls (with the RSS before):

- ``keras-BACKEND tiled``: ``translate_any_size(g, photo, 0, tile=T)``
  (``kg.cyclegan.translate``) / ``upscale_images(g, lr, 4, tile=T)``
  (``kg.srgan.upscale``): the full-resolution path, ``kg.streaming`` layer by
  layer in T-pixel tiles (instance norms with whole-image statistics): exact;
- ``keras-BACKEND whole``: the same calls with ``tile=None``, where the
  estimate (``MEMORY``) fits ``--max-whole-gb``;
- ``torch-native default`` / ``channels_last``: the same network in plain
  PyTorch (``inference_native.py``), ``torch.inference_mode``, the whole
  image (no exact tiled path there), at the benchmarked size when it fits
  ``--native-max-gb``, else at the largest top-left crop that does;
- ``onnxruntime``: the file ``keras-gans export --onnx`` writes (dynamic image
  size), whole, at the native rows' size;
- ``--low-precision`` policies (``mixed_bfloat16``, ``mixed_float16``) on
  ``--low-precision-backends`` (torch) and ``--low-precision-paths``
  (tiled): the network rebuilt under the policy with the float32 weights,
  and its PSNR against the float32 output of the same path (keep: >= 40 dB).

``vs native`` = the fastest native setting's s/MP / the row's (> 1: faster).
Before timing, each float32 path's float output on the native rows' image
must equal native PyTorch's to one uint8 level at most and 1e-4 on average (``SAME``; images in [0, 1]; ONNX Runtime's to 1e-3),
or the run stops: a benchmark of a wrong network is worthless. One process
per engine, each on ``--threads`` CPUs, in this order: prepare (weights, ONNX
files, images; torch backend), native PyTorch, ONNX Runtime, each backend.

    # the real measurement (quiet machine)
    python benchmarks/inference.py --backends tensorflow,jax,torch --threads 2 --repeats 3 \\
        --out benchmarks/results/inference.jsonl
    python benchmarks/inference.py --which translate --sizes 4000x3000 --paths tiled --repeats 1
    # smoke run: tiny sizes, one repeat
    python benchmarks/inference.py --quick --which apple2orange_6x32,srresnet_x4 --backends torch
"""

import argparse
import datetime
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_utils import (PeakMemory, check_close, cpu_info, git_commit, json_lines, pin_threads, thread_env,
                         time_summary, timed_calls)

HERE = Path(__file__).resolve().parent
NATIVE = HERE / "inference_native.py"
#: the float outputs of a Keras path and native PyTorch (images in [0, 1]) must agree to a uint8 level
#: at most and 1e-4 on average: float rounding through 20-40 layers (TF's convolutions on the 6-block
#: resize-convolution CycleGAN reach 1.3e-3 at 1024x768), never a different network or weights
SAME = (1 / 255, 1e-4)

#: Whole-image memory, bytes per output pixel, by engine: peak RSS over warm-up and timed calls
#: minus the RSS before, at 320x240 (translate) / 64x48 LR (upscale) with --threads 1, rounded up
#: (the fixed part included: an over-estimate at larger sizes). Rows estimated over --max-whole-gb
#: are skipped; native runs are cropped to fit --native-max-gb.
MEMORY = {
    "apple2orange_6x32": dict(tensorflow=5300, jax=6600, torch=4100, native=900),
    "resnet9_ngf64": dict(tensorflow=10300, jax=14600, torch=9900, native=2400),
    "srresnet_x4": dict(tensorflow=1600, jax=1200, torch=5300, native=2000),
    "rrdbnet_x4": dict(tensorflow=2800, jax=2900, torch=3200, native=2000),
    "realesr_general_x4v3": dict(tensorflow=300, jax=320, torch=1400, native=200),
    "realesr_animevideov3": dict(tensorflow=250, jax=250, torch=920, native=200),
}
_SEEDED_SRVGG = dict(gain=1.4, last_gain=0.1, last_bias=0.0)
NETWORKS = {
    "apple2orange_6x32": dict(
        family="translate", zoo="cyclegan_apple2orange", size=(1024, 768),
        title="zoo cyclegan_apple2orange generator_ab: ResNet generator, 6 blocks, ngf 32, resize-convolution",
        native=dict(arch="cyclegan", n_blocks=6, ngf=32, upsample="nearest", out_range=(-1, 1))),
    "resnet9_ngf64": dict(
        family="translate", size=(1024, 768),
        title="kg.cyclegan.resnet_generator(9, 64, seed=0), random weights: the paper's generator",
        native=dict(arch="cyclegan", n_blocks=9, ngf=64, out_range=(-1, 1))),
    "srresnet_x4": dict(
        family="upscale", zoo="srresnet_x4", size=(512, 384),
        title="zoo srresnet_x4: SRResNet, 16 blocks, 64 filters",
        native=dict(arch="srresnet", scale=4, blocks=16, filters=64, out_range=(-1, 1))),
    "rrdbnet_x4": dict(
        family="upscale", size=(256, 256), random=dict(gain=0.8, last_gain=0.1, last_bias=0.5),
        title="kg.esrgan.rrdbnet(scale=4), seeded random weights: RRDBNet x4, 23 blocks (RealESRGAN_x4plus')",
        native=dict(arch="rrdbnet", scale=4, num_block=23, num_feat=64, num_grow_ch=32, out_range=(0, 1))),
    "realesr_general_x4v3": dict(
        family="upscale", size=(512, 384), random=_SEEDED_SRVGG,
        title="kg.esrgan.srvgg_net_compact(num_feat=64, num_conv=32), seeded random weights: realesr-general-x4v3's",
        native=dict(arch="srvgg", scale=4, num_feat=64, num_conv=32, out_range=(0, 1))),
    "realesr_animevideov3": dict(
        family="upscale", size=(512, 384), random=_SEEDED_SRVGG,
        title="kg.esrgan.srvgg_net_compact(num_feat=64, num_conv=16), seeded random weights: realesr-animevideov3's",
        native=dict(arch="srvgg", scale=4, num_feat=64, num_conv=16, out_range=(0, 1))),
}
FAMILIES = {"translate": dict(scale=1, in_range=(-1, 1), quick=(48, 32), quick_tile=32),
            "upscale": dict(scale=4, in_range=(0, 1), quick=(24, 16), quick_tile=16)}


# ------------------------------------------------------------------ the Keras side (workers)
def keras_network(key, files=None):
    """The Keras network ``key``: a zoo entry's generator, or (random
    weights) built here the first time and loaded from ``files["keras"]``
    after, so that every backend runs the same weights."""
    import keras

    import keras_gans as kg

    spec = NETWORKS[key]
    if spec.get("zoo"):
        game = kg.zoo.load(spec["zoo"])
        return game.generator_ab if spec["family"] == "translate" else game.generator
    if files is not None and Path(files["keras"]).is_file():
        return keras.saving.load_model(files["keras"], compile=False)
    n = spec["native"]
    if n["arch"] == "cyclegan":
        return kg.cyclegan.resnet_generator(n["n_blocks"], n["ngf"], seed=0)
    if n["arch"] == "rrdbnet":
        model = kg.esrgan.rrdbnet(scale=n["scale"], num_block=n["num_block"], num_feat=n["num_feat"],
                                  num_grow_ch=n["num_grow_ch"])
    else:
        model = kg.esrgan.srvgg_net_compact(num_feat=n["num_feat"], num_conv=n["num_conv"], upscale=n["scale"])
    return seeded_weights(model, **spec["random"])


def seeded_weights(model, gain, last_gain, last_bias, seed=0):
    """``model`` with weights drawn from a seeded generator: kernels N(0,
    gain^2 / fan_in) (the last one times ``last_gain``), biases N(0, 0.01^2)
    (the last one plus ``last_bias``), PReLU slopes 0.25 + N(0, 0.05^2).
    Keras' default initialisation leaves SRVGGNetCompact's residual near zero
    and saturates most of RRDBNet's output: the check against native PyTorch
    would see little of the network."""
    import numpy as np

    rng = np.random.default_rng(seed)
    kernels = [w for w in model.weights if w.path.endswith("/kernel")]
    biases = [w for w in model.weights if w.path.endswith("/bias")]
    values = []
    for w in model.weights:
        shape = tuple(w.shape)
        if w.path.endswith("/kernel"):
            std = gain / math.sqrt(math.prod(shape[:-1])) * (last_gain if w is kernels[-1] else 1.0)
            v = rng.normal(0.0, std, shape)
        elif w.path.endswith("/alpha"):
            v = 0.25 + 0.05 * rng.normal(size=shape)
        else:
            v = 0.01 * rng.normal(size=shape) + (last_bias if w is biases[-1] else 0.0)
        values.append(v.astype("float32"))
    model.set_weights(values)
    return model


def photo(width, height):
    """scikit-image's astronaut (512x512, shipped with it) resized to the size;
    a smooth synthetic picture where scikit-image is missing."""
    import numpy as np
    from PIL import Image

    try:
        from skimage.data import astronaut

        source = Image.fromarray(astronaut())
    except ImportError:
        y, x = np.mgrid[0:512, 0:512] / 512.0
        source = Image.fromarray((np.stack([x, y, 0.5 + 0.5 * np.sin(8 * x * y)], -1) * 255).astype(np.uint8))
    return np.asarray(source.convert("RGB").resize((width, height), Image.LANCZOS))


def prepare(plan):
    """Weights for the native side, the ONNX files and the images, once (torch backend)."""
    import numpy as np
    from keras import ops

    from keras_gans.cli import main as cli

    for entry in plan["networks"]:
        files = entry["files"]
        model = keras_network(entry["key"])
        if not NETWORKS[entry["key"]].get("zoo"):
            model.save(files["keras"])
        np.savez(files["weights_npz"], **{w.path: ops.convert_to_numpy(w) for w in model.weights})
        np.save(files["image"], photo(*entry["size"]))
        if plan["onnx"]:
            source = NETWORKS[entry["key"]].get("zoo") or files["keras"]
            with open(os.devnull, "w") as quiet:  # keep stdout for the JSON lines
                stdout, sys.stdout = sys.stdout, quiet
                try:
                    code = cli(["export", source, "--onnx", files["onnx"], "--overwrite"])
                finally:
                    sys.stdout = stdout
            if code != 0:
                raise RuntimeError(f"keras-gans export {source} --onnx failed ({code})")
        print(json.dumps({"prepared": entry["key"]}), flush=True)


def with_policy(model, policy):
    """``model`` rebuilt with every layer under the dtype ``policy``, the same weights."""
    import keras

    keras.mixed_precision.set_global_policy(policy)  # for the layers blocks create inside themselves
    try:
        clone = keras.models.clone_model(
            model, clone_function=lambda layer: layer.__class__.from_config({**layer.get_config(), "dtype": policy}))
    finally:
        keras.mixed_precision.set_global_policy("float32")
    clone.set_weights(model.get_weights())
    return clone


def psnr_u8(a, b):
    import numpy as np

    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else 10 * math.log10(255.0**2 / mse)


def _calls(entry):
    """(uint8 call, float [0, 1] call) of the benchmarked library function, each f(model, image, tile)."""
    import numpy as np

    from keras_gans.cyclegan.translate import translate_any_size, translate_images
    from keras_gans.images import to_model_range
    from keras_gans.srgan.upscale import upscale_images

    if entry["family"] == "translate":
        def as_float(m, img, tile):  # what translate_any_size runs, on floats (sizes are multiples of 4)
            tiled = tile if tile is not None and max(img.shape[:2]) > tile else None
            return np.clip((translate_images(m, to_model_range(img), tile=tiled) + 1.0) * 0.5, 0.0, 1.0)

        return (lambda m, img, tile: translate_any_size(m, img, 0, tile=tile)), as_float
    return ((lambda m, img, tile: upscale_images(m, img, 4, tile=tile)),
            lambda m, img, tile: upscale_images(m, img.astype(np.float32) / np.float32(255.0), 4, tile=tile))


def keras_rows(entry, plan, backend):
    """Every row of one network on this process's backend."""
    import numpy as np

    model = keras_network(entry["key"], entry["files"])
    image = np.load(entry["files"]["image"])
    native_file = Path(entry["files"]["native_out"])
    native = np.load(native_file) if native_file.is_file() else None
    w, h = entry["native_size"]
    check_image = np.ascontiguousarray(image[:h, :w])
    run_u8, run_float = _calls(entry)
    policies = ["float32"] + (plan["low_precision"] if backend in plan["low_precision_backends"] else [])
    float32_out = {}
    for policy in policies:
        try:
            m = model if policy == "float32" else with_policy(model, policy)
        except Exception as e:  # noqa: BLE001  (a policy a backend cannot build is a row, not a crash)
            yield _keras_row(entry, backend, policy, "tiled", error=f"{type(e).__name__}: {e}")
            continue
        for path in [p for p in entry["paths"] if policy == "float32" or p in plan["low_precision_paths"]]:
            tile = entry["tile"] if path == "tiled" else None
            skipped = entry["skip"].get(path) or entry["skip"].get(f"{path} {backend}")
            if skipped:
                yield _keras_row(entry, backend, policy, path, tile=tile, skipped=skipped)
                continue
            extra = {}
            try:
                with PeakMemory() as memory:
                    if policy == "float32" and native is not None:  # the check is the warm-up
                        extra["max_diff_vs_native"] = check_close(
                            f"{entry['key']} keras-{backend} {path}", run_float(m, check_image, tile), native, *SAME)
                        if check_image.shape != image.shape:
                            run_u8(m, image, tile)  # warm-up at the benchmarked size
                    else:
                        run_u8(m, image, tile)  # warm-up
                    out, times = timed_calls(lambda img: run_u8(m, img, tile), image, plan["repeats"])
            except AssertionError:
                raise
            except Exception as e:  # noqa: BLE001
                if policy == "float32":
                    raise
                yield _keras_row(entry, backend, policy, path, tile=tile, error=f"{type(e).__name__}: {e}")
                continue
            if policy == "float32":
                float32_out[path] = out
                if native is not None and out.shape == native.shape:
                    extra["max_level_diff_vs_native"] = int(np.abs(
                        out.astype(np.int16) - np.round(native * 255.0).astype(np.int16)).max())
            elif path in float32_out:
                extra["psnr_vs_float32_db"] = round(psnr_u8(out, float32_out[path]), 2)
            yield _keras_row(entry, backend, policy, path, tile=tile, times_s=times, **memory.fields(), **extra)
            del out


def _keras_row(entry, backend, policy, path, tile=None, **fields):
    scale = FAMILIES[entry["family"]]["scale"]
    w, h = entry["size"]
    if entry["family"] == "translate":
        call = f"translate_any_size(g, photo, 0, tile={tile})"
    else:
        call = f"upscale_images(g, lr, 4, tile={tile})"
    what = (f"{call}: kg.streaming, layer by layer in {tile}-px tiles (exact)" if tile
            else f"{call}: the whole image in one call")
    return {"network": entry["key"], "family": entry["family"], "impl": f"keras-{backend}", "backend": backend,
            "policy": policy, "path": path, "what": what, "size": f"{w}x{h}", "output_size": f"{w * scale}x{h * scale}",
            "output_mp": w * h * scale * scale / 1e6, "tile": tile, **fields}


def keras_worker(plan):
    import keras

    backend = keras.backend.backend()
    for entry in plan["networks"]:
        for row in keras_rows(entry, plan, backend):
            print(json.dumps(row), flush=True)


# ------------------------------------------------------------------ the plan (orchestrator)
def parse_size(text):
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise ValueError(f"--sizes: a size is WIDTHxHEIGHT (e.g. 1024x768); got {text!r}") from None
    if w < 4 or h < 4:
        raise ValueError(f"--sizes: a size needs sides of at least 4; got {text!r}")
    return w, h


def selected(which):
    names = []
    for item in which.split(","):
        if item == "all":
            names += list(NETWORKS)
        elif item in FAMILIES:
            names += [k for k, v in NETWORKS.items() if v["family"] == item]
        elif item in NETWORKS:
            names.append(item)
        else:
            raise ValueError(f"--which: unknown {item!r}; expected all, {', '.join(FAMILIES)} or a comma list of "
                             f"{', '.join(NETWORKS)}")
    return list(dict.fromkeys(names))


def sizes_for(args):
    """{network: (w, h)} from ``--sizes`` items: ``WxH`` (every translate
    network) or ``NAME=WxH`` (a network or a family)."""
    out = {}
    for item in args.sizes or []:
        target, _, size = item.rpartition("=")
        keys = selected(target) if target else selected("translate")
        for key in keys:
            out[key] = parse_size(size)
    return out


def _fit(size, bytes_per_px, scale, limit_gb):
    """``size`` if a whole-image run fits in ``limit_gb``, else the largest
    crop (same aspect, sides multiples of 4) that does; and the estimate (GB)."""
    w, h = size
    est = bytes_per_px * w * h * scale * scale / 1e9
    if est <= limit_gb:
        return [w, h], est
    f = math.sqrt(limit_gb / est)
    return [max(4, int(w * f) // 4 * 4), max(4, int(h * f) // 4 * 4)], est


def make_plan(args, workdir):
    overrides = sizes_for(args)
    paths = [p for p in args.paths.split(",") if p]
    if not paths or set(paths) - {"tiled", "whole"}:
        raise ValueError(f"--paths: a comma list of tiled, whole; got {args.paths!r}")
    networks = []
    for key in selected(args.which):
        spec, fam = NETWORKS[key], FAMILIES[NETWORKS[key]["family"]]
        size = overrides.get(key) or (fam["quick"] if args.quick else spec["size"])
        if spec["family"] == "translate" and (size[0] % 4 or size[1] % 4):
            raise ValueError(f"{key}: translate sizes must be multiples of 4 (the generator's); got {size}")
        tile = fam["quick_tile"] if args.quick else (args.tile_translate if spec["family"] == "translate"
                                                     else args.tile_upscale)
        native_size, native_gb = _fit(size, MEMORY[key]["native"], fam["scale"], args.native_max_gb)
        skip = {}
        if not tile or (max(size) <= tile if spec["family"] == "translate" else size[0] <= tile and size[1] <= tile):
            skip["tiled"] = f"the image fits one {tile}-px tile: the library runs it whole"
        for backend in args.backends.split(","):
            gb = _fit(size, MEMORY[key].get(backend, max(MEMORY[key].values())), fam["scale"], args.max_whole_gb)[1]
            if gb > args.max_whole_gb:
                skip[f"whole {backend}"] = f"the whole image needs ~{gb:.0f} GB > --max-whole-gb {args.max_whole_gb}"
        files = {k: str(workdir / f"{key}{ext}") for k, ext in (
            ("keras", ".keras"), ("weights_npz", ".weights.npz"), ("onnx", ".onnx"), ("image", ".image.npy"),
            ("native_out", ".native.npy"))}
        networks.append({"key": key, "family": spec["family"], "title": spec["title"], "size": list(size),
                         "scale": fam["scale"], "in_range": list(fam["in_range"]), "tile": tile,
                         "native": {**spec["native"], "out_range": list(spec["native"]["out_range"])},
                         "native_size": native_size, "native_est_gb": native_gb, "paths": paths, "skip": skip,
                         "files": files})
    return {"threads": args.threads, "repeats": args.repeats, "onnx": not (args.no_onnx or args.no_native),
            "native_max_gb": args.native_max_gb, "low_precision": [p for p in args.low_precision.split(",") if p],
            "low_precision_backends": args.low_precision_backends.split(","),
            "low_precision_paths": args.low_precision_paths.split(","), "networks": networks}


# ------------------------------------------------------------------ running and reporting
def run_worker(cmd, env, timeout):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **env,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE.parent), os.environ.get("PYTHONPATH")]))}
    t0 = time.perf_counter()
    rows = json_lines(subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout), cmd)
    print(f"# {time.perf_counter() - t0:.0f} s: KERAS_BACKEND={env.get('KERAS_BACKEND', '-')} "
          f"{' '.join(map(str, cmd[1:]))}", file=sys.stderr, flush=True)
    return rows


def finish(rows, stamp):
    """Summaries, the ratio to the fastest native setting of each network, the stamp."""
    for row in rows:
        if row.get("times_s"):
            row.update(time_summary(row.pop("times_s"), row["output_mp"]))
    best = {}
    for row in rows:
        if row["impl"].startswith("torch-native") and "s_per_mp_median" in row:
            best[row["network"]] = min(best.get(row["network"], math.inf), row["s_per_mp_median"])
    for row in rows:
        if "s_per_mp_median" in row and row["network"] in best:
            row["ratio_vs_native_best"] = best[row["network"]] / row["s_per_mp_median"]
        row.update(stamp)
    return rows


def _check(row):
    if "psnr_vs_float32_db" in row:
        return f"PSNR {row['psnr_vs_float32_db']} dB vs fp32"
    if row.get("max_diff_vs_native") is not None and row["impl"] != "torch-native default":
        return f"max diff {row['max_diff_vs_native']:.1e}"
    return ""


def table(rows, plan, machine, threads):
    flags = ", ".join(f"{f} {'yes' if machine[f] else 'no'}" for f in ("avx2", "avx512f", "avx512_bf16", "amx"))
    lines = [f"CPU: {machine['cpu']} (family {machine['cpu_family']}, model {machine['cpu_model']}; {flags}), "
             f"{threads} threads; commit {rows[0]['commit'] if rows else ''}", "",
             "| network | impl | policy | path | input -> output | tile | s/MP median (min-max) "
             "| peak RSS MB (+ over the RSS before) | vs native best | check |", "|---" * 10 + "|"]
    for r in rows:
        if "s_per_mp_median" in r:
            t = f"{r['s_per_mp_median']:.3f} ({r['s_per_mp_min']:.3f}-{r['s_per_mp_max']:.3f})"
            ratio = f"{r['ratio_vs_native_best']:.2f}x" if "ratio_vs_native_best" in r else "-"
            mem = f"{r['peak_rss_mb']:,.0f} (+{r['peak_rss_mb'] - r['rss_before_mb']:,.0f})"
        else:
            t = f"skipped: {r['skipped']}" if r.get("skipped") else f"failed: {r.get('error')}"
            ratio = mem = "-"
        lines.append(f"| {r['network']} | {r['impl']} | {r['policy']} | {r['path']} | {r['size']} -> "
                     f"{r['output_size']} | {r['tile'] or '-'} | {t} | {mem} | {ratio} | {_check(r)} |")
    lines += ["", "Networks:"] + [f"- {e['key']}: {e['title']}" for e in plan["networks"]]
    lines += ["", "What each row runs (uint8 in -> uint8 out, median of the timed calls after a warm-up):"]
    lines += [f"- {what}" for what in dict.fromkeys(r["what"] for r in rows)]
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--which", default="all", help=f"all, translate, upscale, or a comma list of {', '.join(NETWORKS)}")
    p.add_argument("--sizes", nargs="+", metavar="[NAME=]WxH",
                   help="input sizes: WxH for the translate photos (e.g. 2048x1536, 4000x3000), NAME=WxH for a "
                        "network or family (upscale: the LR size, e.g. upscale=640x480)")
    p.add_argument("--backends", default="tensorflow,jax,torch", help="Keras backends, one process each")
    p.add_argument("--threads", type=int, default=2, help="CPU threads of every engine")
    p.add_argument("--repeats", type=int, default=None, help="timed calls per row after a warm-up call (3; --quick: 1)")
    p.add_argument("--tile-translate", type=int, default=512,
                   help="tile of translate's streaming (kg.cyclegan.translate.DEFAULT_TILE)")
    p.add_argument("--tile-upscale", type=int, default=192,
                   help="LR tile of upscale's streaming (keras-gans upscale's default)")
    p.add_argument("--paths", default="tiled,whole", help="Keras rows: tiled (kg.streaming), whole, or both")
    p.add_argument("--max-whole-gb", type=float, default=12.0,
                   help="skip Keras whole-image rows estimated above it (MEMORY; 1024x768 fits every network)")
    p.add_argument("--native-max-gb", type=float, default=8.0,
                   help="native PyTorch / ONNX Runtime run the whole image, shrunk (top-left crop) to fit this")
    p.add_argument("--low-precision", default="mixed_bfloat16,mixed_float16",
                   help="comma list of Keras policies to try after float32 ('' for none)")
    p.add_argument("--low-precision-backends", default="torch")
    p.add_argument("--low-precision-paths", default="tiled", help="the paths the low-precision rows run")
    p.add_argument("--no-native", action="store_true",
                   help="no native PyTorch rows (hence no output check and no ONNX Runtime rows)")
    p.add_argument("--no-onnx", action="store_true")
    p.add_argument("--quick", action="store_true",
                   help="smoke run: tiny sizes (translate 48x32, tile 32; upscale LR 24x16, tile 16), 1 repeat")
    p.add_argument("--workdir", default=None, help="where weights, ONNX files and images go (default: a temp dir)")
    p.add_argument("--out", default=None, help="append every row as a JSON line to this file")
    p.add_argument("--dry-run", action="store_true", help="print the sizes, crops and skipped rows; run nothing")
    p.add_argument("--worker", choices=("prepare", "keras"), help=argparse.SUPPRESS)
    p.add_argument("--plan", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        plan = json.loads(Path(args.plan).read_text())
        pin_threads(plan["threads"])
        (prepare if args.worker == "prepare" else keras_worker)(plan)
        return 0
    if args.repeats is None:
        args.repeats = 1 if args.quick else 3
    try:
        workdir = Path(args.workdir or tempfile.mkdtemp(prefix="keras_gans_inference_"))
        workdir.mkdir(parents=True, exist_ok=True)
        plan = make_plan(args, workdir)
    except ValueError as e:
        p.error(str(e))
    plan_file = workdir / "plan.json"
    plan_file.write_text(json.dumps(plan, indent=1))
    if args.dry_run:
        for e in plan["networks"]:
            print(f"{e['key']}: {e['size'][0]}x{e['size'][1]}, tile {e['tile']}, paths {','.join(e['paths'])}; native "
                  f"{e['native_size'][0]}x{e['native_size'][1]} (whole ~{e['native_est_gb']:.1f} GB); "
                  + "; ".join(f"{k}: {v}" for k, v in e["skip"].items()))
        return 0
    env = thread_env(args.threads)
    me = [sys.executable, str(Path(__file__).resolve())]
    run_worker(me + ["--worker", "prepare", "--plan", plan_file], {**env, "KERAS_BACKEND": "torch"}, 7200)
    rows = []
    if not args.no_native:
        rows += run_worker([sys.executable, NATIVE, "--plan", plan_file, "--engine", "torch"], env, 7200)
        if plan["onnx"]:
            rows += run_worker([sys.executable, NATIVE, "--plan", plan_file, "--engine", "onnxruntime"], env, 7200)
    for backend in [b for b in args.backends.split(",") if b]:
        rows += run_worker(me + ["--worker", "keras", "--plan", plan_file], {**env, "KERAS_BACKEND": backend}, 14400)
    machine = cpu_info()
    stamp = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
             "commit": git_commit(), "threads": args.threads, "repeats": args.repeats, **machine}
    rows = finish(rows, stamp)
    for row in rows:
        print(json.dumps(row), flush=True)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        with open(args.out, "a") as f:
            f.writelines(json.dumps(row) + "\n" for row in rows)
    print()
    print(table(rows, plan, machine, args.threads))
    return 0


if __name__ == "__main__":
    sys.exit(main())
