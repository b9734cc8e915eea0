"""Content losses for super-resolution (Ledig et al. 2017, section 2.2.1).

A content loss is a callable ``loss(sr, hr) -> scalar`` on generator outputs
and targets in the HR value range (``[-1, 1]`` for ``kg.SRGAN``):

- ``"mse"`` / ``MSEContentLoss()``: the pixel-wise MSE (the paper's
  ``l_MSE``, and SRResNet's only loss);
- ``LatticeMSE(lattice_weight, period)``: the pixel MSE plus a penalty on
  the error's sub-pixel lattice (an upsampler's grid texture);
- ``FeatureLoss(model, layer)``: the MSE between feature maps of SR and HR
  under any keras feature model (the paper's ``l_VGG/i,j``);
- ``VGGFeatureLoss("block5_conv4")``: VGG19 with ImageNet weights, the
  paper's ``VGG54``; it reads the weights from the Keras cache only.

Content losses are plain Python objects, not layers: a game does not track
them, so a feature network's weights are not written with the game's weights
(they would be large and are not trained). On JAX they enter the compiled
step as constants.
"""

import warnings
from pathlib import Path

import keras
from keras import ops

from keras_gans.paths import keras_models_dir

VGG19_NOTOP = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
VGG_RESCALE = 1.0 / 12.75  # the paper's rescaling of VGG feature maps


def _check_pair(sr, hr):
    if len(sr.shape) != len(hr.shape):
        raise ValueError(
            f"content loss: SR and HR have different ranks: {tuple(sr.shape)} vs {tuple(hr.shape)}."
        )
    for a, b in zip(sr.shape, hr.shape):
        if a is not None and b is not None and a != b:
            raise ValueError(
                f"content loss: SR shape {tuple(sr.shape)} does not match HR shape {tuple(hr.shape)}."
            )


@keras.saving.register_keras_serializable("keras_gans")
class MSEContentLoss:
    """Pixel-wise MSE, ``mean((sr - hr)^2)`` over every element, times ``weight``."""

    name = "mse"

    def __init__(self, weight=1.0):
        self.weight = float(weight)

    def __call__(self, sr, hr):
        _check_pair(sr, hr)
        sr = ops.cast(sr, "float32")
        hr = ops.cast(hr, "float32")
        return self.weight * ops.mean(ops.square(sr - hr))

    def get_config(self):
        return {"weight": self.weight}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"MSEContentLoss(weight={self.weight})"


@keras.saving.register_keras_serializable("keras_gans")
class LatticeMSE(MSEContentLoss):
    """Pixel MSE plus a penalty on the sub-pixel lattice of the error.

    A x``period`` upsampler (two pixel shuffles, transposed convolutions)
    can make every output pixel's error depend on its position modulo
    ``period``: a faint grid over the whole image, the texture an
    adversarial term amplifies (``kg.metrics.grid_ratio`` measures it).
    The spectrum of an image at the lattice frequencies ``(k/p, l/p)``
    depends only on its ``p * p`` phase means (the means over the pixels
    ``(y, x)`` with ``y % p == i``, ``x % p == j``), so the penalty is on
    those of the error ``d = sr - hr``, per image and channel, less their
    average (the overall offset is the MSE's)::

        m[i, j] = mean_{y % p == i, x % p == j} d[y, x]
        loss = weight * mean(d^2) + lattice_weight * mean_{n, c} sum_{i, j} (m[i, j] - mean(m))^2

    Images must have sides divisible by ``period`` (the training crops).
    """

    name = "lattice_mse"

    def __init__(self, weight=1.0, lattice_weight=1.0, period=4):
        super().__init__(weight)
        if isinstance(period, bool) or not isinstance(period, int) or period < 2:
            raise ValueError(f"LatticeMSE: period must be an int >= 2; got {period!r}.")
        self.lattice_weight, self.period = float(lattice_weight), period

    def lattice(self, sr, hr):
        """The lattice term (without its weight)."""
        p = self.period
        d = ops.cast(sr, "float32") - ops.cast(hr, "float32")
        n, h, w, c = ops.shape(d)
        m = ops.mean(ops.reshape(d, (n, h // p, p, w // p, p, c)), axis=(1, 3))  # (n, p, p, c)
        m = m - ops.mean(m, axis=(1, 2), keepdims=True)
        return ops.mean(ops.sum(ops.square(m), axis=(1, 2)))

    def __call__(self, sr, hr):
        return super().__call__(sr, hr) + self.lattice_weight * self.lattice(sr, hr)

    def get_config(self):
        return {**super().get_config(), "lattice_weight": self.lattice_weight, "period": self.period}

    def __repr__(self):
        return f"LatticeMSE(weight={self.weight}, lattice_weight={self.lattice_weight}, period={self.period})"


@keras.saving.register_keras_serializable("keras_gans")
class FeatureLoss:
    """``weight * mean((phi(pre(sr)) - phi(pre(hr)))^2)`` for a keras feature model ``phi``.

    Args:
        feature_model: a keras model (or layer) mapping images to features.
            It is frozen (``trainable = False``) and always called with
            ``training=False``.
        layer: name of a layer of ``feature_model`` whose output is the
            feature map (a sub-model from the model's input to that layer is
            built); None uses the model's output.
        weight: factor on the MSE.
        preprocess: a callable mapping images in the HR value range
            (``[-1, 1]``) to the feature model's input range, written with
            ``keras.ops``; None passes images unchanged.

    Saving: a game stores this loss's config with the feature model's
    architecture but not its weights; after loading, attach your feature
    model again (``game.content_loss = FeatureLoss(...)``) before training.
    """

    name = "feature"

    def __init__(self, feature_model, layer=None, weight=1.0, preprocess=None):
        if not isinstance(feature_model, keras.layers.Layer):
            raise TypeError(
                f"FeatureLoss needs a keras model (or layer) mapping images to features; got "
                f"{type(feature_model).__name__}."
            )
        if preprocess is not None and not callable(preprocess):
            raise TypeError(f"preprocess must be callable or None; got {preprocess!r}.")
        self.base_model = feature_model
        self.layer = layer
        if layer is not None:
            if not isinstance(feature_model, keras.Model) or not hasattr(feature_model, "get_layer"):
                raise TypeError("FeatureLoss(layer=...) needs a functional keras.Model.")
            try:
                out = feature_model.get_layer(layer).output
            except ValueError as e:
                names = [lyr.name for lyr in feature_model.layers]
                raise ValueError(
                    f"FeatureLoss: the feature model {feature_model.name!r} has no layer "
                    f"{layer!r}; its layers are {names}."
                ) from e
            inputs = feature_model.inputs
            inputs = inputs[0] if len(inputs) == 1 else inputs
            feature_model = keras.Model(inputs, out, name=f"{feature_model.name}_{layer}")
        feature_model.trainable = False
        self.feature_model = feature_model
        self.weight = float(weight)
        self.preprocess = preprocess

    def features(self, images):
        if self.preprocess is not None:
            images = self.preprocess(images)
        return self.feature_model(images, training=False)

    def __call__(self, sr, hr):
        _check_pair(sr, hr)
        f_sr = ops.cast(self.features(sr), "float32")
        f_hr = ops.stop_gradient(ops.cast(self.features(hr), "float32"))
        return self.weight * ops.mean(ops.square(f_sr - f_hr))

    def get_config(self):
        if self.preprocess is not None:
            warnings.warn(
                "FeatureLoss.get_config: the preprocess callable is not serialized; set it again "
                "after loading.",
                stacklevel=2,
            )
        return {
            "feature_model": keras.saving.serialize_keras_object(self.base_model),
            "layer": self.layer,
            "weight": self.weight,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["feature_model"] = keras.saving.deserialize_keras_object(config["feature_model"])
        warnings.warn(
            "FeatureLoss rebuilt from its config: the feature model has its architecture but NOT "
            "its trained weights (they are not saved with a game). Attach your feature model again "
            "(game.content_loss = kg.srgan.FeatureLoss(model, ...)) before training.",
            stacklevel=2,
        )
        return cls(**config)

    def __repr__(self):
        return f"FeatureLoss({self.feature_model.name}, weight={self.weight})"


def vgg_preprocess(images):
    """HR images in ``[-1, 1]`` RGB -> VGG's input: ``[0, 255]`` BGR minus the
    ImageNet channel means (``keras.applications.vgg19.preprocess_input``'s
    "caffe" mode)."""
    x = (ops.cast(images, "float32") + 1.0) * 127.5
    x = ops.flip(x, axis=-1)  # RGB -> BGR
    mean = ops.convert_to_tensor([103.939, 116.779, 123.68], dtype="float32")
    return x - mean


@keras.saving.register_keras_serializable("keras_gans")
class VGGFeatureLoss(FeatureLoss):
    """The paper's VGG content loss on VGG19 (ImageNet) features.

    ``layer="block5_conv4"`` is the paper's ``VGG54`` (the 4th convolution,
    after its ReLU, before the 5th max-pooling); ``"block2_conv2"`` is VGG22.
    The default ``weight`` is ``(1 / 12.75) ** 2``: the paper rescales the
    feature maps by 1/12.75 so that the loss is on the scale of the pixel MSE.

    The ImageNet weights are read from the Keras cache only
    (``~/.keras/models/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5``,
    or under ``$KERAS_HOME/models``); when the file is absent this fails at
    once, before building anything, and nothing is downloaded.
    """

    name = "vgg"

    def __init__(self, layer="block5_conv4", weight=VGG_RESCALE**2, weights_path=None):
        path = Path(weights_path).expanduser() if weights_path else keras_models_dir() / VGG19_NOTOP
        if not path.is_file():
            raise FileNotFoundError(
                f"VGGFeatureLoss needs the VGG19 ImageNet weights file {VGG19_NOTOP} and it is not "
                f"at {path}. Nothing is downloaded at run time: copy that file (from the Keras "
                f"releases, https://storage.googleapis.com/tensorflow/keras-applications/vgg19/"
                f"{VGG19_NOTOP}) into {path.parent}/ (or pass weights_path=), or use the pixel "
                "content loss content_loss='mse'."
            )
        self.weights_path = str(weights_path) if weights_path else None
        vgg = keras.applications.VGG19(include_top=False, weights=None, input_shape=(None, None, 3))
        vgg.load_weights(str(path))
        super().__init__(vgg, layer=layer, weight=weight, preprocess=vgg_preprocess)

    def get_config(self):
        return {"layer": self.layer, "weight": self.weight, "weights_path": self.weights_path}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"VGGFeatureLoss({self.layer!r}, weight={self.weight:.6g})"


def get_content_loss(identifier):
    """A content loss from ``"mse"``, ``"vgg"``/``"vgg54"``/``"vgg22"``, a
    serialized config, or a callable ``(sr, hr) -> scalar``."""
    if isinstance(identifier, str):
        key = identifier.lower()
        if key == "mse":
            return MSEContentLoss()
        if key in ("vgg", "vgg54"):
            return VGGFeatureLoss("block5_conv4")
        if key == "vgg22":
            return VGGFeatureLoss("block2_conv2")
        raise ValueError(
            f"Unknown content loss {identifier!r}; use 'mse', 'vgg54', 'vgg22', a "
            "kg.srgan.FeatureLoss or a callable (sr, hr) -> scalar."
        )
    if isinstance(identifier, dict):
        return keras.saving.deserialize_keras_object(identifier)
    if callable(identifier):
        return identifier
    raise TypeError(
        f"content_loss must be 'mse', 'vgg54', a kg.srgan.FeatureLoss or a callable; got {identifier!r}."
    )
