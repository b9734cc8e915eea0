"""MODEL_CARD.md rendered from an entry's config.json (one source of truth:
every number on a card is the number recorded in the config)."""

import json

_TRAINING_ORDER = (
    "recipe", "command", "backend", "epochs", "steps", "batch_size", "optimizer",
    "hardware", "wall_time_s", "date",
)


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.4g}" if abs(v) < 1e4 else f"{v:.1f}"
    if isinstance(v, (dict, list)):
        return "`" + json.dumps(v) + "`"
    return str(v)


def _kv(d, order=()):
    keys = [k for k in order if k in d] + [k for k in d if k not in order]
    lines = []
    for k in keys:
        v = d[k]
        if k == "command":
            lines.append(f"- **{k}**:\n\n  ```bash\n  {v}\n  ```\n")
        elif isinstance(v, list) and v and all(isinstance(r, dict) for r in v):
            cols = list(dict.fromkeys(c for r in v for c in r))
            rows = [f"| {' | '.join(cols)} |", "|" + "---|" * len(cols)]
            rows += [f"| {' | '.join(_fmt(r.get(c, '')) for c in cols)} |" for r in v]
            lines.append(f"- **{k}**:\n\n" + "\n".join("  " + r for r in rows) + "\n")
        elif k == "wall_time_s" and isinstance(v, (int, float)):
            lines.append(f"- **wall time**: {v:.0f} s ({v / 60:.1f} min)")
        else:
            lines.append(f"- **{k}**: {_fmt(v)}")
    return "\n".join(lines)


def _metrics_table(metrics, notes):
    rows = ["| metric | value | meaning |", "|---|---|---|"]
    for k, v in metrics.items():
        if isinstance(v, dict):
            v = ", ".join(f"{kk}: {_fmt(vv)}" for kk, vv in v.items())
        elif isinstance(v, list):
            v = ", ".join(_fmt(x) for x in v)
        else:
            v = _fmt(v)
        rows.append(f"| {k} | {v} | {notes.get(k, '')} |")
    return "\n".join(rows)


def _usage(config):
    name = config.get("name", "ENTRY")
    cls = json.dumps(config.get("model", {}).get("class_name", ""))
    if "CycleGAN" in cls:
        return (
            f"```python\nimport keras_gans as kg\nmodel = kg.zoo.load({name!r})\n"
            "oranges = model.translate(apples_uint8, direction=\"a2b\")   # any size divisible by 4\n"
            "# fine-tune: model.compile(g_optimizer=..., d_optimizer=...); model.fit(images_a, images_b)\n```\n\n"
            f"```bash\nkeras-gans translate {name} in.jpg -o out.jpg [--direction b2a]\n```"
        )
    if "SRGAN" in cls:
        return (
            f"```python\nimport keras_gans as kg\nmodel = kg.zoo.load({name!r})\n"
            "hr = model.upscale(uint8_image, tile=128)   # any size, bounded memory\n```\n\n"
            f"```bash\nkeras-gans upscale {name} in.png -o out.png\n"
            f"keras-gans evaluate-sr {name} --data ../shared/data/Set5\n```"
        )
    if config.get("kind") == "game":
        conditional = "ConditionalGAN" in cls
        gen = (
            "images = model.generate(16, labels=3, seed=0)   # 16 samples of class 3"
            if conditional
            else "images = model.generate(16, seed=0)"
        )
        cli = f"keras-gans generate {name} -n 64 -o grid.png" + (" --label 3" if conditional else "")
        return (
            f"```python\nimport keras_gans as kg\nmodel = kg.zoo.load({name!r})\n{gen}\n"
            "# fine-tune: model.compile(g_optimizer=..., d_optimizer=...); model.fit(...)\n```\n\n"
            f"```bash\n{cli}\n```"
        )
    return (
        f"```python\nimport keras_gans as kg\nmodel = kg.zoo.load({name!r})          # class probabilities\n"
        + (
            f"features = kg.zoo.load_features({name!r})  # layer {config['features_layer']!r}\n"
            if config.get("features_layer")
            else ""
        )
        + "```"
    )


def render_card(config):
    """The MODEL_CARD.md text for a config dict."""
    c = config
    out = [f"# {c.get('title', c.get('name', 'zoo entry'))}", ""]
    if c.get("summary"):
        out += [c["summary"], ""]
    out += ["## Use", "", _usage(c), ""]
    if c.get("samples"):
        out += [f"![samples of {c.get('name', 'this entry')}]({c['samples']})", ""]
    model = c.get("model", {})
    out += ["## Model", ""]
    for key in ("task", "architecture"):
        if c.get(key):
            out.append(f"- **{key}**: {c[key]}")
    if model:
        out.append(f"- **class**: `{model.get('module', '')}.{model.get('class_name', '')}`")
    if c.get("preprocessing"):
        out.append(f"- **preprocessing**: {_fmt(c['preprocessing'])}")
    if c.get("features_layer"):
        out.append(f"- **features layer**: `{c['features_layer']}`")
    out.append("")
    if c.get("data") or c.get("licence"):
        out += ["## Data and licence", ""]
        if c.get("data"):
            out += [c["data"], ""]
        if c.get("licence"):
            out += [f"**Licence**: {c['licence']}", ""]
    if c.get("training"):
        out += ["## Training", "", _kv(c["training"], _TRAINING_ORDER), ""]
    out += ["## Measured metrics", ""]
    if c.get("metrics"):
        ev = c.get("evaluation", {})
        if ev:
            out += ["Measured with:", "", _kv(ev, ("command",)), ""]
        out += [_metrics_table(c["metrics"], c.get("metric_notes", {})), ""]
        if c.get("results"):  # free-form lines (e.g. a table in a paper's layout)
            out += [*c["results"], ""]
    else:
        out += ["Not measured yet.", ""]
    if c.get("limits"):
        out += ["## Known limits", ""] + [f"- {x}" for x in c["limits"]] + [""]
    w = c.get("weights", {})
    if w:
        out += [
            "## Files",
            "",
            f"- `{w.get('file')}`: {w.get('size')} bytes, stored as {w.get('dtype')} "
            f"(loaded as float32), sha256 `{w.get('sha256')}` (checked on load)",
            "- `config.json`: model config (class + constructor arguments), preprocessing, "
            "weights checksum, metrics; this card is rendered from it",
        ]
        if c.get("training", {}).get("recipe"):
            out.append(f"- `{c['training']['recipe']}`: the training recipe")
        if c.get("evaluation", {}).get("script"):
            out.append(f"- `{c['evaluation']['script']}`: the evaluation script")
        out.append("")
    return "\n".join(out)
