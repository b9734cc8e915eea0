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
