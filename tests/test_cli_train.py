"""``keras-gans train`` and ``keras-gans export`` on small generated folders."""

import csv
import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

import keras_gans as kg
from keras_gans.cli import main


def _images(folder, n, size=(40, 36), seed=0):
    from PIL import Image

    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    for i in range(n):
        Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)).save(folder / f"{i}.png")


def test_train_dcgan_resumes_writes_samples_log_and_exports(tmp_path, capsys):
    _images(tmp_path / "photos", 8)
    run = tmp_path / "run"
    args = ["train", "dcgan", "--images", str(tmp_path / "photos"), "--image-size", "32", "--filters", "4",
            "--batch-size", "4", "--out", str(run), "--save-every", "1"]
    assert main(args + ["--epochs", "1"]) == 0
    assert (run / "samples" / "epoch_0001.png").is_file() and (run / "game.keras").is_file()
    # the same command with more epochs goes on from the checkpoint (epoch 2 only)
    assert main(args + ["--epochs", "2"]) == 0
    rows = list(csv.DictReader(open(run / "log.csv")))
    assert [r["epoch"] for r in rows] == ["0", "1"] and all(np.isfinite(float(r["g_loss"])) for r in rows)
    assert sorted(p.name for p in (run / "samples").iterdir()) == ["epoch_0001.png", "epoch_0002.png"]
    entry = tmp_path / "my_dcgan"
    assert main(["export", str(run), "--out", str(entry)]) == 0
    game = kg.zoo.load(entry)
    assert game.generate(2).shape == (2, 32, 32, 3)
    assert main(["export", str(run), "--out", str(entry)]) == 1  # exists: --overwrite to replace
    assert "exist already" in capsys.readouterr().err


@pytest.mark.skipif(keras.backend.backend() == "jax", reason="compiles two CycleGAN + SR steps: tensorflow and torch passes")
def test_train_cyclegan_and_srresnet_one_epoch(tmp_path):
    _images(tmp_path / "A", 2, size=(40, 40), seed=1)
    _images(tmp_path / "B", 2, size=(40, 40), seed=2)
    run = tmp_path / "cg"
    assert main(["train", "cyclegan", "--a", str(tmp_path / "A"), "--b", str(tmp_path / "B"), "--image-size", "32",
                 "--filters", "4", "--n-blocks", "1", "--epochs", "1", "--out", str(run)]) == 0
    assert (run / "samples" / "epoch_0001.png").is_file()
    _images(tmp_path / "hr", 2, size=(40, 40), seed=3)
    run = tmp_path / "sr"
    assert main(["train", "srresnet", "--hr", str(tmp_path / "hr"), "--image-size", "32", "--filters", "4",
                 "--n-blocks", "1", "--batch-size", "2", "--steps-per-epoch", "2", "--epochs", "1", "--out", str(run)]) == 0
    from PIL import Image

    with Image.open(run / "samples" / "epoch_0001.png") as im:  # 4 rows of [bicubic | SR | HR] 32 px cells
        assert im.size == (3 * 32 + 4 * 2, 2 * 32 + 3 * 2)


def test_train_cdcgan_takes_classes_from_sub_folders(tmp_path):
    for k, cls in enumerate(("ones", "twos")):
        _images(tmp_path / "digits" / cls, 3, seed=k)
    run = tmp_path / "run"
    assert main(["train", "cdcgan", "--images", str(tmp_path / "digits"), "--image-size", "28", "--channels", "1",
                 "--filters", "4", "--batch-size", "3", "--epochs", "1", "--out", str(run)]) == 0
    game = keras.saving.load_model(run / "game.keras")
    assert type(game).__name__ == "ConditionalGAN" and game.num_classes == 2
    assert game.generate(2, labels=[0, 1]).shape == (2, 28, 28, 1)


def test_train_wgan_gp_uses_a_critic_without_batch_norm(tmp_path):
    _images(tmp_path / "photos", 4)
    run = tmp_path / "run"
    assert main(["train", "wgan-gp", "--images", str(tmp_path / "photos"), "--image-size", "32", "--filters", "4",
                 "--batch-size", "2", "--epochs", "1", "--out", str(run)]) == 0
    game = keras.saving.load_model(run / "game.keras")
    assert type(game).__name__ == "WGANGP" and game.d_steps == 5
    assert not [l for l in game.discriminator.layers if "Normalization" in type(l).__name__]
    rows = list(csv.DictReader(open(run / "log.csv")))
    assert np.isfinite(float(rows[0]["gp"]))


def test_train_names_what_is_missing(tmp_path, capsys):
    assert main(["train", "cyclegan", "--a", str(tmp_path), "--out", str(tmp_path / "r")]) == 1
    assert "train cyclegan needs --b" in capsys.readouterr().err
    assert main(["train", "srgan", "--hr", str(tmp_path), "--init", "dcgan_mnist", "--out", str(tmp_path / "r")]) == 1
    assert "--init dcgan_mnist is a GAN; train srgan needs a SRGAN" in capsys.readouterr().err
    assert main(["train", "dcgan", "--images", str(tmp_path), "--out", str(tmp_path / "r")]) == 1
    assert "No images (.png" in capsys.readouterr().err


@pytest.mark.skipif(keras.backend.backend() == "torch", reason="Keras' SavedModel export needs the tensorflow or jax backend")
@pytest.mark.parametrize("entry", ["dcgan_mnist", "srresnet_x4"])
def test_export_generator_to_saved_model_matches_keras(entry, tmp_path):
    import tensorflow as tf

    out = tmp_path / "sm"
    assert main(["export", entry, "--saved-model", str(out)]) == 0
    served = tf.saved_model.load(str(out))
    game = kg.zoo.load(entry)
    rng = np.random.default_rng(0)
    if entry == "dcgan_mnist":
        x = rng.normal(size=(3, game.latent_dim)).astype("float32")
    else:  # any image size: the SavedModel keeps the dims dynamic
        x = rng.random((1, 20, 13, 3)).astype("float32")
    want = keras.ops.convert_to_numpy(game.generator(x))
    got = served.serve(tf.constant(x)).numpy()
    assert got.shape == want.shape and np.abs(got - want).max() < 1e-4


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="ONNX export goes through torch.onnx: torch pass")
@pytest.mark.parametrize("entry, direction", [("dcgan_mnist", "a2b"), ("srresnet_x4", "a2b"), ("cyclegan_apple2orange", "b2a")])
def test_export_generator_to_onnx_matches_keras(entry, direction, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    out = tmp_path / "g.onnx"
    assert main(["export", entry, "--onnx", str(out), "--direction", direction]) == 0
    game = kg.zoo.load(entry)
    generator = game.generator_for(direction) if hasattr(game, "generator_for") else game.generator
    rng = np.random.default_rng(0)
    if entry == "dcgan_mnist":
        x = rng.normal(size=(3, game.latent_dim)).astype("float32")
    else:  # another size than the one exported with: the image dims are dynamic
        x = rng.uniform(0 if entry == "srresnet_x4" else -1, 1, (1, 24, 20, 3)).astype("float32")
    session = ort.InferenceSession(str(out))
    got = session.run(None, {session.get_inputs()[0].name: x})[0]
    want = keras.ops.convert_to_numpy(generator(x))
    assert got.shape == want.shape and np.abs(got - want).max() < 1e-4


@pytest.mark.skipif(keras.backend.backend() == "torch", reason="the error of the other backends")
def test_export_onnx_elsewhere_says_to_use_the_torch_backend(tmp_path, capsys):
    assert main(["export", "dcgan_mnist", "--onnx", str(tmp_path / "g.onnx")]) == 1
    assert "--onnx runs on the torch backend here" in capsys.readouterr().err and not (tmp_path / "g.onnx").exists()


def test_train_records_the_run_and_refuses_data_parallel_where_it_cannot(tmp_path, backend_name, capsys):
    _images(tmp_path / "photos", 4)

    def args(batch):
        return ["train", "dcgan", "--images", str(tmp_path / "photos"), "--image-size", "32", "--filters", "4",
                "--batch-size", str(batch), "--epochs", "1", "--out", str(tmp_path / "run"),
                "--distribute", "data-parallel"]

    from keras_gans import backend

    if backend.DATA_PARALLEL_REFUSAL:
        assert main(args(4)) == 1
        err = capsys.readouterr().err
        assert "--distribute data-parallel:" in err and "KERAS_BACKEND=jax" in err
        assert not (tmp_path / "run" / "game.keras").exists()  # refused before any step
        return

    def run_with_2_devices(batch):  # the device count is fixed at start-up: a fresh process
        code = f"import sys; from keras_gans.cli import main; sys.exit(main({args(batch)!r}))"
        env = {**os.environ, "KERAS_BACKEND": backend.name, "XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
        if backend.name == "tensorflow":  # two logical CPUs, which MirroredStrategy() then spans
            code = ("import tensorflow as tf; cpu = tf.config.list_physical_devices('CPU')[0]; "
                    "tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2); "
                    + code)
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)

    proc = run_with_2_devices(4)
    assert proc.returncode == 0, proc.stderr[-3000:]
    record = json.loads((tmp_path / "run" / "run.json").read_text())
    assert record["backend"] == backend.name and len(record["devices"]) == 2
    how = {"jax": "keras.distribution.DataParallel", "tensorflow": "tf.distribute.MirroredStrategy"}[backend.name]
    assert record["distribution"] == f"{how} over 2 devices"
    entry = tmp_path / "entry"
    assert main(["export", str(tmp_path / "run"), "--out", str(entry)]) == 0
    card = json.loads((entry / "config.json").read_text())
    assert card["training"]["distribution"] == record["distribution"]
    proc = run_with_2_devices(3)  # an odd batch cannot be split over 2 devices: named before any step
    assert proc.returncode == 1 and "the batch (3) must be a multiple of the 2 devices" in proc.stderr
