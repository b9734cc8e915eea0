"""Native side of ``inference.py``: the same networks with the same weights in
plain PyTorch, and the ONNX file ``keras-gans export --onnx`` wrote, run by
ONNX Runtime; no Keras in this process.

Networks (independent PyTorch code, imported, not copied):

- CycleGAN ``ResnetGenerator`` (``tests/cyclegan/cyclegan_torch.py``, the
  authors' module layout);
- RRDBNet and SRVGGNetCompact (``tests/esrgan/esrgan_torch.py``, BasicSR /
  Real-ESRGAN's);
- SRResNet as ``kg.srgan.srresnet`` builds it (per-channel PReLU, BatchNorm
  eps 1e-5, linear output), written below with its Keras layer names.

Weights come from the Keras model (``inference.py`` saves them by variable
path): each PyTorch module ``a.b.c`` takes Keras layer ``a_b_c`` (or
``a_b/c``), kernels transposed HWIO -> OIHW (``Conv2DTranspose``'s
``(kh, kw, out, in)`` -> ``(in, out, kh, kw)``: the same transpose), PReLU
slopes ``(1, 1, C)`` -> ``(C,)``, BatchNorm gamma / beta / moving statistics ->
weight / bias / running statistics: the inverse of ``kg.convert``. Every
weight on both sides must be used.

Each run maps a uint8 image to a uint8 image, conversions included:
``torch.inference_mode``, the whole image in one call, in the default (NCHW)
and the channels-last memory format; ONNX Runtime with
``intra_op_num_threads`` = the benchmark's threads. The first torch run at the
native size writes the float output the Keras workers compare with.

    python benchmarks/inference_native.py --plan WORKDIR/plan.json --engine torch
    python benchmarks/inference_native.py --plan WORKDIR/plan.json --engine onnxruntime
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from bench_utils import PeakMemory, check_close, pin_threads, timed_calls

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent / "tests"


# ------------------------------------------------------------------ networks
def srresnet_torch(scale=4, blocks=16, filters=64, channels=3):
    """``kg.srgan.srresnet`` in PyTorch, each module named as its Keras layer."""
    from torch import nn
    from torch.nn import functional as F

    factors = {2: [2], 3: [3], 4: [2, 2], 8: [2, 2, 2]}[scale]

    class SRResNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv_in = nn.Conv2d(channels, filters, 9, padding=4)
            self.prelu_in = nn.PReLU(filters)
            for b in range(blocks):
                for k in (1, 2):
                    setattr(self, f"res{b}_conv{k}", nn.Conv2d(filters, filters, 3, padding=1))
                    setattr(self, f"res{b}_bn{k}", nn.BatchNorm2d(filters, eps=1e-5))
                setattr(self, f"res{b}_prelu", nn.PReLU(filters))
            self.conv_mid = nn.Conv2d(filters, filters, 3, padding=1)
            self.bn_mid = nn.BatchNorm2d(filters, eps=1e-5)
            for i, r in enumerate(factors):
                setattr(self, f"up{i}_conv", nn.Conv2d(filters, filters * r * r, 3, padding=1))
                setattr(self, f"up{i}_prelu", nn.PReLU(filters))
            self.conv_out = nn.Conv2d(filters, channels, 9, padding=4)

        def forward(self, x):
            x = skip = self.prelu_in(self.conv_in(x))
            for b in range(blocks):
                m = lambda name: getattr(self, f"res{b}_{name}")  # noqa: E731
                x = x + m("bn2")(m("conv2")(m("prelu")(m("bn1")(m("conv1")(x)))))
            x = skip + self.bn_mid(self.conv_mid(x))
            for i, r in enumerate(factors):
                x = getattr(self, f"up{i}_prelu")(F.pixel_shuffle(getattr(self, f"up{i}_conv")(x), r))
            return self.conv_out(x)

    return SRResNet()


def _tests_module(folder, name):
    sys.path.insert(0, str(TESTS / folder))
    try:
        return __import__(name)
    finally:
        sys.path.pop(0)


def build_torch(spec):
    """The PyTorch network of a plan entry's ``native`` spec, in eval mode."""
    arch = spec["arch"]
    if arch == "cyclegan":
        net = _tests_module("cyclegan", "cyclegan_torch").ResnetGenerator(
            ngf=spec["ngf"], n_blocks=spec["n_blocks"], upsample=spec.get("upsample", "transpose"))
    elif arch == "srresnet":
        net = srresnet_torch(spec["scale"], spec["blocks"], spec["filters"])
    elif arch == "rrdbnet":
        net = _tests_module("esrgan", "esrgan_torch").BasicSRRRDBNet(
            scale=spec["scale"], num_block=spec["num_block"], num_feat=spec["num_feat"],
            num_grow_ch=spec["num_grow_ch"])
    elif arch == "srvgg":
        net = _tests_module("esrgan", "esrgan_torch").SRVGGNetCompact(
            num_feat=spec["num_feat"], num_conv=spec["num_conv"], upscale=spec["scale"])
    else:
        raise ValueError(f"unknown native architecture {arch!r}")
    return net.eval()


#: PyTorch parameter name -> the Keras weight names it may come from
_KERAS_NAMES = {"weight": ("kernel", "gamma", "alpha"), "bias": ("bias", "beta"),
                "running_mean": ("moving_mean",), "running_var": ("moving_variance",)}


def copy_keras_weights(net, weights):
    """Load ``weights`` ({Keras variable path: array}) into ``net``; see the
    module's docstring for the mapping. Raises on any weight left unmatched."""
    import torch

    keras = {}
    for path, value in weights.items():
        layer, _, name = path.rpartition("/")
        keras[(layer.replace("/", "_"), name)] = value
    used, state = set(), {}
    for key, tensor in net.state_dict().items():
        module, _, param = key.rpartition(".")
        if param == "num_batches_tracked":
            state[key] = tensor
            continue
        layer = module.replace(".", "_")
        found = [(layer, n) for n in _KERAS_NAMES.get(param, ()) if (layer, n) in keras]
        if len(found) != 1:
            raise KeyError(f"no Keras weight for the PyTorch {key} (looked for {layer}/{_KERAS_NAMES.get(param)})")
        value = keras[found[0]]
        used.add(found[0])
        if value.ndim == 4:
            value = value.transpose(3, 2, 0, 1)
        elif value.ndim == 3 and value.shape[:2] == (1, 1):  # a PReLU's slopes, shared over H and W
            value = value.reshape(-1)
        if tuple(value.shape) != tuple(tensor.shape):
            raise ValueError(f"{key}: Keras {found[0]} gives shape {value.shape}, PyTorch wants {tuple(tensor.shape)}")
        state[key] = torch.from_numpy(np.ascontiguousarray(value, np.float32))
    left = sorted(set(keras) - used)
    if left:
        raise KeyError(f"Keras weights the PyTorch network has no place for: {left[:6]}")
    net.load_state_dict(state)
    return net


# ------------------------------------------------------------------ runs
def crop(image, size):
    """The top-left ``size`` = (width, height) of an image (H, W, C)."""
    return np.ascontiguousarray(image[: size[1], : size[0]])


def torch_runner(net, in_range, out_range, channels_last, as_float=False):
    """uint8 (H, W, 3) -> uint8 (or float in [0, 1]) through ``net`` whole;
    ``in_range`` / ``out_range``: the network's value ranges."""
    import torch

    fmt = torch.channels_last if channels_last else torch.contiguous_format
    net = net.to(memory_format=fmt)
    lo, hi = in_range

    def run(image):
        with torch.inference_mode():
            x = torch.from_numpy(image).permute(2, 0, 1)[None].to(torch.float32).contiguous(memory_format=fmt)
            y = net(x * ((hi - lo) / 255.0) + lo)
            if out_range == (-1.0, 1.0):
                y = (y + 1.0) * 0.5
            y = y.clamp_(0.0, 1.0)[0].permute(1, 2, 0)
            if as_float:
                return y.contiguous().numpy()
            return y.mul_(255.0).round_().to(torch.uint8).contiguous().numpy()

    return run


def onnx_runner(session, in_range, out_range, as_float=False):
    name = session.get_inputs()[0].name
    lo, hi = in_range

    def run(image):
        x = image[None].astype(np.float32) * np.float32((hi - lo) / 255.0) + np.float32(lo)
        y = session.run(None, {name: x})[0][0]
        if out_range == (-1.0, 1.0):
            y = (y + 1.0) * 0.5
        y = np.clip(y, 0.0, 1.0)
        return y if as_float else np.round(y * 255.0).astype(np.uint8)

    return run


def _row(entry, impl, what, size, times, memory, **extra):
    scale = entry["scale"]
    return {"network": entry["key"], "family": entry["family"], "impl": impl, "policy": "float32",
            "path": "whole", "what": what, "size": f"{size[0]}x{size[1]}",
            "output_size": f"{size[0] * scale}x{size[1] * scale}",
            "output_mp": size[0] * size[1] * scale * scale / 1e6, "tile": None,
            "times_s": times, **memory, **extra}


def native_torch(entry, plan):
    import torch

    torch.set_num_threads(plan["threads"])
    net = copy_keras_weights(build_torch(entry["native"]), dict(np.load(entry["files"]["weights_npz"])))
    size = entry["native_size"]
    image = crop(np.load(entry["files"]["image"]), size)
    ranges = tuple(entry["in_range"]), tuple(entry["native"]["out_range"])
    note = "" if size == entry["size"] else (
        f" at {size[0]}x{size[1]}, the largest that fits in {plan['native_max_gb']} GB (whole "
        f"{entry['size'][0]}x{entry['size'][1]} needs ~{entry['native_est_gb']:.0f} GB)")
    rows, reference = [], None
    for channels_last in (False, True):
        with PeakMemory() as memory:
            # the float run is this format's warm-up: NCHW's is the reference output the Keras and
            # ONNX runs are checked against, channels-last's is checked against it
            got = torch_runner(net, *ranges, channels_last, as_float=True)(image)
            if reference is None:
                reference, diff = got, 0.0
                np.save(entry["files"]["native_out"], reference)
            else:
                diff = check_close(f"{entry['key']} native channels_last vs default", got, reference, 1e-4)
            del got
            out, times = timed_calls(torch_runner(net, *ranges, channels_last), image, plan["repeats"])
            del out
        fmt = "channels_last" if channels_last else "default"
        rows.append(_row(entry, f"torch-native {fmt}", f"native PyTorch, whole image, torch.inference_mode, "
                         f"{'channels-last' if channels_last else 'NCHW'} tensors{note}", size, times,
                         memory.fields(), backend="torch-native", memory_format=fmt, max_diff_vs_native=diff))
    return rows


def onnx(entry, plan):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = plan["threads"]
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(entry["files"]["onnx"], options, providers=["CPUExecutionProvider"])
    dims = session.get_inputs()[0].shape  # (N, H, W, C); symbolic names where dynamic
    size, note = entry["native_size"], ""
    if isinstance(dims[1], int) and isinstance(dims[2], int):
        size, note = [dims[2], dims[1]], f" (the exported file has a fixed size {dims[2]}x{dims[1]})"
    image = crop(np.load(entry["files"]["image"]), size)
    out_range = (-1.0, 1.0)  # keras_gans generators: translate [-1, 1] -> [-1, 1], SR [0, 1] -> [-1, 1]
    with PeakMemory() as memory:
        got = onnx_runner(session, tuple(entry["in_range"]), out_range, as_float=True)(image)  # and warm-up
        diff = None
        if size == entry["native_size"]:
            diff = check_close(f"{entry['key']} ONNX Runtime", got, np.load(entry["files"]["native_out"]), 1e-3)
        del got
        out, times = timed_calls(onnx_runner(session, tuple(entry["in_range"]), out_range), image, plan["repeats"])
        del out
    return [_row(entry, "onnxruntime", f"ONNX Runtime {ort.__version__} on `keras-gans export --onnx`'s file, whole "
                 f"image, CPUExecutionProvider, {plan['threads']} intra-op threads{note}", size, times,
                 memory.fields(), backend="onnxruntime", max_diff_vs_native=diff)]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--plan", required=True)
    p.add_argument("--engine", choices=("torch", "onnxruntime"), required=True)
    args = p.parse_args(argv)
    plan = json.loads(Path(args.plan).read_text())
    pin_threads(plan["threads"])
    for entry in plan["networks"]:
        for row in (native_torch if args.engine == "torch" else onnx)(entry, plan):
            print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
