"""benchmarks/train_step.py runs and reports a throughput (speed itself is not tested)."""

import json
import os
import subprocess
import sys

from conftest import REPO


def test_train_step_benchmark_reports_images_per_second(backend_name):
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "train_step.py"), "--game", "dcgan",
         "--batch", "2", "--steps", "1", "--no-reference"],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "KERAS_BACKEND": backend_name, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    row = json.loads([s for s in proc.stdout.splitlines() if s.startswith("{")][-1])
    assert row["game"] == "dcgan" and row["backend"] == backend_name and row["batch"] == 2
    assert row["keras_img_per_s"] > 0 and row["keras_s_per_step"] > 0 and "ratio" not in row
