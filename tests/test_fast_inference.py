"""``kg.backend.inference_mode()``: on torch it swaps Keras' convolutions,
PReLU and inference batch norm for one-pass torch kernels
(``keras_gans/backend/torch.py``); the outputs must equal Keras' own to float
rounding, for every case it takes and every case it hands back to Keras, and
Keras must be left as it was found."""

import threading

import keras
import numpy as np
import pytest

import keras_gans as kg
from keras_gans.backend import inference_mode
from keras_gans.layers import InstanceNormalization, ReflectionPadding2D


def _model():
    rng = np.random.default_rng(0)
    inp = keras.Input((16, 16, 3))
    x = ReflectionPadding2D(1)(inp)
    x = keras.layers.Conv2D(8, 3)(x)  # valid
    x = InstanceNormalization(center=False, scale=False)(x)
    x = keras.layers.PReLU(shared_axes=[1, 2])(x)
    x = keras.layers.Conv2D(8, 3, padding="same", use_bias=False)(x)  # "same", stride 1: symmetric
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.PReLU(shared_axes=[1])(x)  # a slope per column and channel: Keras' own path
    y = keras.layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")(x)  # strided "same": Keras'
    y = keras.layers.Conv2D(8, 4, padding="same", dilation_rate=2)(y)  # even kernel: Keras'
    y = keras.layers.Conv2D(8, 3, padding="same", groups=2)(y)  # grouped
    y = keras.layers.Conv2DTranspose(8, 3, strides=2)(y)  # valid transposed
    y = keras.layers.Conv2DTranspose(4, 3, strides=2, padding="same")(y)  # Keras'
    y = keras.layers.Conv2D(4, 1, padding="same", dilation_rate=1)(y)
    model = keras.Model(inp, y)
    model.set_weights([rng.normal(0, 0.3, w.shape).astype("float32") for w in model.get_weights()])
    # the batch norm's moving variance must stay positive
    bn = next(layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization))
    bn.moving_variance.assign(np.abs(keras.ops.convert_to_numpy(bn.moving_variance)) + 0.5)
    return model


def test_outputs_equal_keras_own_layers():
    model = _model()
    x = np.random.default_rng(1).uniform(-1, 1, (2, 16, 16, 3)).astype("float32")
    plain = keras.ops.convert_to_numpy(model(x, training=False))
    keras_conv = keras.src.backend.nn.conv
    with inference_mode():
        # torch: the swap is in place (elsewhere there is nothing to swap)
        assert (keras.src.backend.nn.conv is not keras_conv) == (keras.backend.backend() == "torch")
        fast = keras.ops.convert_to_numpy(model(x, training=False))
    assert plain.shape == fast.shape == (2, 34, 34, 4)
    np.testing.assert_allclose(fast, plain, rtol=1e-5, atol=1e-5)


def test_keras_is_left_as_it_was_even_after_an_error_and_across_threads():
    before = (keras.src.backend.nn.conv, keras.layers.Conv2D.call, keras.layers.PReLU.call)
    with pytest.raises(RuntimeError, match="inside"):
        with inference_mode(), inference_mode():  # nests
            raise RuntimeError("inside")
    assert (keras.src.backend.nn.conv, keras.layers.Conv2D.call, keras.layers.PReLU.call) == before

    model = _model()
    x = np.random.default_rng(2).uniform(-1, 1, (1, 16, 16, 3)).astype("float32")
    want = keras.ops.convert_to_numpy(model(x, training=False))
    got, errors = [], []

    def work():
        try:
            for _ in range(3):
                with inference_mode():
                    got.append(keras.ops.convert_to_numpy(model(x, training=False)))
        except Exception as e:  # noqa: BLE001  (reported below)
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(got) == 9
    for g in got:
        np.testing.assert_allclose(g, want, rtol=1e-5, atol=1e-5)
    assert (keras.src.backend.nn.conv, keras.layers.Conv2D.call, keras.layers.PReLU.call) == before


def test_training_gradients_are_keras_own():
    """A train step inside the context (batch norm on batch statistics, which
    take gradients) gives Keras' gradients."""
    model = _model()
    x = np.random.default_rng(3).uniform(-1, 1, (2, 16, 16, 3)).astype("float32")

    def grads():
        loss = lambda: (keras.ops.mean(keras.ops.square(model(x, training=True))), None)  # noqa: E731
        return [keras.ops.convert_to_numpy(g) for g in kg.backend.value_and_grad(loss, model.trainable_variables)[2]]

    plain = grads()
    with kg.backend.fast_convolutions():
        fast = grads()
    for a, b in zip(plain, fast):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-6)
