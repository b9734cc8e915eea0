"""Builds small games, loads shared weights, and records outputs, losses and
the result of one training step, so that backends can be compared.

    python cross_backend_worker.py build WEIGHTS_DIR     # init + save weights
    python cross_backend_worker.py run WEIGHTS_DIR OUT.npz
"""

import sys

import keras
import numpy as np
from keras import ops

import keras_gans as kg

LATENT = 3
BATCH = 6
RNG = np.random.default_rng(123)
Z = [RNG.standard_normal((BATCH, LATENT)).astype("float32") for _ in range(4)]
REAL = RNG.standard_normal((BATCH, 4)).astype("float32")
LABELS = np.array([0, 1, 2, 0, 1, 2], "int32")
ALPHA = RNG.uniform(size=(BATCH, 1)).astype("float32")


class FixedNoise:
    """Replaces the game's noise with a fixed sequence (same on every backend)."""

    def sample_latent(self, batch_size):
        z = Z[self._calls % len(Z)]
        self._calls += 1
        return ops.convert_to_tensor(z)


class FixedGAN(FixedNoise, kg.GAN):
    _calls = 0


class FixedWGANGP(FixedNoise, kg.WGANGP):
    _calls = 0


class FixedCGAN(FixedNoise, kg.ConditionalGAN):
    _calls = 0


class FixedAlphaPenalty(kg.regularizers.GradientPenalty):
    def interpolate(self, real, fake, seed):
        alpha = ops.convert_to_tensor(ALPHA)
        return alpha * real + (1.0 - alpha) * fake


def generator(conditional=False):
    z = keras.Input((LATENT,))
    inputs = [z]
    h = z
    if conditional:
        y = keras.Input((), dtype="int32")
        inputs.append(y)
        h = keras.layers.Concatenate()([h, keras.layers.Embedding(3, 2)(y)])
    h = keras.layers.Dense(8)(h)
    h = keras.layers.BatchNormalization(epsilon=1e-5, momentum=0.9)(h)
    h = keras.layers.Activation("relu")(h)
    return keras.Model(inputs if conditional else z, keras.layers.Dense(4)(h))


def discriminator(conditional=False, spectral_norm=True):
    sn = kg.layers.SpectralNormalization if spectral_norm else (lambda l: l)
    x = keras.Input((4,))
    inputs = [x]
    h = x
    if conditional:
        y = keras.Input((), dtype="int32")
        inputs.append(y)
        h = keras.layers.Concatenate()([h, keras.layers.Embedding(3, 2)(y)])
    h = sn(keras.layers.Dense(8))(h)
    h = keras.layers.LeakyReLU(0.2)(h)
    return keras.Model(inputs if conditional else x, sn(keras.layers.Dense(1))(h))


def games():
    keras.utils.set_random_seed(0)
    ns = FixedGAN(generator(), discriminator(), LATENT, loss="non_saturating", seed=0)
    gp = FixedWGANGP(
        generator(), discriminator(spectral_norm=False), LATENT, d_steps=2,
        regularizers=[FixedAlphaPenalty(10.0)], seed=0,
    )
    cg = FixedCGAN(generator(True), discriminator(True), LATENT, num_classes=3, loss="hinge", seed=0)
    for game in (ns, gp, cg):
        game.compile(g_optimizer=keras.optimizers.SGD(0.05), d_optimizer=keras.optimizers.SGD(0.05))
    return {"ns": ns, "gp": gp, "cg": cg}


def record(game, key, data):
    out = {}
    z = Z[0]
    cond = LABELS if isinstance(game, kg.ConditionalGAN) else None
    g_in = [z, LABELS] if cond is not None else z
    d_in = [REAL, LABELS] if cond is not None else REAL
    out[f"{key}/g_out"] = ops.convert_to_numpy(game.generator(g_in, training=False))
    out[f"{key}/d_out"] = ops.convert_to_numpy(game.discriminator(d_in, training=False))
    fake = game.generator(g_in, training=False)
    _, adv, terms = game.discriminator_loss(ops.convert_to_tensor(REAL), fake, cond)
    out[f"{key}/d_loss"] = ops.convert_to_numpy(adv)
    for name, value in terms.items():
        out[f"{key}/{name}"] = ops.convert_to_numpy(value)
    game._calls = 0
    logs = game.train_on_batch(*data, return_dict=True)
    for name, value in logs.items():
        out[f"{key}/step_{name}"] = np.asarray(value)
    for i, w in enumerate(game.get_weights()):
        out[f"{key}/w{i:02d}"] = np.asarray(w)
    return out


def main(argv):
    mode, folder = argv[1], argv[2]
    all_games = games()
    if mode == "build":
        # Non-zero biases: with Keras' zero bias init a generator row whose ReLU
        # units are all off comes out exactly 0, and D's pre-activation sits
        # exactly on LeakyReLU's kink, where the backends disagree on the
        # derivative (JAX takes the x >= 0 branch, TF and torch the x < 0 one).
        rng = np.random.default_rng(7)
        for key, game in all_games.items():
            for v in game.weights:
                if v.path.endswith("bias"):
                    v.assign(rng.uniform(-0.1, 0.1, v.shape).astype("float32"))
            game.save_weights(f"{folder}/{key}.weights.h5")
        return
    result = {}
    for key, game in all_games.items():
        game.load_weights(f"{folder}/{key}.weights.h5")
        data = (REAL, LABELS) if key == "cg" else (REAL,)
        result.update(record(game, key, data))
    np.savez(argv[3], **result)


if __name__ == "__main__":
    main(sys.argv)
