"""Trains a few steps of one game, on one device or data-parallel, and saves
its trainable weights (run by tests/test_distribution.py in a fresh
interpreter: device counts and distributions are fixed at start-up).

    python tests/distribution_worker.py MODE OUT_FOLDER GAME [GAME ...]
    MODE: single | data_parallel (JAX: keras.distribution.DataParallel) | mirrored (TF:
    tf.distribute.MirroredStrategy over 2 logical CPUs, built and compiled in its scope) | ddp
    (torch: one process per rank under torch.distributed.run, gloo; each fits its shard of every
    global batch);  GAME: wgan_gp | conditional | cyclegan | pix2pix | srgan
    (steps per game: KG_DIST_STEPS as "game=n,..."; default 3)
"""

import os
import sys

import numpy as np


def build(name, kg, keras):
    A, S = kg.architectures, kg.cyclegan
    rng = np.random.default_rng(0)

    def adam():
        # SGD, not Adam: Adam moves a weight whose gradient is ~0 (a bias before an
        # instance norm) by +-lr on float rounding noise alone, which would hide
        # what this compares: the gradients themselves
        return keras.optimizers.SGD(1e-2)

    if name == "wgan_gp":
        game = kg.WGANGP(A.mlp_generator(2, 2, (16,)), A.mlp_discriminator(2, (16,)), latent_dim=2, seed=0)
        data = (rng.normal(size=(24, 2)).astype("float32"), None)
    elif name == "conditional":  # DCGAN with batch norm in both players
        game = kg.ConditionalGAN(A.dcgan_generator(4, 28, 1, 4, num_classes=3, seed=0),
                                 A.dcgan_discriminator(28, 1, 4, num_classes=3, seed=1),
                                 latent_dim=4, num_classes=3, seed=0)
        data = (rng.uniform(-1, 1, (24, 28, 28, 1)).astype("float32"), rng.integers(0, 3, 24))
    elif name == "cyclegan":  # the image pool on
        game = kg.CycleGAN(S.resnet_generator(n_blocks=1, filters=4, seed=0, name="g_ab"),
                           S.resnet_generator(n_blocks=1, filters=4, seed=1, name="g_ba"),
                           S.patchgan_discriminator(filters=4, seed=2, name="d_a"),
                           S.patchgan_discriminator(filters=4, seed=3, name="d_b"), pool_size=4, seed=0)  # full after half a batch: step 2 swaps
        data = (rng.integers(0, 256, (24, 32, 32, 3), dtype=np.uint8),
                rng.integers(0, 256, (24, 32, 32, 3), dtype=np.uint8))
    elif name == "pix2pix":  # batch norm in both players (no dropout at 5 levels: its masks are random)
        game = kg.Pix2Pix(kg.pix2pix.unet_generator(5, 4, seed=0),
                          S.patchgan_discriminator(filters=4, n_layers=2, channels=6, norm="batch", seed=1), seed=0)
        a = rng.integers(0, 256, (24, 32, 32, 3), dtype=np.uint8)
        data = (a, 255 - a)
    elif name == "srgan":
        game = kg.SRGAN(kg.srgan.srresnet(scale=4, blocks=1, filters=8),
                        kg.srgan.srgan_discriminator(filters=4, image_size=16, dense=8), seed=0)
        data = (rng.random((24, 4, 4, 3)).astype("float32"), (rng.random((24, 16, 16, 3)) * 2 - 1).astype("float32"))
    else:
        raise SystemExit(f"unknown game {name!r}")
    game.compile(g_optimizer=adam(), d_optimizer=adam())
    return game, data


def main(mode, out, *names):
    import contextlib

    scope, replicas = contextlib.nullcontext, None
    if mode == "mirrored":
        import tensorflow as tf

        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
        scope, replicas = strategy.scope, strategy.num_replicas_in_sync
    import keras

    import keras_gans as kg

    rank, world = 0, 1
    if mode == "data_parallel":
        keras.distribution.set_distribution(keras.distribution.DataParallel())
    if mode == "ddp":
        import torch.distributed as dist

        dist.init_process_group("gloo")
        rank, world = dist.get_rank(), dist.get_world_size()
        replicas = world
    steps = dict(kv.split("=") for kv in os.environ.get("KG_DIST_STEPS", "").split(",") if kv)
    for name in names:
        keras.utils.set_random_seed(0)
        with scope():
            game, (x, y) = build(name, kg, keras)
        n = 8 * int(steps.get(name, 3))
        x, y = x[:n], None if y is None else y[:n]
        if world > 1:  # this rank's rows of every global batch of 8
            b = 8 // world
            rows = np.concatenate([np.arange(s + rank * b, s + (rank + 1) * b) for s in range(0, n, 8)])
            x, y = x[rows], None if y is None else y[rows]
        game.fit(x, y, batch_size=8 // world, epochs=1, shuffle=False, verbose=0)  # steps of a global batch of 8
        if rank:
            continue
        weights = {f"{i}:{v.path}": np.asarray(keras.ops.convert_to_numpy(v), np.float32)
                   for i, v in enumerate(game.weights) if "float" in str(v.dtype)}
        np.savez(os.path.join(out, f"{name}.npz"), **weights)
    if not rank:
        print("devices", replicas or (len(keras.distribution.list_devices()) if mode == "data_parallel" else 1))


if __name__ == "__main__":
    main(*sys.argv[1:])
