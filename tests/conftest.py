import os
import pathlib
import subprocess
import sys
import tempfile

# Keras imports the Hugging Face hub client, which reads these once: no test reaches the hub or
# writes to the user's cache (tests/test_hub.py points the client at a local double of the hub)
os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="hf_home_")
os.environ["HF_HUB_OFFLINE"] = "1"
for _var in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_ENDPOINT", "HF_TOKEN"):
    os.environ.pop(_var, None)

import keras  # noqa: E402
import pytest  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[1]
SHARED_DATA = pathlib.Path(os.environ.get("KERAS_GANS_DATA", REPO.parent / "shared" / "data"))
BACKENDS = ("tensorflow", "jax", "torch")
# entries a user installed (~/.keras/keras_gans/zoo) must not leak into the tests, nor the
# tests' installs into the user's folder (subprocesses inherit this)
os.environ["KERAS_GANS_HOME"] = tempfile.mkdtemp(prefix="keras_gans_home_")
# games' jit_compile="auto" is XLA on TF even on CPU (the faster step); the suite's runs of a few
# steps would spend more on XLA compiling than they save, so they keep Keras' rule (no XLA on a
# CPU-only TF). test_xla.py checks the default and that XLA steps equal the plain ones.
os.environ["KERAS_GANS_TF_AUTO_XLA"] = "0"

sys.path.insert(0, str(pathlib.Path(__file__).parent))
sys.path.insert(0, str(REPO / "zoo" / "_shared"))  # recipe support (mnist_eval, recipe_utils)


@pytest.fixture
def backend_name():
    return keras.backend.backend()


def run_in_backend(backend, code, timeout=300):
    """Run python ``code`` in a fresh interpreter with KERAS_BACKEND=backend."""
    env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": str(REPO / "tests")}
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=timeout
    )
    if proc.returncode != 0:
        raise AssertionError(f"[{backend}] subprocess failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
    return proc.stdout


def shared_data(name):
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"{path} is absent: this test reads the shared data set {name!r} (../shared/data)")
    return path
