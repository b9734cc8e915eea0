"""Training-step throughput of keras_gans' games against native PyTorch.

For each game (DCGAN 64x64 batch 128, CycleGAN ResNet-9 + PatchGAN 256x256
batch 1, SRGAN SRResNet-16 + discriminator + VGG19-5.4 feature loss, 96x96 HR
batch 16) this builds the same networks and update rules as
``../shared/bench/reference_torch.py`` with keras_gans, times ``--steps``
``train_on_batch`` calls after warm-up (first call = compilation), then runs
the reference in a subprocess on the same device in the same run, and prints
one JSON line per game:

    {"game", "backend", "device", "batch", "keras_img_per_s", "torch_img_per_s", "ratio", ...}

``ratio`` = keras_gans images/s divided by native PyTorch images/s (> 1: we
are faster). Weights are random and data are random images: only speed is
measured. The VGG19 of the SRGAN content loss is built with random weights
(``keras.applications.VGG19(weights=None)``): same cost, no download.

    env KERAS_BACKEND=jax python benchmarks/train_step.py --game all --steps 30
    env KERAS_BACKEND=torch python benchmarks/train_step.py --game dcgan --jit   # torch.compile
    python benchmarks/train_step.py --game dcgan --batch 8 --steps 3 --reference-args=--steps=3

The reference is found at ``--reference`` (default: ``../shared/bench/
reference_torch.py`` next to the checkout); ``--no-reference`` skips it.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_gans as kg  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "bench" / "reference_torch.py"
DEFAULT_BATCH = {"dcgan": 128, "cyclegan": 1, "srgan": 16}


def _adam(lr, b1):
    return keras.optimizers.Adam(lr, beta_1=b1, beta_2=0.999)


def dcgan(batch, rng):
    g = kg.architectures.dcgan_generator(100, 64, 3, 64, seed=0)
    d = kg.architectures.dcgan_discriminator(64, 3, 64, seed=1)
    game = kg.GAN(g, d, latent_dim=100, loss="non_saturating", seed=0)
    opts = dict(g_optimizer=_adam(2e-4, 0.5), d_optimizer=_adam(2e-4, 0.5))
    real = rng.uniform(-1, 1, (batch, 64, 64, 3)).astype("float32")
    return game, opts, (real,)


def cyclegan(batch, rng, size=256):
    a = kg.cyclegan
    game = kg.CycleGAN(
        a.resnet_generator(9, 64, seed=0), a.resnet_generator(9, 64, seed=1),
        a.patchgan_discriminator(seed=2), a.patchgan_discriminator(seed=3),
        loss="least_squares", cycle_weight=10.0, identity_weight=0.5, pool_size=50,
        image_shape=(size, size, 3), seed=0,
    )
    opts = dict(g_optimizer=_adam(2e-4, 0.5), d_optimizer=_adam(2e-4, 0.5))
    x_a = rng.uniform(-1, 1, (batch, size, size, 3)).astype("float32")
    x_b = rng.uniform(-1, 1, (batch, size, size, 3)).astype("float32")
    return game, opts, (x_a, x_b)


def srgan(batch, rng, hr=96):
    vgg = keras.applications.VGG19(include_top=False, weights=None, input_shape=(hr, hr, 3))
    content = kg.srgan.FeatureLoss(vgg, layer="block5_conv4", weight=1 / 12.75**2)
    game = kg.SRGAN(
        kg.srgan.srresnet(scale=4, blocks=16, filters=64),
        kg.srgan.srgan_discriminator(image_size=hr),
        content_loss=content, adversarial_weight=1e-3, seed=0,
    )
    opts = dict(g_optimizer=_adam(1e-4, 0.9), d_optimizer=_adam(1e-4, 0.9))
    hr_img = rng.integers(0, 256, (batch, hr, hr, 3), dtype=np.uint8)
    lr_img = hr_img[:, ::4, ::4]  # the step's cost does not depend on how LR was made
    return game, opts, (lr_img, hr_img)


GAMES = {"dcgan": dcgan, "cyclegan": cyclegan, "srgan": srgan}


def time_keras(name, batch, steps, jit):
    game, opts, data = GAMES[name](batch, np.random.default_rng(0))
    game.compile(**opts, jit_compile=jit)
    t0 = time.perf_counter()
    logs = game.train_on_batch(*data, return_dict=True)
    compile_s = time.perf_counter() - t0
    for _ in range(2):
        game.train_on_batch(*data)
    t0 = time.perf_counter()
    for _ in range(steps):
        logs = game.train_on_batch(*data, return_dict=True)
    [float(v) for v in logs.values()]  # wait for the device
    dt = time.perf_counter() - t0
    return {"keras_img_per_s": batch * steps / dt, "keras_s_per_step": dt / steps, "first_step_s": compile_s}


def time_torch(reference, name, batch, steps, extra):
    cmd = [sys.executable, str(reference), "--game", name, "--batch", str(batch), "--steps", str(steps), *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"reference failed ({' '.join(cmd)}):\n{proc.stderr[-3000:]}")
    lines = [json.loads(s) for s in proc.stdout.splitlines() if s.startswith("{")]
    return lines[-1]


def device_name():
    try:
        import jax

        if keras.backend.backend() == "jax":
            return str(jax.devices()[0].device_kind)
    except ImportError:
        pass
    try:
        import torch

        if torch.cuda.is_available():
            return torch.cuda.get_device_name()
    except ImportError:
        pass
    return "cpu"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--game", default="all", choices=["all", *GAMES])
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--batch", type=int, default=None, help="default: the reference's batch per game")
    p.add_argument("--jit", default="auto", choices=["auto", "true", "false"],
                   help="compile(jit_compile=...): auto (Keras' default), true, false")
    p.add_argument("--reference", default=str(REFERENCE))
    p.add_argument("--reference-args", default="", help="extra arguments for the reference, e.g. '--channels-last'")
    p.add_argument("--no-reference", action="store_true")
    args = p.parse_args(argv)
    jit = {"auto": "auto", "true": True, "false": False}[args.jit]
    reference = Path(args.reference)
    if not args.no_reference and not reference.is_file():
        p.error(f"reference not found: {reference} (pass --reference PATH or --no-reference)")
    for name in GAMES if args.game == "all" else [args.game]:
        batch = args.batch or DEFAULT_BATCH[name]
        row = {"game": name, "backend": keras.backend.backend(), "device": device_name(), "batch": batch,
               "steps": args.steps, "jit_compile": args.jit}
        row.update(time_keras(name, batch, args.steps, jit))
        if not args.no_reference:
            ref = time_torch(reference, name, batch, args.steps, args.reference_args.split())
            row.update(torch_img_per_s=ref["img_per_s"], torch_device=ref["device"],
                       ratio=row["keras_img_per_s"] / ref["img_per_s"])
        print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
