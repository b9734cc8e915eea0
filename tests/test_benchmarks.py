"""benchmarks/: the step-speed script runs and reports; its FLOP count is exact (speed itself is not tested)."""

import json
import os
import subprocess
import sys

import pytest

from conftest import REPO

REFERENCE = REPO.parent / "shared" / "bench" / "reference_torch.py"


def test_train_step_benchmark_reports_images_per_second(backend_name):
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "train_step.py"), "--game", "dcgan",
         "--batch", "2", "--steps", "1", "--repeats", "2", "--no-reference"],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "KERAS_BACKEND": backend_name, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    row = json.loads([s for s in proc.stdout.splitlines() if s.startswith("{")][-1])
    assert row["game"] == "dcgan" and row["backend"] == backend_name and row["batch"] == 2
    assert len(row["s_per_step_blocks"]) == 2 and row["s_per_step_min"] <= row["s_per_step_median"]
    assert row["img_per_s"] == pytest.approx(2 / row["s_per_step_median"], rel=1e-3)
    assert "ratio_vs_fastest_native" not in row
    assert "| dcgan | cpu | keras-" + backend_name in proc.stdout


def test_benchmark_rejects_an_unknown_game():
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "train_step.py"), "--game", "dcgan,vae"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "unknown game(s) ['vae']" in proc.stderr


@pytest.mark.skipif(not REFERENCE.is_file(), reason=f"no native reference at {REFERENCE}")
def test_step_flops_match_the_network_shapes(backend_name):
    """The FLOPs behind GFLOP/s and % of peak: SRResNet's counted step equals
    3x the forward convolutions (forward, input grad, weight grad) minus the
    head's input gradient, from the layer shapes by hand."""
    if backend_name != "torch":
        pytest.skip("native PyTorch only: checked once, in the torch pass")
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import reference_runner as rr
    finally:
        sys.path.pop(0)
    ref = rr.load_reference(REFERENCE)
    size, blocks = 32, 2
    counted = rr.count_flops(rr.make_step(ref, "srresnet", 1, dict(size=size, blocks=blocks), False))
    h = size // 4

    def conv(side, k, c_in, c_out):
        return 2 * side * side * k * k * c_in * c_out

    head = conv(h, 9, 3, 64)
    forward = (head + (2 * blocks + 1) * conv(h, 3, 64, 64) + conv(h, 3, 64, 256)
               + conv(2 * h, 3, 64, 256) + conv(4 * h, 9, 64, 3))
    assert counted == 3 * forward - head


def _benchmarks_module(name):
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        return __import__(name)
    finally:
        sys.path.pop(0)


def test_inference_benchmark_checks_then_times_each_family(backend_name, tmp_path):
    """``inference.py --quick`` on one translate and one upscale network:
    native PyTorch, ONNX Runtime and the torch backend agree before they are
    timed (mixed_bfloat16 within 40 dB PSNR of float32), and every row has
    its numbers, its machine and its ratio to the fastest native setting."""
    if backend_name != "torch":
        pytest.skip("one pass is enough: the script starts its own processes (torch backend, native PyTorch, ONNX "
                    "Runtime); it runs in the torch pass")
    pytest.importorskip("onnxruntime")
    out = tmp_path / "rows.jsonl"
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "inference.py"), "--quick", "--backends", "torch", "--threads", "1",
         "--which", "apple2orange_6x32,srresnet_x4", "--low-precision", "mixed_bfloat16",
         "--workdir", str(tmp_path / "work"), "--out", str(out)],
        capture_output=True, text=True, timeout=600, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = {(r["network"], r["impl"], r["policy"], r["path"]): r for r in map(json.loads, out.read_text().splitlines())}
    impls = ["torch-native default", "torch-native channels_last", "onnxruntime"]
    for network, size, output in (("apple2orange_6x32", "48x32", "48x32"), ("srresnet_x4", "24x16", "96x64")):
        keys = [(network, i, "float32", "whole") for i in impls] + [
            (network, "keras-torch", "float32", "tiled"), (network, "keras-torch", "float32", "whole"),
            (network, "keras-torch", "mixed_bfloat16", "tiled")]
        assert sorted(k for k in rows if k[0] == network) == sorted(keys)
        for key in keys:
            r = rows[key]
            assert r["size"] == size and r["output_size"] == output and r["threads"] == 1 and r["commit"]
            assert r["cpu"] and {"avx512f", "avx512_bf16", "amx"} <= set(r) and r["peak_rss_mb"] > 0
            assert 0 < r["s_per_mp_min"] <= r["s_per_mp_median"] <= r["s_per_mp_max"] and r["ratio_vs_native_best"] > 0
            assert r["tile"] == ({"apple2orange_6x32": 32, "srresnet_x4": 16}[network] if key[3] == "tiled" else None)
            if key[2] == "float32":
                assert r["max_diff_vs_native"] <= 1e-3
                assert r.get("max_level_diff_vs_native", 0) <= 1  # the uint8 outputs: rounding only
            else:
                assert r["psnr_vs_float32_db"] > 40
        best = min(rows[(network, i, "float32", "whole")]["s_per_mp_median"] for i in impls[:2])
        assert max(rows[(network, i, "float32", "whole")]["ratio_vs_native_best"] for i in impls[:2]) == 1.0
        r = rows[(network, "keras-torch", "float32", "tiled")]
        assert r["ratio_vs_native_best"] == pytest.approx(best / r["s_per_mp_median"])
    assert "| apple2orange_6x32 | keras-torch | float32 | tiled | 48x32 -> 48x32 | 32 |" in proc.stdout


def test_native_weights_copy_is_complete_and_exact(backend_name):
    """The benchmark's native SRResNet takes the Keras weights (the inverse of
    kg.convert's transposes, BatchNorm statistics and PReLU slopes included)
    and computes what kg.srgan.srresnet computes; a weight left over is an error."""
    torch = pytest.importorskip("torch")
    import numpy as np
    from keras import ops

    import keras_gans as kg

    native = _benchmarks_module("inference_native")
    model = kg.srgan.srresnet(scale=4, blocks=2, filters=8)
    rng = np.random.default_rng(0)
    model.set_weights([rng.uniform(0.5, 1.5, w.shape).astype("float32") if "variance" in w.path
                       else rng.normal(0, 0.2, w.shape).astype("float32") for w in model.weights])
    weights = {w.path: ops.convert_to_numpy(w) for w in model.weights}
    net = native.copy_keras_weights(native.srresnet_torch(4, 2, 8), weights).eval()
    x = rng.uniform(0, 1, (1, 12, 10, 3)).astype("float32")
    with torch.no_grad():
        got = net(torch.from_numpy(x).permute(0, 3, 1, 2)).permute(0, 2, 3, 1).numpy()
    assert np.abs(got - ops.convert_to_numpy(model(x))).max() < 1e-4
    with pytest.raises(KeyError, match=r"no place for: \[\('extra', 'kernel'\)\]"):
        native.copy_keras_weights(native.srresnet_torch(4, 2, 8), {**weights, "extra/kernel": np.zeros((1, 1, 1, 1))})
    del weights["conv_mid/bias"]
    with pytest.raises(KeyError, match="no Keras weight for the PyTorch conv_mid.bias"):
        native.copy_keras_weights(native.srresnet_torch(4, 2, 8), weights)
    check_close = _benchmarks_module("bench_utils").check_close
    with pytest.raises(AssertionError, match=r"srresnet: max \|ours - native\| = 0.002 \(limit 0.001\)"):
        check_close("srresnet", got[0, :4] + 0.002, got[0, :4], 1e-3)
    with pytest.raises(AssertionError, match=r"mean 0.002 \(limit 0.0001\)"):  # within the max, off on average
        check_close("srresnet", got[0, :4] + 0.002, got[0, :4], 1 / 255, 1e-4)
    assert check_close("srresnet", got[0, :4] + 1e-5, got[0, :4], 1 / 255, 1e-4) < 2e-5
