"""Train tiny games with kg.callbacks.BackupAndRestore; used by test_resume.py.

    python resume_worker.py GAME[,GAME...] FOLDER [--kill GAME:N]

Trains the games in order (see ``chain``); with ``--kill GAME:N`` the process
SIGKILLs itself after batch N of GAME (a real kill: no cleanup runs). A
finished game's state variables are written to FOLDER/GAME.npz.
"""

import argparse
import os
import signal

import keras
import numpy as np

import keras_gans as kg
from keras_gans import checkpoint

EPOCHS = 3
SAVE_FREQ = 2


def build(game):
    """(game, fit kwargs): deterministic on one backend for a given name."""
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    if game in ("gan", "wgan_gp"):
        g = kg.architectures.mlp_generator(4, 2, (16, 16), activation="relu")
        d = kg.architectures.mlp_discriminator(2, (16, 16))
        x = rng.normal(size=(40, 2)).astype("float32")
        if game == "gan":
            m = kg.GAN(g, d, latent_dim=4, seed=1)
            m.compile(g_optimizer=keras.optimizers.Adam(1e-3, use_ema=True, ema_momentum=0.9),
                      d_optimizer=keras.optimizers.Adam(1e-3))
        else:
            m = kg.WGANGP(g, d, latent_dim=4, d_steps=2, seed=1)
            m.compile(g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.9),
                      d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.9))
        return m, {"x": x, "batch_size": 8}
    if game == "cyclegan":
        nets = kg.cyclegan
        m = kg.CycleGAN(nets.resnet_generator(1, 4, seed=2), nets.resnet_generator(1, 4, seed=3),
                        nets.patchgan_discriminator(4, n_layers=1, seed=4),
                        nets.patchgan_discriminator(4, n_layers=1, seed=5), pool_size=3, seed=2)
        m.compile(g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                  d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
        a = rng.integers(0, 256, (10, 16, 16, 3), dtype=np.uint8)
        b = rng.integers(0, 256, (10, 16, 16, 3), dtype=np.uint8)
        return m, {"x": a, "y": b, "batch_size": 2}
    if game == "pix2pix":  # batch norm, seeded dropout, and kg.data.paired's random crops and flips
        g = kg.pix2pix.unet_generator(6, 2, seed=2)
        d = kg.cyclegan.patchgan_discriminator(2, n_layers=1, channels=6, norm="batch", seed=3)
        m = kg.Pix2Pix(g, d, seed=2)
        m.compile(g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                  d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
        a = rng.integers(0, 256, (6, 68, 68, 3), dtype=np.uint8)
        return m, {"x": kg.data.pipelines.Paired(a, 255 - a, 64, batch_size=2, seed=4)}
    if game in ("srgan", "srresnet"):
        g = kg.srgan.srresnet(scale=2, blocks=1, filters=8)
        if game == "srgan":
            d = kg.srgan.srgan_discriminator(filters=4, image_size=16, dense=8)
            m = kg.SRGAN(g, d, content_loss="mse", adversarial_weight=1e-2, seed=3)
            m.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-3))
        else:
            m = kg.SRGAN(g, None, content_loss="mse", adversarial_weight=0, seed=3)
            m.compile(g_optimizer=keras.optimizers.Adam(1e-3))
        hr = rng.integers(0, 256, (10, 16, 16, 3), dtype=np.uint8)
        lr = hr.reshape(10, 8, 2, 8, 2, 3).mean(axis=(2, 4)).astype(np.uint8)
        return m, {"x": lr, "y": hr, "batch_size": 2}
    raise ValueError(game)


def total_steps(game):
    _, kw = build(game)
    return EPOCHS * (-(-len(kw["x"]) // kw["batch_size"]) if "batch_size" in kw else len(kw["x"]))


class _KillAt(keras.callbacks.Callback):
    def __init__(self, n):
        super().__init__()
        self.n, self.seen = n, 0

    def on_train_batch_end(self, batch, logs=None):
        self.seen += 1
        if self.seen == self.n:
            os.kill(os.getpid(), signal.SIGKILL)


def train(game, backup_dir, kill_at=None):
    m, kw = build(game)
    callbacks = [kg.callbacks.BackupAndRestore(backup_dir, save_freq=SAVE_FREQ)]
    if kill_at:
        callbacks.append(_KillAt(kill_at))
    m.fit(epochs=EPOCHS, verbose=0, callbacks=callbacks, **kw)
    return m


def state(m):
    # keyed by position: auto-generated names (adam_3, seed_generator_2) depend on the process
    return {f"{i:04d}:{g}": keras.ops.convert_to_numpy(v) for i, (g, v) in enumerate(checkpoint.state_variables(m))}


def chain(games, folder, kill_game, kill_at):
    """Train ``games`` in order, each with its own backup folder and result
    file under ``folder``: a game already finished (its .npz exists) is
    skipped, a game with a checkpoint resumes, and ``kill_game`` is killed
    after batch ``kill_at`` of this process. So one process per kill covers
    every game: process k resumes game k-1 and is killed in game k."""
    from pathlib import Path

    folder = Path(folder)
    for game in games:
        out = folder / f"{game}.npz"
        if out.exists():
            continue
        model = train(game, folder / f"{game}_backup", kill_at if game == kill_game else None)
        np.savez(out, **state(model))


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("games", help="comma-separated games, trained in order")
    p.add_argument("folder")
    p.add_argument("--kill", default=None, metavar="GAME:N", help="SIGKILL after batch N of GAME")
    a = p.parse_args()
    kg_, n = (a.kill.split(":") if a.kill else (None, 0))
    chain(a.games.split(","), a.folder, kg_, int(n))
