"""Does the step wait on the data? ``fit`` from a ``kg.data`` loader vs ``fit``
from the same batches already in memory, at the recipes' CPU shapes:

- cyclegan: ``kg.data.unpaired`` over ``fruit_apple_orange`` trainA/trainB
  (resize to 143, random 128 crop, flip), batch 1, a 128 px / 6-block / ngf-32
  CycleGAN;
- srresnet: ``kg.data.sr_pairs`` over T91 (random 96 px HR crops, flips,
  rotations, PIL bicubic LR), batch 16, SRResNet-16 on the MSE.

Both runs compile first (a 1-step fit), then time ``--steps`` batches of one
``fit`` epoch with a callback; reported: median s/step of each, and the ratio.
The loader runs with ``--workers`` background workers (Keras' PyDataset
``workers``); the arrays are those same batches, read beforehand.

    python benchmarks/loader.py --game cyclegan --steps 20
    python benchmarks/loader.py --game srresnet --steps 10 --workers 1
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_gans as kg  # noqa: E402

DATA = Path(os.environ.get("KERAS_GANS_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


class StepTimes(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.times = [time.perf_counter()]

    def on_train_batch_end(self, batch, logs=None):
        self.times.append(time.perf_counter())

    def per_step(self):
        return statistics.median(np.diff(self.times[2:]))  # from the 2nd batch on


def build(game):
    if game == "cyclegan":
        c = kg.cyclegan
        model = kg.CycleGAN(c.resnet_generator(6, 32, seed=0), c.resnet_generator(6, 32, seed=1),
                            c.patchgan_discriminator(seed=2), c.patchgan_discriminator(seed=3), seed=0)
        model.compile(g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                      d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
        return model
    model = kg.SRGAN(kg.srgan.srresnet(scale=4, blocks=16, filters=64), None, content_loss="mse",
                     adversarial_weight=0, seed=0)
    model.compile(g_optimizer=keras.optimizers.Adam(1e-4, beta_1=0.9))
    return model


def loader(game, steps, workers):
    kwargs = dict(workers=workers, use_multiprocessing=False) if workers else {}
    if game == "cyclegan":
        root = DATA / "fruit_apple_orange"
        data = kg.data.unpaired(root / "trainA", root / "trainB", image_size=128, batch_size=1, **kwargs)
    else:
        data = kg.data.sr_pairs(DATA / "T91" / "Train", scale=4, patch_size=96, batch_size=16,
                                steps_per_epoch=steps + 2, **kwargs)
    return data


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--game", default="cyclegan", choices=["cyclegan", "srresnet"])
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--workers", type=int, default=2)
    args = p.parse_args(argv)
    data = loader(args.game, args.steps, args.workers)
    n = min(args.steps + 2, len(data))
    batches = [data[i] for i in range(n)]
    arrays = tuple(np.concatenate([b[k] for b in batches]) for k in range(len(batches[0])))
    batch = len(batches[0][0])
    rows = {}
    for name in ("arrays", "loader"):
        model = build(args.game)
        model.fit(*(a[:batch] for a in arrays), batch_size=batch, epochs=1, verbose=0)  # compile
        timer = StepTimes()
        if name == "arrays":
            model.fit(*arrays, batch_size=batch, epochs=1, shuffle=False, verbose=0, callbacks=[timer])
        else:
            model.fit(data, epochs=1, steps_per_epoch=n, verbose=0, callbacks=[timer])
        rows[name] = timer.per_step()
    out = {"game": args.game, "backend": keras.backend.backend(), "batch": batch, "steps": n,
           "workers": args.workers, "arrays_s_per_step": rows["arrays"], "loader_s_per_step": rows["loader"],
           "loader_over_arrays": rows["loader"] / rows["arrays"]}
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
