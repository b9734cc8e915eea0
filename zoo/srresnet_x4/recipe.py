"""Recipe of the `srresnet_x4` and `srgan_x4` zoo entries (Ledig et al., CVPR 2017), x4.

Two stages, as in the paper (section 3.2):

1. ``--stage srresnet``: SRResNet-16 (B = 16 residual blocks, 64 filters)
   trained alone on the pixel MSE, Adam(1e-4, beta_1 = 0.9), batch 16,
   96x96 HR crops. The paper: 10^6 updates. Writes ``zoo/srresnet_x4``.
2. ``--stage srgan``: generator initialised from stage 1 (``--init``), trained
   against the SRGAN discriminator with ``content + 1e-3 * adversarial``
   (non-saturating), Adam(beta_1 = 0.9) at 1e-4 for the first half of the
   updates then 1e-5. The paper: 10^5 + 10^5 updates. Writes ``zoo/srgan_x4``.

Data: **T91 only** (Yang et al.'s 91 training images, ``../shared/data/T91``;
never Set5/Set14/BSD100, which are the test sets). Each sample: a random
96x96 HR crop of a random image (the one image smaller than 96 px is left
out), random horizontal flip and 90-degree rotation; LR = PIL bicubic
downscale x4 of the crop. Batches are uint8 pairs; the game converts LR to
[0, 1] and HR to [-1, 1]. (The paper trained on 350k ImageNet images: T91 is
~5.4 Mpx, so expect lower PSNR and more over-fitting than the paper.)

Content loss of stage 2: ``--content mse`` (default; needs no download: the
paper's "SRGAN-MSE" variant) or ``--content vgg54`` (the paper's SRGAN-VGG54;
needs ``~/.keras/models/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5``,
fails at once otherwise).

Trained on a 2-core CPU over several sessions (the card lists every segment
with its backend). The default backend here is tensorflow, the fastest for
this step on the CPUs measured (TF + XLA, the games' default ``jit_compile``:
1.32 s vs torch 1.47 s, JAX 2.32 s per batch-16 step on the 2-core AMD EPYC;
benchmarks/RESULTS.md); set KERAS_BACKEND to use another:

    python zoo/srresnet_x4/recipe.py --stage srresnet
    python zoo/srresnet_x4/recipe.py --stage srgan --init zoo/srresnet_x4
    keras-gans evaluate-sr zoo/srresnet_x4 --data ../shared/data/Set5

Checks:

    python zoo/srresnet_x4/recipe.py --stage srresnet --smoke --out /tmp/srresnet_smoke
    python zoo/srresnet_x4/recipe.py --stage srgan --smoke --init /tmp/srresnet_smoke --out /tmp/srgan_smoke
    python zoo/srresnet_x4/recipe.py --stage srgan --benchmark 5     # CPU/GPU seconds per step
"""

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_gans as kg  # noqa: E402
from keras_gans.data.pipelines import SRPairs  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_shared"))  # recipe support, outside the wheel
import recipe_utils  # noqa: E402

HERE = Path(__file__).resolve().parent
ZOO = HERE.parent
SCALE = 4
PAPER_STEPS = {"srresnet": 1_000_000, "srgan": 200_000}


# ------------------------------------------------------------------- data
def load_t91(path=None, min_side=96):
    """The T91 images as a list of uint8 RGB arrays (sides >= ``min_side``)."""
    folder = kg.data.dataset_path("T91", path)
    train = folder / "Train" if (folder / "Train").is_dir() else folder
    images = []
    for f in kg.images.list_images(train):
        a = kg.images.read_rgb(f)[0]
        if min(a.shape[:2]) >= min_side:
            images.append(a)
    return images


VALIDATION = ("flowers_ccby_128", 100)  # (data set, images): never trained on, not a test set


def load_validation(path=None, count=VALIDATION[1]):
    """The validation images: ``count`` of the CC BY flower photos (128x128 HR,
    one every ``n // count`` files in sorted order), as uint8 ``(n, 128, 128, 3)``.
    Not T91: every T91 image has been trained on for hundreds of passes, so a
    held-out T91 split cannot be made any more; not Set5/Set14/BSD100, the
    test sets. Used to choose the schedule and the checkpoint, never to train."""
    folder = kg.data.dataset_path(VALIDATION[0], path)
    files = kg.images.list_images(folder, recursive=True)
    if len(files) < count:
        raise FileNotFoundError(f"validation: {count} images expected under {folder}; found {len(files)}.")
    chosen = files[:: len(files) // count][:count]
    return np.stack([np.asarray(kg.images.open_image(f).convert("RGB"), np.uint8) for f in chosen])


def validation_psnr(game, hr):
    """Mean Y-channel PSNR (4 px shaved, as the SR tables) of ``game.upscale``
    on ``hr``'s PIL-bicubic x1/4 copies."""
    from keras_gans.srgan.benchmark import bicubic_resize

    lr = np.stack([bicubic_resize(h, (h.shape[0] // SCALE, h.shape[1] // SCALE)) for h in hr])
    sr = game.upscale(lr)
    return float(np.mean([kg.metrics.psnr(a, b, SCALE) for a, b in zip(sr, hr)]))


class PlateauSchedule(keras.callbacks.Callback):
    """``--lr-plateau``: the schedule chosen by validation. Every ``every``
    steps the validation PSNR is measured; a new best (by more than
    ``min_delta`` dB) saves the generator to ``run/best.weights.h5``; after
    ``patience`` measurements without one the rate is multiplied by 0.1
    (down to ``min_lr``; below it the run stops). State (best, rate, the
    record of every measurement) is kept in ``run/validation.json`` so a
    resumed run goes on with it; the export ships the best weights."""

    def __init__(self, run, hr, every, patience, lr, min_lr=1e-6, min_delta=0.01):
        super().__init__()
        self.path, self.hr, self.every, self.patience = Path(run) / "validation.json", hr, every, patience
        self.best_path = Path(run) / "best.weights.h5"
        self.min_lr, self.min_delta, self.step = min_lr, min_delta, None
        self.state = (json.loads(self.path.read_text()) if self.path.is_file()
                      else {"lr": lr, "best": None, "best_step": None, "since_best": 0, "record": []})

    def on_train_begin(self, logs=None):
        if self.step is None:
            self.step = int(getattr(self.model, "resumed_from_step", 0) or 0)
        self.model.g_optimizer.learning_rate = self.state["lr"]

    def on_train_batch_end(self, batch, logs=None):
        from keras_gans.files import atomic_path, atomic_write_text

        self.step += 1
        if self.step % self.every:
            return
        st = self.state
        value = validation_psnr(self.model, self.hr)
        improved = st["best"] is None or value > st["best"] + self.min_delta
        st["record"].append({"step": self.step, "psnr": round(value, 4), "lr": st["lr"]})
        if improved:
            st.update(best=value, best_step=self.step, since_best=0)
            with atomic_path(self.best_path) as tmp:
                self.model.generator.save_weights(tmp)
        else:
            st["since_best"] += 1
            if st["since_best"] >= self.patience:
                st["lr"], st["since_best"] = st["lr"] * 0.1, 0
                if st["lr"] < self.min_lr * 0.999:
                    self.model.stop_training = True
                else:
                    self.model.g_optimizer.learning_rate = st["lr"]
                st["record"][-1]["drop_to"] = st["lr"]
        print(f"  [validation] step {self.step}: PSNR {value:.3f} dB (best {st['best']:.3f} at step "
              f"{st['best_step']}), lr {st['lr']:g}", flush=True)
        atomic_write_text(self.path, json.dumps(st, indent=1))


def t91_pairs(images, steps, batch_size=16, crop=96, seed=0):
    """``steps`` batches of random (LR, HR) uint8 pairs (``kg.data.sr_pairs``'
    draws: a random crop, flip and rotation; LR by PIL bicubic x1/4); batch
    ``i`` of epoch ``e`` depends only on ``(seed, e, i)``."""
    return SRPairs(images, SCALE, crop, batch_size, steps, seed, skipped=[])


# ------------------------------------------------------------------ models
def build_game(args, stage):
    if stage == "srresnet":
        g = kg.srgan.srresnet(scale=SCALE, blocks=args.blocks, filters=args.filters)
        return kg.SRGAN(g, None, content_loss="mse", adversarial_weight=0, seed=args.seed)
    if args.init is None:
        raise ValueError("--stage srgan starts from a trained SRResNet: pass --init ENTRY (e.g. zoo/srresnet_x4).")
    init = kg.zoo.load(args.init)
    g = init.generator if isinstance(init, kg.SRGAN) else init
    d = kg.srgan.srgan_discriminator(filters=args.filters, image_size=args.crop)
    return kg.SRGAN(g, d, content_loss=content_loss(args), adversarial_weight=args.adversarial_weight, seed=args.seed)


def content_loss(args):
    """Stage srgan's content loss: ``--content``, with ``--lattice-weight`` a
    ``kg.srgan.LatticeMSE`` (the pixel MSE plus a penalty on the x4 lattice
    of the error: against the grid texture)."""
    if args.lattice_weight:
        if args.content != "mse":
            raise SystemExit("--lattice-weight goes with --content mse.")
        return kg.srgan.LatticeMSE(lattice_weight=args.lattice_weight, period=SCALE)
    return args.content


def milestones(args):
    """``--lr-milestones`` as sorted ints (optimizer steps of this run folder), or []."""
    if not args.lr_milestones:
        return []
    try:
        out = [int(x) for x in str(args.lr_milestones).split(",") if x.strip()]
    except ValueError:
        raise SystemExit(f"--lr-milestones: comma-separated step counts expected; got {args.lr_milestones!r}.")
    if out != sorted(set(out)) or out[0] < 1:
        raise SystemExit(f"--lr-milestones: increasing step counts >= 1 expected; got {args.lr_milestones!r}.")
    return out


def rates(args):
    """Adam's rate in each phase of ``--lr-milestones``: ``--lr-rates`` when
    given (one more than the milestones; a later phase may go back up, a warm
    restart), else ``--lr`` x ``--lr-gamma`` at each milestone."""
    marks = milestones(args)
    if not args.lr_rates:
        return [args.lr * args.lr_gamma**i for i in range(len(marks) + 1)]
    try:
        out = [float(x) for x in str(args.lr_rates).split(",") if x.strip()]
    except ValueError:
        raise SystemExit(f"--lr-rates: comma-separated learning rates expected; got {args.lr_rates!r}.")
    if len(out) != len(marks) + 1 or min(out) <= 0:
        raise SystemExit(f"--lr-rates: {len(marks) + 1} positive rates expected (one per phase of --lr-milestones "
                         f"{args.lr_milestones!r}); got {args.lr_rates!r}.")
    return out


def learning_rate(args):
    """Adam's rate: constant, or piecewise constant over ``--lr-milestones``."""
    marks, values = milestones(args), rates(args)
    if not marks:
        return values[0]
    return keras.optimizers.schedules.PiecewiseConstantDecay(marks, values)


def describe_lr(args):
    marks, values = milestones(args), rates(args)
    if not marks:
        return f"Adam({values[0]:g}, beta_1=0.9)"
    phases = ", ".join(f"{v:g} from run step {m}" for v, m in zip(values[1:], marks))
    return f"Adam({values[0]:g}, beta_1=0.9), then {phases}"


def optimizers(args, stage, steps):
    if stage == "srresnet":
        return {"g_optimizer": keras.optimizers.Adam(learning_rate(args), beta_1=0.9)}
    lr = keras.optimizers.schedules.PiecewiseConstantDecay([max(1, steps // 2)], [args.lr, args.lr / 10])
    return {
        "g_optimizer": keras.optimizers.Adam(lr, beta_1=0.9),
        "d_optimizer": keras.optimizers.Adam(lr, beta_1=0.9),
    }


def select_best(game, run):
    """Put the best-validation weights of ``--lr-plateau`` into the generator
    and say which (None when no measurement was made)."""
    path, state_path = Path(run) / "best.weights.h5", Path(run) / "validation.json"
    if not (path.is_file() and state_path.is_file()):
        return None
    state = json.loads(state_path.read_text())
    game.generator.load_weights(path)
    return {"best_step": state["best_step"], "validation_psnr": round(state["best"], 4),
            "validation": f"{VALIDATION[1]} {VALIDATION[0]} photos (128 px HR, PIL bicubic x1/4 LR), Y PSNR",
            "record": state["record"]}


def describe_plateau(args, selected):
    drops = [f"{r['drop_to']:g} from run step {r['step']}" for r in selected["record"] if "drop_to" in r]
    return (f"Adam({args.lr:g}, beta_1=0.9), x0.1 after {args.lr_plateau} validation measurements (every "
            f"{args.val_every} steps) without a new best" + (f": {', '.join(drops)}" if drops else "")
            + f"; shipped: the best-validation weights, run step {selected['best_step']}")


def record_init(init, run):
    """Stage srgan: write what the run starts from (the SRResNet entry's steps,
    weights sha256, Set5 PSNR) into ``run/init.json``: the entry may be
    retrained before this run is exported, and the card must name the start."""
    config = kg.zoo.load_config(init)
    info = {
        "entry": str(init),
        "commit": recipe_utils.committed_at(kg.zoo.entry_path(init)),  # None: not as any commit has it
        "steps": config.get("training", {}).get("steps"),
        "sha256": config.get("weights", {}).get("sha256"),
        "set5_psnr": config.get("metrics", {}).get("Set5", {}).get("psnr"),
    }
    (Path(run) / "init.json").write_text(json.dumps(info, indent=1))
    return info


def benchmark(game, images, args, n):
    """Seconds per training step (after one compile step) on random pairs."""
    data = t91_pairs(images, n + 1, args.batch_size, args.crop, args.seed)
    batches = [data[i] for i in range(n + 1)]
    t0 = time.perf_counter()
    game.train_on_batch(*batches[0])
    compile_s = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    for lr, hr in batches[1:]:
        logs = game.train_on_batch(lr, hr, return_dict=True)
    float(logs["content_loss"])  # wait for the device
    per_step = (time.perf_counter() - t0) / n
    cpu_per_step = (time.process_time() - c0) / n
    return compile_s, per_step, cpu_per_step


SRRESNET_CHOICES = (
    "Kept the paper's batch 16, 96x96 HR crops, pixel MSE and Adam(1e-4) of the warm start so "
    "its optimizer-free weights continue the same objective; the rate drops (x0.1) once the Set5-free "
    "training PSNR has stalled (--lr-milestones; steps counted in this run folder); when that schedule was "
    "spent (its 1e-6 phase gained nothing), a second cycle set in advance from the session's time, not from "
    "test sets: 1e-4 for 3,000 steps, then 1e-5 (--lr-rates). Backend: each "
    "segment's is listed under segments; the fastest on the 2-core AMD EPYC, measured quiet on 2026-12-03 "
    "(benchmarks/RESULTS.md), is TensorFlow with XLA (1.32 s per step; torch backend 1.47 s, "
    "JAX 2.32 s, TF without XLA 2.18 s; one thread each beside another run: TF + XLA 2.50 s, "
    "torch 2.59 s). No checkpoint selection: the latest weights ship (T91 has no held-out split here)."
)
SRGAN_CHOICES = (
    "SRGAN-MSE (Ledig et al.'s variant with the pixel-MSE content loss): no VGG19 ImageNet file can be "
    "downloaded here, so the VGG54 content loss of the paper's SRGAN is not used. Generator loss = MSE + "
    "1e-3 x non-saturating adversarial loss, discriminator as the paper (8 convs, LeakyReLU 0.2, BN, "
    "Dense 1024), both Adam(1e-4, beta_1 0.9), batch 16, 96x96 HR crops of T91 with flips/rotations, "
    "TensorFlow with XLA (the fastest backend on this CPU, benchmarks/RESULTS.md). The generator starts "
    "from the SRResNet entry named under init_detail. No checkpoint selection: the latest weights ship."
)


def srgan_start(args, init_info):
    """Stage srgan's card fields on its start: ``init``, the ``init_detail``
    sentence for readers and ``init_from`` (the same as fields, read by
    evaluate.py)."""
    detail = (f"{init_info.get('entry')} as shipped at commit {init_info.get('commit') or '(uncommitted)'}: "
              f"{init_info.get('steps')} steps, Set5 {init_info.get('set5_psnr')} dB, weights sha256 "
              f"{init_info.get('sha256')}") if init_info else None
    return {"init": str(args.init), "init_detail": detail, "init_from": dict(init_info) if init_info else None}


def card(args, stage, steps, wall, history, n_images, init_info=None, out=None):
    srgan = stage == "srgan"
    name = "srgan_x4" if srgan else "srresnet_x4"
    final = {k: float(v[-1]) for k, v in history.items()} if history else {}
    return {
        "title": f"{name}: {'SRGAN' if srgan else 'SRResNet'} x4 super-resolution (Ledig et al. 2017)",
        "summary": (
            f"{'SRGAN' if srgan else 'SRResNet'} x4 trained by keras_gans on T91. Use: "
            f"`sr = kg.zoo.load({name!r}); hr = sr.upscale(uint8_image, tile=192)` (uint8 in, "
            f"uint8 out, any size), or `keras-gans upscale {name} in.png -o out.png`; evaluate with "
            f"`keras-gans evaluate-sr {name} --data ../shared/data/Set5`."
            + (" Smoke-test weights: NOT a trained model." if args.smoke else "")
        ),
        "task": "single-image super-resolution, x4",
        "architecture": (
            f"SRResNet generator (B={args.blocks} residual blocks, {args.filters} filters, PReLU, "
            "BatchNorm, 2 x PixelShuffle(2))"
            + (f"; SRGAN discriminator (8 convs {args.filters}..{args.filters * 8}, Dense 1024)" if srgan else "")
        ),
        "data": (
            f"T91 (Yang et al. 2010, 91 images; the {n_images} with sides >= {args.crop} px), random "
            f"{args.crop}x{args.crop} HR crops, flips, 90-degree rotations; LR by PIL bicubic x1/4. "
            "Set5/Set14/BSD100 are never used for training."
        ),
        "licence": "Weights: Apache-2.0 (as keras_gans). Data: T91, no licence stated upstream (research use).",
        "preprocessing": {
            "image_size": None,
            "channels": 3,
            "scale": SCALE,
            "value_range": [-1, 1],
            "input_value_range": [0, 1],
            "note": "generator: LR RGB in [0, 1] -> HR RGB in [-1, 1]; upscale() handles uint8",
        },
        "training": recipe_utils.run_record(
            __file__, out or ZOO / ("srgan_x4" if stage == "srgan" else "srresnet_x4"),
            command=recipe_utils.command_line(training=True),
            stage=stage,
            steps=steps,
            paper_steps=PAPER_STEPS[stage],
            batch_size=args.batch_size,
            crop=args.crop,
            optimizer=f"Adam({args.lr}, beta_1=0.9), x0.1 after half the steps" if srgan else describe_lr(args),
            content_loss=repr(content_loss(args)) if srgan and args.lattice_weight else (args.content if srgan else "mse"),
            adversarial_weight=args.adversarial_weight if srgan else 0.0,
            warm_start=(
                f"{args.warmstart} ({args.prior_steps} steps, {args.prior_wall_s / 3600:.2f} h, included in "
                "steps and wall_time_s)" if getattr(args, "warmstart", None) else None
            ),
            choices=SRGAN_CHOICES if srgan else SRRESNET_CHOICES,
            **(srgan_start(args, init_info) if srgan else {}),
            final_logs=final,
            wall_time_s=round(wall, 1),
            seed=args.seed,
            smoke=bool(args.smoke),
        ),
        "limits": [
            "Trained on T91 only (~5.4 Mpx), not the paper's 350k ImageNet images.",
            "upscale() takes RGB arrays (convert grayscale/RGBA first); `keras-gans upscale` takes grayscale and "
            "RGBA files too (alpha upscaled bicubically, grey kept grey).",
            "The generator's output is linear: upscale() clips it to the image range.",
            "No checkpoint selection (T91 has no held-out split here): the latest weights ship; Set5/Set14/BSD100 "
            "were never used in training.",
        ] + ([
            f"Adversarial fine-tuning of {steps:,} steps, against the paper's 200,000 (10^5 at 1e-4, then 10^5 "
            "at 1e-5) on a GPU: a 2-core CPU allows this much per session. The detail it adds is measured on "
            "the card (sharpness table) and is less than the paper's SRGAN would add; like every GAN-SR "
            "model it invents texture that is not in the input (do not use it where fidelity matters).",
        ] if srgan else []),
    }


def carry_forward(entry_card, old_config, prior_steps):
    """Keep what earlier exports of this entry wrote by hand or measured:
    the training history (extended by one sentence per new segment, and a
    new total), the status line (limits[0], re-measured by evaluate.py) and
    the PSNR progress table. Nothing is carried into a fresh entry or
    across stages."""
    old_config = Path(old_config)
    if not old_config.is_file():
        return entry_card
    old = json.loads(old_config.read_text())
    t_old, t_new = old.get("training", {}), entry_card["training"]
    if t_old.get("stage") != t_new["stage"] or t_old.get("smoke") or t_new.get("smoke"):
        return entry_card
    covered = int(t_old.get("steps") or 0) - prior_steps  # run steps the old history already tells
    if t_old.get("history"):
        sentences = []
        for seg in t_new.get("segments", []):
            if seg["steps_to"] <= covered:
                continue
            a, b = prior_steps + max(seg["steps_from"], covered) + 1, prior_steps + seg["steps_to"]
            note = f"; {seg['note'].rstrip('. ')}" if seg.get("note") else ""
            sentences.append(f"Steps {a:,}-{b:,} ({seg['wall_s']:,.0f} s on a {seg.get('cores', '?')}-core "
                             f"{seg.get('cpu', 'CPU')}, {seg['backend']} backend{note}).")
        head = re.sub(r"\s*Total [\d,]+ steps[^.]*\([^)]*\)\.?\s*$", "", t_old["history"]).rstrip()
        wall = t_new["wall_time_s"]
        total = f"Total {t_new['steps']:,} steps, {wall:,.0f} s ({wall / 3600:.2f} CPU-hours; each segment's CPU above)."
        t_new["history"] = " ".join([head, *sentences, total])
    for key in ("progress",):
        if key in t_old:
            t_new[key] = t_old[key]
    if old.get("limits") and str(old["limits"][0]).startswith(STATUS_PREFIXES):
        entry_card["limits"] = [old["limits"][0], *[x for x in entry_card["limits"] if x != old["limits"][0]]]
    return entry_card


STATUS_PREFIXES = ("BELOW THE TARGET", "TARGET MET", "EARLY WEIGHTS", "MEASURED")  # evaluate.py writes them


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--stage", choices=["srresnet", "srgan"], default="srresnet")
    p.add_argument("--steps", type=int, default=None, help="updates (default: the paper's)")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--crop", type=int, default=96, help="HR crop side (multiple of 16)")
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--lr-milestones", default=None, metavar="STEPS",
                   help="stage srresnet: comma-separated optimizer steps of this run (warm-start steps not "
                        "counted) at which the rate is multiplied by --lr-gamma (default: constant). A run "
                        "resumed with new milestones keeps its Adam moments; the rate follows the new ones")
    p.add_argument("--lr-gamma", type=float, default=0.1, help="factor at each --lr-milestones step")
    p.add_argument("--lr-plateau", type=int, default=None, metavar="PATIENCE",
                   help="stage srresnet: the schedule chosen by validation (flower photos, never trained on, "
                        "not a test set): x0.1 after PATIENCE measurements (every --val-every steps) without "
                        "a new best, stop below 1e-6; the best-validation weights are the ones exported")
    p.add_argument("--val-every", type=int, default=250, help="steps between validation measurements")
    p.add_argument("--lr-rates", default=None, metavar="RATES",
                   help="stage srresnet: comma-separated rates, one per phase of --lr-milestones (one more "
                        "than the milestones), instead of --lr x --lr-gamma; e.g. a second cycle: "
                        "--lr-milestones 2136,3636,4774,7774 --lr-rates 1e-4,1e-5,1e-6,1e-4,1e-5")
    p.add_argument("--blocks", type=int, default=16)
    p.add_argument("--filters", type=int, default=64)
    p.add_argument("--content", default="mse", help="stage 2 content loss: mse (default) or vgg54")
    p.add_argument("--lattice-weight", type=float, default=0.0,
                   help="stage 2: add kg.srgan.LatticeMSE's penalty on the error's x4 lattice (the grid texture)")
    p.add_argument("--adversarial-weight", type=float, default=1e-3)
    p.add_argument("--init", default=None, help="stage 2: the SRResNet entry (name or folder)")
    p.add_argument("--data", default=None, help="T91 folder (default: ../shared/data/T91)")
    p.add_argument("--out", default=None, help="entry folder (default: zoo/srresnet_x4 or zoo/srgan_x4)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--smoke", action="store_true", help="3 steps, batch 2, 32x32 crops, to check it runs")
    p.add_argument("--run-dir", default=None,
                   help="checkpoints and progress (default ~/.cache/keras_gans/runs/<entry>); a run that "
                        "finds a checkpoint there goes on from it")
    p.add_argument("--save-every", type=int, default=100, help="checkpoint every N steps")
    p.add_argument("--epoch-steps", type=int, default=500, help="steps per (data) epoch")
    p.add_argument("--time-limit", type=float, default=None,
                   help="seconds: stop cleanly (checkpoint written) before then")
    p.add_argument("--warmstart", default=None,
                   help="stage srresnet: generator .weights.h5 (or a zoo entry) to start from when the run "
                        "folder has no checkpoint (e.g. ../shared/warmstart/srresnet_x4/generator.weights.h5, "
                        "or zoo/srresnet_x4 to continue the shipped weights without optimizer state)")
    p.add_argument("--prior-steps", type=int, default=0,
                   help="updates already in the --warmstart weights (added to the card's count)")
    p.add_argument("--prior-wall-s", type=float, default=0.0, help="their wall time (for the card)")
    recipe_utils.add_distribute_argument(p)
    p.add_argument("--segment-note", default=None,
                   help="a sentence for this training segment (machine sharing, pauses), kept in segments.json "
                        "and told in the card's history")
    recipe_utils.add_export_arguments(p)
    p.add_argument("--benchmark", type=int, default=0, metavar="N",
                   help="time N steps (after a compile step) and exit, without training or saving")
    args = p.parse_args(argv)

    if args.smoke:
        args.steps, args.batch_size, args.crop = args.steps or 3, 2, 32
    if args.crop % 16:
        raise ValueError(f"--crop must be a multiple of 16; got {args.crop}.")
    steps = args.steps or PAPER_STEPS[args.stage]
    keras.utils.set_random_seed(args.seed)
    images = load_t91(args.data, min_side=args.crop)
    print(f"T91: {len(images)} images; stage {args.stage}; {steps} steps of {args.batch_size} x "
          f"{args.crop}px HR crops; backend {keras.backend.backend()}", flush=True)

    if args.benchmark and args.stage == "srgan" and args.init is None:
        # the timing does not depend on the weights: a fresh SRResNet stands in for stage 1
        g = kg.srgan.srresnet(scale=SCALE, blocks=args.blocks, filters=args.filters)
        d = kg.srgan.srgan_discriminator(filters=args.filters, image_size=args.crop)
        game = kg.SRGAN(g, d, content_loss=content_loss(args), adversarial_weight=args.adversarial_weight)
        game.compile(**optimizers(args, args.stage, steps))
    else:
        scope, distributed = recipe_utils.distribution(args)
        with scope():  # tf.distribute: the game's variables live in the strategy
            game = build_game(args, args.stage)
            game.compile(**optimizers(args, args.stage, steps))

    if args.benchmark:
        compile_s, per_step, cpu_per_step = benchmark(game, images, args, args.benchmark)
        print(f"benchmark: stage {args.stage}, batch {args.batch_size}, {args.crop}x{args.crop} HR, "
              f"B={args.blocks}, {args.filters} filters, backend {keras.backend.backend()}: first step "
              f"(compile) {compile_s:.1f} s, then {per_step:.2f} s/step wall, {cpu_per_step:.2f} "
              f"CPU-s/step (process time, all threads) over {args.benchmark} steps")
        return 0

    name = "srgan_x4" if args.stage == "srgan" else "srresnet_x4"
    run = recipe_utils.run_dir(name, args.run_dir or (tempfile.mkdtemp() if args.smoke else None))
    log = recipe_utils.RunLog(run)
    epoch_steps = min(args.epoch_steps, steps)
    data = t91_pairs(images, epoch_steps, args.batch_size, args.crop, args.seed)
    epochs = -(-steps // epoch_steps)
    callbacks = recipe_utils.training_callbacks(run, args.save_every, args.time_limit, total_steps=epochs * epoch_steps)
    if args.lr_plateau:
        if args.stage != "srresnet" or args.lr_milestones:
            raise SystemExit("--lr-plateau: stage srresnet only, and not with --lr-milestones.")
        # before the checkpoint callback: a checkpoint written at a measurement step has its rate
        callbacks.insert(1, PlateauSchedule(run, load_validation(), args.val_every, args.lr_plateau, args.lr))
    if args.stage == "srgan" and not args.export_only and not kg.checkpoint.list_checkpoints(run / "backup"):
        record_init(args.init, run)
    if args.warmstart and not kg.checkpoint.list_checkpoints(run / "backup"):
        if str(args.warmstart).endswith(".weights.h5"):
            game.generator.load_weights(args.warmstart)
        else:  # a zoo entry (e.g. the shipped srresnet_x4): its generator; its record counts in the card
            game.generator.set_weights(kg.zoo.load(args.warmstart).generator.get_weights())
            recipe_utils.record_start(run, args.warmstart)
        print(f"warm start: {args.warmstart} ({args.prior_steps} prior steps)", flush=True)
    print(f"run folder {run}", flush=True)
    if args.export_only:
        hist = recipe_utils.restore_for_export(game, run)
    else:
        t0, c0 = time.time(), time.process_time()
        hist = game.fit(data, epochs=epochs, verbose=0, callbacks=callbacks)
        wall, cpu = time.time() - t0, time.process_time() - c0
    done = int(keras.ops.convert_to_numpy(game.g_optimizer.iterations))
    selected = select_best(game, run) if args.lr_plateau and not args.no_export else None
    if not args.export_only:
        restored = next(c for c in callbacks if hasattr(c, "restore_into")).restored
        log.add(int(restored["epoch"]) * epoch_steps + int(restored["step"]) if restored else 0, done, wall,
                cpu_s=round(cpu, 1), **distributed, **({"note": args.segment_note} if args.segment_note else {}))
    print(f"at step {done} of this run ({log.wall_s / 3600:.2f} h in all)", flush=True)
    if args.no_export:
        return 0
    out = Path(args.out) if args.out else ZOO / name
    if args.smoke and args.out is None:
        out = Path(tempfile.mkdtemp()) / f"{name}_smoke"
    init_file = run / "init.json"
    init_info = json.loads(init_file.read_text()) if init_file.is_file() else None
    entry_card = card(args, args.stage, args.prior_steps + done, args.prior_wall_s + log.wall_s, hist.history,
                      len(images), init_info, out)
    entry_card["training"]["segments"] = log.segments
    if selected:
        entry_card["training"]["selection"] = selected
        entry_card["training"]["optimizer"] = describe_plateau(args, selected)
    entry_card["training"]["command"] = log.training_command() or entry_card["training"]["command"]
    carry_forward(entry_card, out / "config.json", args.prior_steps)
    # SRGAN: the discriminator's Dense(1024) on 6x6x512 features alone is 75 MB in float32; float16
    # storage keeps the entry under 64 MB (the card's numbers are measured on the stored weights)
    dtype = "float16" if args.stage == "srgan" else "float32"
    folder = kg.zoo.save(game, out, card=entry_card, overwrite=True, weights_dtype=dtype)
    print(f"saved {folder} (logs {({k: round(float(v[-1]), 4) for k, v in hist.history.items()})})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
