"""Weight constraints."""

import keras
from keras import ops


@keras.saving.register_keras_serializable("keras_gans")
class WeightClip(keras.constraints.Constraint):
    """Clips every weight to ``[-clip_value, clip_value]`` (WGAN, Arjovsky et
    al. 2017, Algorithm 1 with c = 0.01).

    Usable as a layer's ``kernel_constraint`` or, as ``kg.WGAN`` does, applied
    to all of a critic's weights after each update.
    """

    def __init__(self, clip_value=0.01):
        if clip_value <= 0:
            raise ValueError(f"WeightClip clip_value must be > 0, got {clip_value}.")
        self.clip_value = float(clip_value)

    def __call__(self, w):
        return ops.clip(w, -self.clip_value, self.clip_value)

    def get_config(self):
        return {"clip_value": self.clip_value}
