"""ESRGAN-family generators export with a dynamic image size: ONNX (through
torch.onnx, torch pass) and a TF SavedModel (TF pass), each equal to the
Keras model at two image sizes."""

import numpy as np
import pytest

import keras
import keras_gans as kg
from keras_gans.cli import main

SIZES = ((1, 12, 16, 3), (1, 21, 9, 3))


@pytest.fixture(scope="module")
def entries(tmp_path_factory):
    root = tmp_path_factory.mktemp("esrgan_export")
    nets = {"rrdbnet_x4": kg.esrgan.rrdbnet(scale=4, num_block=1, num_feat=8, num_grow_ch=4),
            "srvgg_x4": kg.esrgan.srvgg_net_compact(num_feat=8, num_conv=2)}
    return {name: kg.zoo.save(kg.SRGAN(g, None, adversarial_weight=0), root / name, card={})
            for name, g in nets.items()}


def _reference(entry, x):
    return np.asarray(keras.ops.convert_to_numpy(kg.zoo.load(entry).generator(x)))


def test_onnx_export_has_a_dynamic_image_size(entries, tmp_path, backend_name):
    if backend_name != "torch":
        pytest.skip("ONNX export goes through torch.onnx: torch pass")
    ort = pytest.importorskip("onnxruntime")
    for name, entry in entries.items():
        file = tmp_path / f"{name}.onnx"
        assert main(["export", str(entry), "--onnx", str(file)]) == 0
        session = ort.InferenceSession(str(file))
        for shape in SIZES:
            x = np.random.default_rng(0).random(shape).astype("float32")
            y = session.run(None, {session.get_inputs()[0].name: x})[0]
            assert y.shape == (1, shape[1] * 4, shape[2] * 4, 3), name
            assert np.abs(y - _reference(entry, x)).max() < 1e-5, name


def test_saved_model_export_has_a_dynamic_image_size(entries, tmp_path, backend_name):
    if backend_name != "tensorflow":
        pytest.skip("a TF SavedModel from the tensorflow backend: TF pass")
    import tensorflow as tf

    for name, entry in entries.items():
        folder = tmp_path / f"{name}_sm"
        assert main(["export", str(entry), "--saved-model", str(folder)]) == 0
        loaded = tf.saved_model.load(str(folder))  # kept: its variables live as long as it does
        for shape in SIZES:
            x = np.random.default_rng(0).random(shape).astype("float32")
            y = np.asarray(loaded.serve(x))
            assert y.shape == (1, shape[1] * 4, shape[2] * 4, 3), name
            assert np.abs(y - _reference(entry, x)).max() < 1e-5, name
