"""Native PyTorch side of ``train_step.py``: times and counts the FLOPs of the
yardstick steps in ``../shared/bench/reference_torch.py`` (imported from
there, not copied), plus the two steps that file does not have:

- ``wgan_gp``: the DCGAN 64x64 generator (BatchNorm) against a DCGAN critic
  without normalisation, Wasserstein loss + gradient penalty 10 on random
  interpolates (double backward), 5 critic updates per generator update,
  Adam(1e-4, 0, 0.9): Gulrajani et al.'s Algorithm 1, as ``kg.WGANGP``'s step.
- ``srgan`` with ``content="mse"``: the reference's SRGAN step with its VGG19
  replaced by the identity, i.e. the pixel-MSE content loss the CPU recipe
  uses (the paper's SRGAN-MSE); same networks and update order otherwise.

Run by ``train_step.py`` in a subprocess (torch only, no Keras)::

    python benchmarks/reference_runner.py --game srresnet --batch 16 --size 96 --blocks 16 \
        --steps 5 --repeats 3 [--channels-last] [--threads N] [--flops]

Prints one JSON line: s/step of each timed block (a block = ``--steps``
steps after 2 warm-up steps) and, with ``--flops``, the FLOPs of one step
counted by ``torch.utils.flop_counter.FlopCounterMode`` (convolutions and
matrix products, forward and backward, from the tensor shapes).
"""

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

import torch
from torch import nn

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "bench" / "reference_torch.py"


def load_reference(path):
    spec = importlib.util.spec_from_file_location("reference_torch", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def wgan_gp_step_fn(ref, dev, batch, nz=100, ndf=64, d_steps=5, gp_weight=10.0):
    g, _ = ref.dcgan_nets(nz=nz)
    d = nn.Sequential(  # the reference's DCGAN discriminator without BatchNorm (a GP critic has none)
        nn.Conv2d(3, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2),
        nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.LeakyReLU(0.2),
        nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.LeakyReLU(0.2),
        nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False), nn.LeakyReLU(0.2),
        nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False), nn.Flatten())
    g, d = g.to(dev), d.to(dev)
    og = torch.optim.Adam(g.parameters(), 1e-4, betas=(0.0, 0.9))
    od = torch.optim.Adam(d.parameters(), 1e-4, betas=(0.0, 0.9))
    real = torch.rand(batch, 3, 64, 64, device=dev) * 2 - 1

    def step():
        for _ in range(d_steps):
            with torch.no_grad():
                fake = g(torch.randn(batch, nz, 1, 1, device=dev))
            alpha = torch.rand(batch, 1, 1, 1, device=dev)
            x_hat = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
            (grad,) = torch.autograd.grad(d(x_hat).sum(), x_hat, create_graph=True)
            gp = ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
            ld = d(fake).mean() - d(real).mean() + gp_weight * gp
            od.zero_grad(set_to_none=True)
            ld.backward()
            od.step()
        for p in d.parameters():
            p.requires_grad_(False)
        lg = -d(g(torch.randn(batch, nz, 1, 1, device=dev))).mean()
        og.zero_grad(set_to_none=True)
        lg.backward()
        og.step()
        for p in d.parameters():
            p.requires_grad_(True)
        return lg
    return step


def make_step(ref, game, batch, shape, channels_last):
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    shape = dict(shape)
    content = shape.pop("content", None)
    _to, _rand, _vgg = nn.Module.to, torch.rand, ref.vgg19_54
    if channels_last:  # as the reference's own --channels-last
        nn.Module.to = lambda self, *a, **k: _to(_to(self, *a, **k), memory_format=torch.channels_last)
        torch.rand = lambda *a, **k: (lambda t: t.contiguous(memory_format=torch.channels_last)
                                      if t.dim() == 4 else t)(_rand(*a, **k))
    if content == "mse":
        ref.vgg19_54 = lambda: nn.Identity()
    try:
        if game == "wgan_gp":
            return wgan_gp_step_fn(ref, dev, batch)
        fn, _ = ref.GAMES[game]
        shape.pop("size", None) if game == "dcgan" else None
        return fn(dev, batch, False, **shape)
    finally:
        nn.Module.to, torch.rand, ref.vgg19_54 = _to, _rand, _vgg


def count_flops(step):
    """FLOPs of one call of ``step``: torch's own per-op formulas
    (``torch.utils.flop_counter.flop_registry``: convolutions forward and
    backward, matrix products) summed over every op dispatched. A plain
    dispatch mode, because ``FlopCounterMode``'s module tracker breaks on the
    gradient penalty's ``autograd.grad``."""
    from torch.utils._python_dispatch import TorchDispatchMode
    from torch.utils.flop_counter import flop_registry

    class Count(TorchDispatchMode):
        total = 0

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            out = func(*args, **kwargs)
            formula = flop_registry.get(func._overloadpacket)
            if formula is not None:
                Count.total += formula(*args, **kwargs, out_val=out)
            return out

    with Count():
        step()
    return Count.total


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--reference", default=str(REFERENCE))
    p.add_argument("--game", required=True, choices=["dcgan", "wgan_gp", "cyclegan", "srresnet", "srgan"])
    p.add_argument("--batch", type=int, required=True)
    p.add_argument("--size", type=int)
    p.add_argument("--blocks", type=int)
    p.add_argument("--ngf", type=int)
    p.add_argument("--content", choices=["mse", "vgg54"])
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--channels-last", action="store_true")
    p.add_argument("--threads", type=int)
    p.add_argument("--flops", action="store_true", help="also count one step's FLOPs")
    a = p.parse_args(argv)
    if a.threads:
        torch.set_num_threads(a.threads)
    ref = load_reference(a.reference)
    shape = {k: v for k, v in dict(size=a.size, blocks=a.blocks, ngf=a.ngf, content=a.content).items()
             if v is not None}
    step = make_step(ref, a.game, a.batch, shape, a.channels_last)
    t0 = time.perf_counter()
    float(step().detach())
    first = time.perf_counter() - t0
    for _ in range(2):
        step()
    blocks = []
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        for _ in range(a.steps):
            loss = step()
        float(loss.detach())
        blocks.append((time.perf_counter() - t0) / a.steps)
    row = {"impl": "torch-native" + ("-channels-last" if a.channels_last else ""), "game": a.game,
           "batch": a.batch, **shape, "threads": torch.get_num_threads(), "torch": torch.__version__,
           "first_step_s": first, "s_per_step_blocks": blocks}
    if a.flops:
        row["step_flops"] = count_flops(step)
    print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
