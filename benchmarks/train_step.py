"""Training-step speed of every keras_gans game against native PyTorch, in one run.

Games (``--game``, comma-separated or ``all``) at two shape sets (``--shape``):

| game | ``cpu``: what the CPU recipes train | ``paper``: the published setting |
|---|---|---|
| dcgan | DCGAN 64x64, batch 64 (dcgan_flowers64) | batch 128 |
| wgan_gp | DCGAN 64x64 G, critic without norm, GP 10, 5 critic steps, batch 64 | same |
| cyclegan | 128 px, 6 blocks, ngf 32, batch 1 (cyclegan_apple2orange) | 256 px, 9 blocks, ngf 64 |
| srresnet | SRResNet-16, pixel MSE, 96 px HR, batch 16 (srresnet_x4) | same |
| srgan | SRResNet-16 + SRGAN D, MSE content (srgan_x4's SRGAN-MSE) | VGG19-5.4 content |

For each game it times ``--repeats`` blocks of ``--steps`` ``train_on_batch``
calls (after the compiling first call and 2 warm-up steps) on every backend in
``--backends`` (one subprocess each) and the native PyTorch yardstick
``../shared/bench/reference_torch.py`` (via ``benchmarks/reference_runner.py``)
in each of its settings (default and ``--channels-last``), and prints a table:

    s/step (median and min over the blocks), images/s, ratio = our images/s /
    the FASTEST native setting's images/s (> 1: we are faster), GFLOP/s and %
    of the CPU's fp32 peak.

FLOPs of a step are counted once, on the native step, by torch's per-op
formulas (convolutions and matrix products, forward and backward) from the
tensor shapes; both sides run the same networks and update rules, so the same
count is used for every row. Peak = cores x fp32 FMA lanes per core x 2 x
clock (``/proc/cpuinfo``: AVX-512 16 lanes, AVX2 8, per FMA unit; 2 FMA units
per core unless ``--fma-units``). Weights and images are random: speed only.

    # the full CPU table (quiet machine: nothing else running)
    python benchmarks/train_step.py --backends tensorflow,jax,torch --game all --shape cpu \\
        --steps 3 --repeats 3 --out benchmarks/results/cpu.jsonl
    # one backend, in this process (KERAS_BACKEND), without the reference
    env KERAS_BACKEND=jax python benchmarks/train_step.py --game dcgan --batch 8 --steps 2 --no-reference
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_utils import cpu_peak, git_commit, json_line

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
REFERENCE = REPO.parent / "shared" / "bench" / "reference_torch.py"
GAME_NAMES = ("dcgan", "wgan_gp", "cyclegan", "srresnet", "srgan")
SHAPES = {
    "cpu": {
        "dcgan": dict(batch=64),
        "wgan_gp": dict(batch=64),
        "cyclegan": dict(batch=1, size=128, blocks=6, ngf=32),
        "srresnet": dict(batch=16, size=96, blocks=16),
        "srgan": dict(batch=16, size=96, content="mse"),
    },
    "paper": {
        "dcgan": dict(batch=128),
        "wgan_gp": dict(batch=64),
        "cyclegan": dict(batch=1, size=256, blocks=9, ngf=64),
        "srresnet": dict(batch=16, size=96, blocks=16),
        "srgan": dict(batch=16, size=96, content="vgg54"),
    },
}


# ------------------------------------------------------------------ the games, with keras_gans
def _adam(lr, b1, b2=0.999):
    import keras

    return keras.optimizers.Adam(lr, beta_1=b1, beta_2=b2)


def build_game(name, shape, rng):
    """(game, compile kwargs, train_on_batch args) for one benchmark game."""
    import keras
    import numpy as np

    import keras_gans as kg

    batch = shape["batch"]
    if name in ("dcgan", "wgan_gp"):
        g = kg.architectures.dcgan_generator(100, 64, 3, 64, seed=0)
        real = rng.uniform(-1, 1, (batch, 64, 64, 3)).astype("float32")
        if name == "dcgan":
            d = kg.architectures.dcgan_discriminator(64, 3, 64, seed=1)
            game = kg.GAN(g, d, latent_dim=100, loss="non_saturating", seed=0)
            return game, dict(g_optimizer=_adam(2e-4, 0.5), d_optimizer=_adam(2e-4, 0.5)), (real,)
        d = kg.architectures.dcgan_discriminator(64, 3, 64, seed=1, norm=None)
        game = kg.WGANGP(g, d, latent_dim=100, seed=0)
        return game, dict(g_optimizer=_adam(1e-4, 0.0, 0.9), d_optimizer=_adam(1e-4, 0.0, 0.9)), (real,)
    if name == "cyclegan":
        size, blocks, ngf = shape["size"], shape["blocks"], shape["ngf"]
        c = kg.cyclegan
        game = kg.CycleGAN(
            c.resnet_generator(blocks, ngf, seed=0), c.resnet_generator(blocks, ngf, seed=1),
            c.patchgan_discriminator(seed=2), c.patchgan_discriminator(seed=3),
            loss="least_squares", cycle_weight=10.0, identity_weight=0.5, pool_size=50,
            image_shape=(size, size, 3), seed=0,
        )
        x_a = rng.uniform(-1, 1, (batch, size, size, 3)).astype("float32")
        x_b = rng.uniform(-1, 1, (batch, size, size, 3)).astype("float32")
        return game, dict(g_optimizer=_adam(2e-4, 0.5), d_optimizer=_adam(2e-4, 0.5)), (x_a, x_b)
    size = shape["size"]
    hr_img = rng.integers(0, 256, (batch, size, size, 3), dtype=np.uint8)
    lr_img = hr_img[:, ::4, ::4]  # the step's cost does not depend on how LR was made
    if name == "srresnet":
        g = kg.srgan.srresnet(scale=4, blocks=shape["blocks"], filters=64)
        game = kg.SRGAN(g, None, content_loss="mse", adversarial_weight=0, seed=0)
        return game, dict(g_optimizer=_adam(1e-4, 0.9)), (lr_img, hr_img)
    if shape["content"] == "vgg54":
        vgg = keras.applications.VGG19(include_top=False, weights=None, input_shape=(size, size, 3))
        content = kg.srgan.FeatureLoss(vgg, layer="block5_conv4", weight=1 / 12.75**2)
    else:
        content = "mse"
    game = kg.SRGAN(
        kg.srgan.srresnet(scale=4, blocks=16, filters=64),
        kg.srgan.srgan_discriminator(image_size=size),
        content_loss=content, adversarial_weight=1e-3, seed=0,
    )
    return game, dict(g_optimizer=_adam(1e-4, 0.9), d_optimizer=_adam(1e-4, 0.9)), (lr_img, hr_img)


def time_keras(name, shape, steps, repeats, jit, policy="float32"):
    """This process's backend: {first_step_s, s_per_step_blocks, ...}."""
    import keras
    import numpy as np

    keras.mixed_precision.set_global_policy(policy)  # before the game is built

    game, opts, data = build_game(name, shape, np.random.default_rng(0))
    game.compile(**opts, jit_compile=jit)
    t0 = time.perf_counter()
    logs = game.train_on_batch(*data, return_dict=True)
    [float(v) for v in logs.values()]
    first = time.perf_counter() - t0
    for _ in range(2):
        game.train_on_batch(*data)
    blocks = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(steps):
            logs = game.train_on_batch(*data, return_dict=True)
        [float(v) for v in logs.values()]  # wait for the device
        blocks.append((time.perf_counter() - t0) / steps)
    suffix = "" if policy == "float32" else f" {policy}"
    return {"impl": f"keras-{keras.backend.backend()}{suffix}", "backend": keras.backend.backend(), "policy": policy,
            "keras": keras.__version__, "first_step_s": first, "s_per_step_blocks": blocks}


# ------------------------------------------------------------------ subprocesses
def run_backend(backend, name, shape, args):
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", "--game", name,
           "--shape-json", json.dumps(shape), "--steps", str(args.steps),
           "--repeats", str(args.repeats), "--jit", args.jit, "--policy", args.policy]
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return json_line(subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=7200), cmd)


def run_reference(name, shape, args, channels_last, flops):
    cmd = [sys.executable, str(HERE / "reference_runner.py"), "--reference", args.reference,
           "--game", name, "--steps", str(args.steps), "--repeats", str(args.repeats)]
    for key, value in shape.items():
        cmd += [f"--{key}", str(value)]
    cmd += ["--channels-last"] * channels_last + ["--flops"] * flops
    cmd += ["--threads", str(args.threads)] if args.threads else []
    return json_line(subprocess.run(cmd, capture_output=True, text=True, timeout=7200), cmd)


def summarize(row, batch, flops, peak, fastest_ref):
    blocks = row["s_per_step_blocks"]
    med = statistics.median(blocks)
    row.update(s_per_step_median=med, s_per_step_min=min(blocks), img_per_s=batch / med)
    if flops:
        row.update(gflops_per_s=flops / med / 1e9, pct_peak=100 * flops / med / 1e9 / peak)
    if fastest_ref:
        row["ratio_vs_fastest_native"] = row["img_per_s"] / fastest_ref
    return row


def table(rows, machine):
    lines = [f"CPU: {machine['cpu']}, {machine['cores']} cores, {machine['isa']}, {machine['ghz']} GHz: "
             f"fp32 peak {machine['peak_gflops']} GFLOP/s "
             f"({machine['cores']} x {machine['fp32_lanes']} lanes x {machine['fma_units']} FMA x 2 x clock)",
             "", "| game | shape | impl | s/step median (min) | img/s | vs fastest native | GFLOP/s | % peak |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        ratio = f"{r['ratio_vs_fastest_native']:.2f}x" if "ratio_vs_fastest_native" in r else "-"
        gf = f"{r['gflops_per_s']:.1f}" if "gflops_per_s" in r else "-"
        pct = f"{r['pct_peak']:.0f}%" if "pct_peak" in r else "-"
        lines.append(f"| {r['game']} | {r['shape_name']} | {r['impl']} | {r['s_per_step_median']:.3f} "
                     f"({r['s_per_step_min']:.3f}) | {r['img_per_s']:.2f} | {ratio} | {gf} | {pct} |")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--game", default="all", help=f"all or a comma list of {', '.join(GAME_NAMES)}")
    p.add_argument("--shape", default="cpu", choices=sorted(SHAPES))
    p.add_argument("--batch", type=int, help="override the shape set's batch")
    p.add_argument("--size", type=int, help="override the image / HR crop size (cyclegan, sr games)")
    p.add_argument("--blocks", type=int, help="override the residual blocks (cyclegan, srresnet)")
    p.add_argument("--ngf", type=int, help="override the CycleGAN generator filters")
    p.add_argument("--steps", type=int, default=5, help="steps per timed block")
    p.add_argument("--repeats", type=int, default=3, help="timed blocks (median and min are reported)")
    p.add_argument("--backends", default=None,
                   help="comma list of Keras backends, each timed in its own process (default: this "
                        "process's KERAS_BACKEND, in process)")
    p.add_argument("--jit", default="auto", choices=["auto", "true", "false"],
                   help="compile(jit_compile=...): auto (Keras' default), true, false")
    p.add_argument("--policy", default="float32", choices=["float32", "mixed_bfloat16", "mixed_float16"],
                   help="Keras dtype policy of the keras_gans rows (the native reference stays float32)")
    p.add_argument("--reference", default=str(REFERENCE))
    p.add_argument("--reference-settings", default="default,channels_last",
                   help="native settings to time; the fastest is the yardstick")
    p.add_argument("--no-reference", action="store_true")
    p.add_argument("--threads", type=int, default=None, help="torch threads of the native reference")
    p.add_argument("--fma-units", type=int, default=2, help="FMA units per core, for the peak")
    p.add_argument("--out", default=None, help="append every row as a JSON line to this file")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--shape-json", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    jit = {"auto": "auto", "true": True, "false": False}[args.jit]
    names = GAME_NAMES if args.game == "all" else args.game.split(",")
    bad = [n for n in names if n not in GAME_NAMES]
    if bad:
        p.error(f"unknown game(s) {bad}: expected 'all' or a comma list of {', '.join(GAME_NAMES)}")
    if args.worker:
        os.environ.setdefault("KERAS_BACKEND", "jax")
        print(json.dumps(time_keras(names[0], json.loads(args.shape_json), args.steps, args.repeats, jit, args.policy)))
        return 0
    if not args.no_reference and not Path(args.reference).is_file():
        p.error(f"reference not found: {args.reference} (pass --reference PATH or --no-reference)")
    machine = cpu_peak(args.fma_units)
    stamp = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
             "commit": git_commit(), **machine}
    rows = []
    for name in names:
        shape = dict(SHAPES[args.shape][name])
        for key in ("batch", "size", "blocks", "ngf"):
            if getattr(args, key) is not None and (key in shape or key == "batch"):
                shape[key] = getattr(args, key)
        base = {"game": name, "shape_name": args.shape, "batch": shape["batch"], "shape": shape,
                "steps": args.steps, "jit_compile": args.jit, **stamp}
        game_rows, flops = [], None
        if not args.no_reference:
            for i, setting in enumerate(s for s in args.reference_settings.split(",") if s):
                ref = run_reference(name, shape, args, setting == "channels_last", flops=i == 0)
                flops = ref.pop("step_flops", flops)
                game_rows.append({**base, **ref})
        if args.backends:
            for backend in args.backends.split(","):
                game_rows.append({**base, **run_backend(backend, name, shape, args)})
        else:
            game_rows.append({**base, **time_keras(name, shape, args.steps, args.repeats, jit, args.policy)})
        refs = [statistics.median(r["s_per_step_blocks"]) for r in game_rows if r["impl"].startswith("torch-native")]
        fastest = shape["batch"] / min(refs) if refs else None
        for row in game_rows:
            row = summarize(row, shape["batch"], flops, machine["peak_gflops"], fastest)
            if flops:
                row["step_gflop"] = flops / 1e9
            # kept for older readers of this script's JSON
            if row["impl"].startswith("keras-"):
                row.update(keras_img_per_s=row["img_per_s"], keras_s_per_step=row["s_per_step_median"])
            rows.append(row)
            print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}), flush=True)
            if args.out:
                Path(args.out).parent.mkdir(parents=True, exist_ok=True)
                with open(args.out, "a") as f:
                    f.write(json.dumps(row) + "\n")
    print()
    print(table(rows, machine))
    return 0


if __name__ == "__main__":
    sys.exit(main())
