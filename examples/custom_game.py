"""Write your own adversarial game: a least-squares GAN with feature matching, in one class.

The contract (keras_gans/games/base.py): say which variables each optimizer trains
(`_player_variables`), write one step with `keras.ops` and `kg.backend.value_and_grad`
(`game_step`), name your metrics and config. Compile, fit, checkpoints, save/load and the
per-backend trainer (XLA on TF/JAX, torch) come with `kg.AdversarialGame`.

    KERAS_BACKEND=torch python examples/custom_game.py
"""

import keras
import numpy as np
from keras import ops

import keras_gans as kg


@keras.saving.register_keras_serializable("examples")
class FeatureMatchingGAN(kg.AdversarialGame):
    def __init__(self, generator, discriminator, latent_dim, **kwargs):
        super().__init__(**kwargs)
        self.generator, self.discriminator, self.latent_dim = generator, discriminator, latent_dim
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.built = True  # nothing here is sized by the data (else: build() from the first batch)

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def _player_variables(self):
        return {"g_optimizer": self.generator.trainable_variables,
                "d_optimizer": self.discriminator.trainable_variables}

    def game_step(self, data):
        real = ops.cast(data[0] if isinstance(data, (tuple, list)) else data, "float32")
        z = keras.random.normal((ops.shape(real)[0], self.latent_dim), seed=self.seed_generator)
        fake = ops.stop_gradient(self.generator(z, training=True))

        def d_loss():  # least squares: real -> 1, fake -> 0
            loss = ops.mean(ops.square(self.discriminator(real) - 1.0)) + ops.mean(ops.square(self.discriminator(fake)))
            return loss, None

        loss, _, grads = kg.backend.value_and_grad(d_loss, self.discriminator.trainable_variables)
        self._apply("d_optimizer", grads, self.discriminator.trainable_variables)
        self.d_loss_tracker.update_state(loss)

        def g_loss():  # match the mean of the critic's output on real data
            gen = self.generator(z, training=True)
            return ops.square(ops.mean(self.discriminator(gen)) - ops.mean(self.discriminator(real))), None

        loss, _, grads = kg.backend.value_and_grad(g_loss, self.generator.trainable_variables)
        self._apply("g_optimizer", grads, self.generator.trainable_variables)
        self.g_loss_tracker.update_state(loss)
        return self._logs()

    def call(self, z, training=False):
        return self.generator(z, training=training)

    nested_config = ("generator", "discriminator")  # rebuilt by AdversarialGame.from_config

    def get_config(self):
        return {**super().get_config(), "generator": kg.games.base.serialize(self.generator),
                "discriminator": kg.games.base.serialize(self.discriminator), "latent_dim": self.latent_dim}


def main(steps=300, seed=0):
    keras.utils.set_random_seed(seed)
    x = np.random.default_rng(seed).normal(3.0, 0.5, size=(steps * 64 // 10, 1)).astype("float32")
    game = FeatureMatchingGAN(kg.architectures.mlp_generator(2, 1, (16, 16)),
                              kg.architectures.mlp_discriminator(1, (16, 16)), latent_dim=2, seed=seed)
    game.compile(g_optimizer=keras.optimizers.Adam(2e-3), d_optimizer=keras.optimizers.Adam(2e-3))
    game.fit(x, batch_size=64, epochs=10, verbose=0)
    z = np.random.default_rng(1).normal(size=(2000, 2)).astype("float32")
    samples = ops.convert_to_numpy(game(z))
    print(f"data mean 3.00; generated mean {samples.mean():.2f} after {int(game.g_optimizer.iterations)} steps")
    return samples


if __name__ == "__main__":
    main()
