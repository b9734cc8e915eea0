"""Helpers shared by the zoo's recipe and evaluation scripts (``zoo/*/recipe.py``)."""

import json
import os
import platform
import subprocess
import sys
from pathlib import Path


def cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def usable_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        return os.cpu_count()


def hardware():
    """A short description of the machine this runs on (CPU only)."""
    return f"{usable_cores()}-core CPU ({cpu_name()}), no GPU; shared with other jobs, run under nice -n 10"


def software():
    import keras

    backend = keras.backend.backend()
    versions = {"python": platform.python_version(), "keras": keras.__version__}
    try:
        mod = __import__({"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}[backend])
        versions[backend] = mod.__version__
    except Exception:  # pragma: no cover
        pass
    return versions


def git_commit(path="."):
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=path, capture_output=True, text=True, check=True
        ).stdout.strip()
    except Exception:
        return None


def command_line():
    """The command that is running, as one could type it again."""
    argv = [a if " " not in a else repr(a) for a in sys.argv]
    return " ".join(["python", *argv])


def update_metrics(folder, metrics, evaluation, notes=None):
    """Record measured metrics (and how they were measured) in an entry's
    config.json and re-render its MODEL_CARD.md."""
    from keras_gans.zoo.core import CONFIG, write_config

    folder = Path(folder)
    config = json.loads((folder / CONFIG).read_text())
    config["metrics"] = metrics
    config["evaluation"] = evaluation
    if notes:
        config["metric_notes"] = notes
    write_config(folder, config)
    return config
