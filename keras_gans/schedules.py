"""Learning-rate schedules used by the games' recipes."""

import keras
from keras import ops


@keras.saving.register_keras_serializable("keras_gans")
class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Constant, then linear decay to zero (CycleGAN's ``lr_policy='linear'``).

        lr(step) = initial_lr                                          step <= constant_steps
        lr(step) = initial_lr * (1 - (step - constant_steps) / decay_steps)
        lr(step) = 0                                                   step >= constant_steps + decay_steps

    The paper (and the official code) trains 100 epochs at 2e-4 then 100
    epochs decaying linearly to 0: ``constant_steps = 100 * steps_per_epoch``,
    ``decay_steps = 100 * steps_per_epoch``. The official code changes the
    rate once per epoch (``1 - max(0, epoch + 1 - n_epochs) / (n_epochs_decay
    + 1)``); this schedule decays every step, which is smoother and ends at
    exactly 0.

    Args:
        initial_lr: the constant rate (the paper: 2e-4).
        constant_steps: optimizer steps at ``initial_lr``.
        decay_steps: optimizer steps of the linear decay (> 0).
    """

    def __init__(self, initial_lr=2e-4, constant_steps=0, decay_steps=1):
        if isinstance(initial_lr, bool) or not isinstance(initial_lr, (int, float)) or initial_lr < 0:
            raise ValueError(f"LinearDecay: initial_lr must be a number >= 0; got {initial_lr!r}.")
        for what, v, lo in (("constant_steps", constant_steps, 0), ("decay_steps", decay_steps, 1)):
            if isinstance(v, bool) or not isinstance(v, int) or v < lo:
                raise ValueError(f"LinearDecay: {what} must be an int >= {lo}; got {v!r}.")
        self.initial_lr = float(initial_lr)
        self.constant_steps = int(constant_steps)
        self.decay_steps = int(decay_steps)

    def __call__(self, step):
        step = ops.cast(step, "float32")
        frac = ops.clip((step - float(self.constant_steps)) / float(self.decay_steps), 0.0, 1.0)
        return self.initial_lr * (1.0 - frac)

    def get_config(self):
        return {
            "initial_lr": self.initial_lr,
            "constant_steps": self.constant_steps,
            "decay_steps": self.decay_steps,
        }
