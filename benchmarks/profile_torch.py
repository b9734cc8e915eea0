"""Which ops take the time: ``torch.profiler`` over a few training steps of one
game on Keras' torch backend and of the same game in native PyTorch (the
yardstick), side by side, grouped by op (self CPU time, % of the total).

    env KERAS_BACKEND=torch python benchmarks/profile_torch.py --game srresnet --steps 3

The shapes are ``train_step.py``'s ``--shape`` sets. Layout work shows up as
``aten::permute`` / ``aten::copy_`` / ``aten::clone`` (Keras keeps images
NHWC, torch's convolutions want NCHW); convolution kernels as
``aten::mkldnn_convolution`` / ``aten::convolution_backward``.
"""

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
from torch.profiler import ProfilerActivity, profile  # noqa: E402

import reference_runner  # noqa: E402
import train_step  # noqa: E402


def top_ops(fn, steps, n):
    for _ in range(2):
        fn()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(steps):
            fn()
    events = prof.key_averages()
    total = sum(e.self_cpu_time_total for e in events)
    rows = sorted(events, key=lambda e: -e.self_cpu_time_total)[:n]
    return total / steps / 1e6, [(e.key, e.self_cpu_time_total / total, e.count // steps) for e in rows]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--game", default="srresnet", choices=train_step.GAME_NAMES)
    p.add_argument("--shape", default="cpu", choices=sorted(train_step.SHAPES))
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--top", type=int, default=12)
    a = p.parse_args(argv)
    shape = train_step.SHAPES[a.shape][a.game]
    game, opts, data = train_step.build_game(a.game, shape, np.random.default_rng(0))
    game.compile(**opts)
    ref = reference_runner.load_reference(reference_runner.REFERENCE)
    native_shape = {k: v for k, v in shape.items() if k != "batch"}
    native = reference_runner.make_step(ref, a.game, shape["batch"], native_shape, False)
    for name, fn in [("keras-torch", lambda: game.train_on_batch(*data)), ("torch-native", native)]:
        seconds, rows = top_ops(fn, a.steps, a.top)
        print(f"\n{name} {a.game} ({a.shape} shape): {seconds:.3f} s of op self-time per step")
        for key, share, count in rows:
            print(f"  {share * 100:5.1f}%  {count:5d}/step  {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
