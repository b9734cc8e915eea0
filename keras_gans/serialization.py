"""The config protocol of keras_gans' plain (non-layer) objects that games
serialize: adversarial losses and discriminator regularizers."""


class Configurable:
    """``get_config()`` returns the constructor's keyword arguments (none
    here: subclasses with arguments extend it), ``from_config`` calls the
    constructor with them, and the repr shows them."""

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"
