"""Base class for discriminator regularizers."""

import keras
from keras import ops

from keras_gans import backend
from keras_gans.backend.scopes import discard_updates
from keras_gans.serialization import Configurable


class DiscriminatorRegularizer(Configurable):
    """A term added to the discriminator's loss.

    ``__call__(critic, real, fake, seed)`` returns the weighted scalar term.
    ``critic`` maps a batch of samples to logits (for a conditional game it
    already holds the labels). ``name`` is the key the term gets in ``fit``'s
    logs.
    """

    name = "reg"
    #: True when the term differentiates the critic with respect to its input
    #: (then the discriminator step needs a double backward).
    needs_double_backward = False

    def __call__(self, critic, real, fake, seed):
        raise NotImplementedError


def gradient_norms(critic, x, eps=1e-12):
    """Per-sample L2 norm of d sum(critic(x)) / dx, differentiable w.r.t. the
    critic's weights. State updates made by the critic call are discarded."""
    with discard_updates():
        grads = backend.input_gradient(critic, x)
    grads = ops.cast(grads, "float32")  # norms in float32 under a mixed precision policy
    axes = tuple(range(1, len(grads.shape)))
    return ops.sqrt(ops.sum(ops.square(grads), axis=axes) + eps)


def register(cls):
    return keras.saving.register_keras_serializable("keras_gans")(cls)
