"""Where the step time goes: a stack of plain 3x3 convolutions (SRResNet's
body: 64 -> 64 channels, 24x24 LR maps, batch 16; or CycleGAN's residual
blocks at 128 px / ngf 32: 128 -> 128 channels, 32x32), trained with SGD on
an MSE, through Keras on each backend and in native PyTorch (NCHW and
channels-last), one process each.

No game logic, no norms, no optimizer state: what is left is the backend's
convolution kernels and the layout work around them. If a backend is slower
here by the same factor as in ``train_step.py``, the game code is not the
reason. Prints one line per implementation: s/step (median of ``--repeats``
blocks), GFLOP/s and the ratio to the fastest native setting.

    python benchmarks/conv_stack.py --backends tensorflow,jax,torch --case srresnet
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

CASES = {  # batch, side, channels, convs
    "srresnet": (16, 24, 64, 8),
    "cyclegan": (1, 32, 128, 8),
}


def flops(case):
    b, s, c, n = CASES[case]
    forward = 2 * b * s * s * 9 * c * c * n
    return 3 * forward - 2 * b * s * s * 9 * c * c  # no input gradient for the first conv


def keras_worker(case, steps, repeats, jit):
    import keras
    import numpy as np

    b, s, c, n = CASES[case]
    inputs = keras.Input((s, s, c))
    x = inputs
    for i in range(n):
        x = keras.layers.Conv2D(c, 3, padding="same", name=f"conv{i}")(x)
    model = keras.Model(inputs, x)
    model.compile(keras.optimizers.SGD(1e-6), "mse", jit_compile=jit)
    rng = np.random.default_rng(0)
    data = rng.standard_normal((b, s, s, c)).astype("float32"), rng.standard_normal((b, s, s, c)).astype("float32")
    for _ in range(3):
        model.train_on_batch(*data)
    blocks = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(steps):
            loss = model.train_on_batch(*data)
        float(loss)
        blocks.append((time.perf_counter() - t0) / steps)
    return {"impl": f"keras-{keras.backend.backend()}" + ("" if jit == "auto" else f"-jit-{jit}"), "blocks": blocks}


def native_worker(case, steps, repeats, channels_last):
    import torch
    from torch import nn

    b, s, c, n = CASES[case]
    model = nn.Sequential(*[nn.Conv2d(c, c, 3, 1, 1) for _ in range(n)])
    x, y = torch.randn(b, c, s, s), torch.randn(b, c, s, s)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        x, y = x.contiguous(memory_format=torch.channels_last), y.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), 1e-6)

    def step():
        loss = torch.mean((model(x) - y) ** 2)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss

    for _ in range(3):
        step()
    blocks = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(steps):
            loss = step()
        float(loss.detach())
        blocks.append((time.perf_counter() - t0) / steps)
    return {"impl": "torch-native" + ("-channels-last" if channels_last else ""), "blocks": blocks}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--case", default="srresnet", choices=sorted(CASES))
    p.add_argument("--backends", default="tensorflow,jax,torch")
    p.add_argument("--tf-jit", action="store_true", help="also time TensorFlow with jit_compile=True (XLA)")
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.worker:
        if a.worker.startswith("native"):
            row = native_worker(a.case, a.steps, a.repeats, a.worker == "native-cl")
        else:
            row = keras_worker(a.case, a.steps, a.repeats, True if a.worker == "jit" else "auto")
        print(json.dumps(row))
        return 0
    runs = [("native", None), ("native-cl", None)] + [("keras", b) for b in a.backends.split(",") if b]
    if a.tf_jit:
        runs.append(("jit", "tensorflow"))
    rows = []
    for worker, backend in runs:
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **({"KERAS_BACKEND": backend} if backend else {})}
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", worker, "--case", a.case,
               "--steps", str(a.steps), "--repeats", str(a.repeats)]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=3600)
        if proc.returncode:
            raise RuntimeError(proc.stderr[-3000:])
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        row["s_per_step"] = statistics.median(row["blocks"])
        row["gflops_per_s"] = flops(a.case) / row["s_per_step"] / 1e9
        rows.append(row)
    fastest = min(r["s_per_step"] for r in rows if r["impl"].startswith("torch-native"))
    for r in rows:
        r["ratio_vs_fastest_native"] = fastest / r["s_per_step"]
        print(json.dumps({"case": a.case, **{k: round(v, 4) if isinstance(v, float) else v for k, v in r.items()}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
