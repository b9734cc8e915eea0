"""What ``keras-gans serve`` offers for each kind of zoo entry: one ``Kind``
per page (generate, translate, upscale), the only place that knows kinds.

An entry belongs to every kind whose ``offers(config, cls)`` holds, judged
from its ``config.json`` and its model class (the method the class has:
``generate``, ``translate``/``generator_for``, ``upscale``), never from its
name: entries added later (another translation game, imported SR
generators) appear on their page without code changes. A kind also lists
entries that are not zoo folders (``extra_entries``: the cached
``official:NAME`` CycleGAN and pix2pix generators).

To add a kind: subclass ``Kind`` (``name``, ``title``, ``view``, ``upload``,
``offers``, ``fields``, ``parse``, ``load``, ``run``) and append an instance
to ``KINDS``; the page builds its tab, form and result view from
``describe()``. ``run`` calls the function the CLI command calls
(``generate_file``, ``translate_file``, ``upscale_file``), so a page's
result equals the command's output pixel for pixel.
"""

import importlib
import inspect
from dataclasses import dataclass, field

#: the view of a result on the page: one image; input and result side by side;
#: a before/after slider over the result
VIEWS = ("image", "pair", "slider")


@dataclass
class Entry:
    """One model a page offers: ``name`` is what the CLI takes (a zoo name or
    ``official:NAME``); ``card`` the short card the page shows; ``fields``
    the form of the page for it."""

    name: str
    kind: str
    title: str
    card: dict
    fields: list
    config: dict = field(default_factory=dict, repr=False)

    def describe(self):
        return {"name": self.name, "title": self.title, "card": self.card, "fields": self.fields}


def model_class(config):
    """The class an entry's ``config.json`` rebuilds (a registered keras_gans
    class, or one importable from its ``module``), or None."""
    import keras

    import keras_gans  # noqa: F401  (registers the keras_gans classes)

    spec = config.get("model") or {}
    cls = keras.saving.get_registered_object(spec.get("registered_name") or "")
    if cls is None and spec.get("module") and spec.get("class_name"):
        try:
            cls = getattr(importlib.import_module(spec["module"]), spec["class_name"], None)
        except ImportError:
            cls = None
    return cls if inspect.isclass(cls) else None


def _text(value):
    if value is None:
        return None
    return value if isinstance(value, str) else "; ".join(map(str, value))


def flat_metrics(metrics, prefix=""):
    """A card's ``metrics`` as ``[[name, value], ...]``, nested names joined
    by spaces (``"Set5 psnr"``)."""
    rows = []
    for key, value in (metrics or {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows += flat_metrics(value, name + " ")
        else:
            rows.append([name, value])
    return rows


def short_card(config):
    """The card in short, in its own words: what it was trained on, its
    measured metrics, its licence and what falls short (``config.json``'s
    ``summary``, ``data``, ``metrics``, ``licence``, ``limits``)."""
    limits = config.get("limits") or []
    return {
        "title": config.get("title") or config.get("name"),
        "summary": _text(config.get("summary")),
        "data": _text(config.get("data")),
        "licence": _text(config.get("licence")),
        "metrics": flat_metrics(config.get("metrics")),
        "limits": [limits] if isinstance(limits, str) else list(limits),
    }


def parse_fields(fields, params):
    """``{name: value}`` of a form's strings checked against its ``fields``:
    an empty value takes the field's default (None when that is empty too),
    an int field's value lies in ``[min, max]``, a select's is one of its
    options. A ValueError names the field and what it takes."""
    args = {}
    for f in fields:
        raw = str(params.get(f["name"]) or "").strip() or str(f.get("default", "")).strip()
        if raw == "":
            args[f["name"]] = None
        elif f["type"] == "int":
            try:
                value = int(raw)
            except ValueError:
                raise ValueError(f"{f['label']} must be a whole number; got {raw!r}.") from None
            if not f.get("min", value) <= value <= f.get("max", value):
                raise ValueError(f"{f['label']} must be between {f['min']} and {f['max']}; got {value}.")
            args[f["name"]] = value
        else:
            values = [v for v, _ in f["options"]]
            if raw not in values:
                raise ValueError(f"{f['label']} must be one of {', '.join(v for v in values if v)}; got {raw!r}.")
            args[f["name"]] = raw
    return args


class Kind:
    """A page. ``upload``: whether a job takes an image file; ``view``: one
    of ``VIEWS``."""

    name = title = view = ""
    upload = False

    def offers(self, config, cls):
        """Whether a zoo entry (its config and model class) belongs here."""
        raise NotImplementedError

    def fields(self, config, cls):
        """The form's fields: dicts with ``name``, ``label``, ``type`` ("int",
        "select"), ``default`` and, by type, ``min``/``max``/``options``
        (``[[value, label], ...]``) and ``hint``."""
        return []

    def extra_entries(self):
        """Entries of this kind that are not zoo folders."""
        return []

    def entry(self, name, config, cls):
        return Entry(name, self.name, config.get("title") or name, short_card(config),
                     self.fields(config, cls), config)

    def parse(self, entry, params):
        """The job's validated arguments from the form's strings (see
        ``parse_fields``); a ValueError's message is shown on the page."""
        return parse_fields(entry.fields, params)

    def load(self, entry):
        """The model ``run`` takes (cached by the server per entry)."""
        raise NotImplementedError

    def run(self, model, entry, args, src, dst, progress):
        """Write the result image to ``dst`` (``src``: the uploaded file);
        ``progress(text)`` reports a long job's steps."""
        raise NotImplementedError


class Generate(Kind):
    name, title, view = "generate", "Generate", "image"

    def offers(self, config, cls):
        return config.get("kind") == "game" and callable(getattr(cls, "generate", None))

    def fields(self, config, cls):
        fields = [
            {"name": "n", "label": "samples", "type": "int", "default": 16, "min": 1, "max": 256},
            {"name": "seed", "label": "seed", "type": "int", "default": 0, "min": 0, "max": 2**32 - 1},
        ]
        classes = (config.get("model", {}).get("config") or {}).get("num_classes")
        if classes and "labels" in inspect.signature(cls.generate).parameters:
            names = config.get("class_names") or [str(i) for i in range(classes)]
            fields.append({"name": "label", "label": "class", "type": "select", "default": "",
                           "options": [["", "any (drawn with the seed)"]]
                           + [[str(i), str(n)] for i, n in enumerate(names)]})
        return fields

    def load(self, entry):
        from keras_gans.cli.generate import load_generator

        return load_generator(entry.name)[0]

    def run(self, model, entry, args, src, dst, progress):
        from keras_gans.cli.generate import generate_file

        progress(f"sampling {args['n']} images")
        label = None if args.get("label") is None else int(args["label"])
        w, h = generate_file(model, entry.config, dst, args["n"], label, args["seed"])
        return f"{args['n']} samples, seed {args['seed']}, {w}x{h} px"


def tile_progress(progress):
    """``progress(done, total)`` of the library's tiled loops as the page's text."""
    return lambda done, total=None: progress(f"tile {done} of {total}" if total else f"tile {done}")


class Translate(Kind):
    """CycleGAN and pix2pix entries (a game with ``generator_for``) and the
    cached ``official:NAME`` files of both (``kg.convert.official``'s one
    table). A class's ``directions`` (pix2pix: "a2b" only) make the
    direction field; a class with a ``translate_mode`` (pix2pix) adds the
    mode and the dropout seed, and is translated at its training size by
    default (its U-Net's native side) rather than the photo's own."""

    name, title, view, upload = "translate", "Translate", "pair", True

    def offers(self, config, cls):
        return config.get("kind") == "game" and callable(getattr(cls, "generator_for", None))

    def _fields(self, directions, training_size=None, mode=None):
        trained = f" (trained at {training_size} px)" if training_size else ""
        fields = [
            {"name": "direction", "label": "direction", "type": "select", "default": "a2b",
             "options": [[d, {"a2b": "A -> B", "b2a": "B -> A"}[d]] for d in directions]},
            {"name": "size", "label": "resolution (longer side, px)", "type": "int",
             "default": training_size if mode and training_size else 0, "min": 0, "max": 4096,
             "hint": "0: the image's own resolution (in tiles: memory stays bounded); N: translated at a "
                     f"longer side of N px and resized back, faster{trained}"},
        ]
        if mode:
            fields += [
                {"name": "mode", "label": "mode", "type": "select", "default": mode,
                 "options": [["authors", "authors (batch statistics of the image, dropout: test.py's default)"],
                             ["eval", "eval (running statistics, no dropout: deterministic)"]]},
                {"name": "seed", "label": "dropout seed", "type": "int", "default": 0, "min": 0, "max": 2**31 - 1,
                 "hint": "authors mode: another seed, another draw of pix2pix's dropout noise"},
            ]
        return fields

    def fields(self, config, cls):
        return self._fields(getattr(cls, "directions", ("a2b", "b2a")),
                            (config.get("preprocessing") or {}).get("image_size"), getattr(cls, "translate_mode", None))

    def extra_entries(self):
        from keras_gans.convert.official import cached_official

        out = []
        for spec, family, name, paper, url in cached_official():
            card = {
                "title": f"official:{spec}",
                "summary": f"The {paper} authors' pretrained generator {name!r}, converted from their published "
                           f"file {url}. No keras_gans card: see the authors' repository for its data and terms.",
                "data": None, "licence": None, "metrics": [], "limits": [],
            }
            # a converted pix2pix generator comes as a Pix2Pix game (its modes); CycleGAN's as one generator
            fields = self._fields(("a2b",), 256, "authors") if family == "pix2pix" else self._fields(("a2b",))
            out.append(Entry(f"official:{spec}", self.name, f"official:{spec}", card, fields))
        return out

    def load(self, entry):
        from keras_gans.cli.translate import load_model

        return load_model(entry.name)

    def run(self, model, entry, args, src, dst, progress):
        from keras_gans.cli.translate import pick_generator, translate_file

        size, mode, seed = args["size"] or 0, args.get("mode") or "eval", args.get("seed")
        how = f"{args['direction']}, {f'at {size} px' if size else 'full size'}" + (f", mode {mode}" if "mode" in args
                                                                                   else "")
        progress(f"translating ({how})")
        # the seed as `keras-gans translate --seed S` gives it to its first file
        w, h = translate_file(pick_generator(model, args["direction"]), src, dst, size,
                              progress=tile_progress(progress), mode=mode, seed=None if seed is None else [seed, 0])
        return f"{w}x{h} px, {how}"


class Upscale(Kind):
    name, title, view, upload = "upscale", "Upscale", "slider", True

    def offers(self, config, cls):
        # an SRGAN-like game, or a bare generator entry whose preprocessing names its scale
        if config.get("kind") == "game":
            return callable(getattr(cls, "upscale", None))
        return int((config.get("preprocessing") or {}).get("scale") or 1) > 1

    def load(self, entry):
        from keras_gans.cli.sr import load_model

        return load_model(entry.name)

    def run(self, model, entry, args, src, dst, progress):
        from keras_gans.cli.sr import DEFAULT_TILE, upscale_file
        from keras_gans.srgan.upscale import as_upscaler

        a, b = upscale_file(as_upscaler(model, tile=DEFAULT_TILE), src, dst, progress=tile_progress(progress))
        return f"{a[0]}x{a[1]} -> {b[0]}x{b[1]} px"


KINDS = [Generate(), Translate(), Upscale()]


def discover(names=None):
    """The entries to serve: every zoo entry (``kg.zoo.list_entries``) some
    kind offers, plus each kind's ``extra_entries``; or only ``names`` (zoo
    names, entry folders, ``official:NAME``), each of which must be offered
    by a kind. Returns ``{kind name: [Entry, ...]}`` in ``KINDS`` order."""
    from keras_gans import zoo

    found = {k.name: [] for k in KINDS}
    extras = {e.name: e for k in KINDS for e in k.extra_entries()}
    for name in names if names is not None else zoo.list_entries():
        if name in extras:
            found[extras[name].kind].append(extras[name])
            continue
        if str(name).startswith("official:"):
            raise ValueError(f"{name}: not in the cache of official files (keras-gans translate {name} --download "
                             "fetches it; kg.convert.official.cached_official lists the cached ones).")
        config = zoo.load_config(name)
        cls = model_class(config)
        kinds = [k for k in KINDS if k.offers(config, cls)]
        if not kinds and names is not None:
            raise ValueError(
                f"{name!r} is a {config.get('kind', 'model')} entry ({config.get('task', 'no task')}); "
                f"serve offers entries that {', '.join(k.name for k in KINDS)}."
            )
        for k in kinds:
            found[k.name].append(k.entry(str(name), config, cls))
    if names is None:
        for e in extras.values():
            found[e.kind].append(e)
    return {k: v for k, v in found.items() if v}


def kind(name):
    for k in KINDS:
        if k.name == name:
            return k
    raise ValueError(f"Unknown kind {name!r}; this server offers {', '.join(k.name for k in KINDS)}.")
