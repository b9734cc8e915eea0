"""Checks that a generator and a discriminator can play the same game.

Errors name the game, the two shapes that disagree and what was expected.
"""

import keras


def _shapes(tensors):
    if tensors is None:
        return None
    if not isinstance(tensors, (list, tuple)):
        tensors = [tensors]
    return [tuple(t.shape) for t in tensors]


def _io(model, attr):
    try:
        return _shapes(getattr(model, attr))
    except (AttributeError, ValueError):
        return None  # subclassed models have no symbolic inputs/outputs


def _compatible(a, b):
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


def check_models(generator, discriminator, latent_dim, conditional, game, n_inputs=None):
    for role, model in (("generator", generator), ("discriminator", discriminator)):
        if not isinstance(model, keras.layers.Layer):
            raise TypeError(
                f"{game}: `{role}` must be a keras.Model (or Layer); got {type(model).__name__}."
            )
    expected_inputs = 2 if conditional else 1
    g_in, g_out = _io(generator, "inputs"), _io(generator, "outputs")
    d_in = _io(discriminator, "inputs")
    what = "[noise, labels]" if conditional else "noise"
    if g_in is not None and len(g_in) != expected_inputs:
        raise ValueError(
            f"{game}: the generator must take {expected_inputs} input(s) ({what}); "
            f"it takes {len(g_in)} with shapes {g_in}."
        )
    if d_in is not None and len(d_in) != expected_inputs:
        raise ValueError(
            f"{game}: the discriminator must take {expected_inputs} input(s) "
            f"({'[samples, labels]' if conditional else 'samples'}); it takes {len(d_in)} "
            f"with shapes {d_in}."
        )
    if g_in is not None and latent_dim is not None:
        noise = g_in[0]
        if len(noise) != 2 or noise[1] not in (None, latent_dim):
            raise ValueError(
                f"{game}: latent_dim={latent_dim} but the generator's noise input has "
                f"shape {noise}; expected (None, {latent_dim})."
            )
    if g_out is not None and d_in is not None:
        sample, seen = g_out[0], d_in[0]
        if not _compatible(sample, seen):
            raise ValueError(
                f"{game}: the generator outputs samples of shape {sample[1:]} (rank "
                f"{len(sample) - 1}) but the discriminator expects {seen[1:]} (rank "
                f"{len(seen) - 1}). Make the generator's output match the "
                "discriminator's input."
            )


def check_translator(generator, discriminator, game, names=("generator", "discriminator")):
    """For image-to-image games: G's output must fit D's input."""
    g_out, d_in = _io(generator, "outputs"), _io(discriminator, "inputs")
    if g_out is not None and d_in is not None and not _compatible(g_out[0], d_in[0]):
        raise ValueError(
            f"{game}: {names[0]} outputs shape {g_out[0][1:]} but {names[1]} expects "
            f"{d_in[0][1:]}."
        )


# ------------------------------------------------------- arrays into fit()
def input_shape(model, index=0):
    """The model's ``index``-th input shape without the batch axis, or None
    (a subclassed model has no symbolic inputs)."""
    shapes = _io(model, "inputs")
    if not shapes or index >= len(shapes):
        return None
    return shapes[index][1:]


def check_array(game, what, a, shape=None, value_range=None, images=False):
    """Refuse, with a message naming ``what``, an array a step would choke on
    or silently learn nonsense from: no samples, the wrong rank or trailing
    dims (``shape``, batch axis excluded, None = any), NaN/inf, floats
    outside ``value_range``, and (``images``) integers that are not uint8.
    uint8 images are accepted (the games map 0..255 to their range)."""
    import numpy as np

    a = np.asarray(a)
    dtype = a.dtype
    if a.ndim == 0 or a.shape[0] == 0:
        raise ValueError(f"{game}.fit: `{what}` holds no samples (shape {a.shape}); pass at least one.")
    if shape is not None:
        if a.ndim - 1 != len(shape):
            layout = " (batch, height, width, channels)" if len(shape) == 3 else ""
            raise ValueError(
                f"{game}.fit: `{what}` must have rank {len(shape) + 1}{layout}: samples of shape "
                f"{tuple(shape)}; got an array of shape {a.shape}."
            )
        wrong = [i for i, (d, e) in enumerate(zip(a.shape[1:], shape)) if e is not None and d != e]
        if wrong:
            axis = "channels" if wrong[0] == len(shape) - 1 and len(shape) == 3 else f"axis {wrong[0] + 1}"
            raise ValueError(
                f"{game}.fit: `{what}` samples have shape {a.shape[1:]}, but the model expects "
                f"{tuple(shape)} (None = any); {axis} is {a.shape[1:][wrong[0]]}, expected "
                f"{shape[wrong[0]]}."
            )
    if dtype == bool or not (np.issubdtype(dtype, np.number)):
        raise ValueError(f"{game}.fit: `{what}` has dtype {dtype}; expected float32 (or uint8 images).")
    if np.issubdtype(dtype, np.integer):
        if images and dtype != np.uint8:
            raise ValueError(
                f"{game}.fit: `{what}` holds {dtype} integers; images are expected as uint8 0..255 "
                f"(mapped for you) or floats in {list(value_range or (-1, 1))}. Convert, e.g. 16-bit "
                "images with (a / 257).astype('uint8'), or kg.images.to_model_range(a)."
            )
        return
    finite = np.isfinite(a)
    if not finite.all():
        first = int(np.argwhere(~finite.reshape(len(a), -1).all(axis=1))[0][0])
        bad = int((~finite).sum())
        raise ValueError(
            f"{game}.fit: `{what}` holds {bad} NaN/inf value(s) (first in sample {first}); one "
            "would turn every weight into NaN. Clean or drop those samples."
        )
    if value_range is not None:
        lo, hi = value_range
        a_min, a_max = float(a.min()), float(a.max())
        tol = 1e-3 * (hi - lo)
        if a_min < lo - tol or a_max > hi + tol:
            hint = ""
            if a_max > 2.0 and a_min >= 0.0:
                hint = (
                    " It looks like 0..255 pixels: pass them as uint8 (mapped for you) or scale "
                    "them, e.g. kg.images.to_model_range(a.astype('uint8'))."
                )
            raise ValueError(
                f"{game}.fit: `{what}` values run from {a_min:g} to {a_max:g}; expected floats in "
                f"[{lo:g}, {hi:g}].{hint}"
            )


def check_labels(game, what, labels, num_classes, n=None):
    """Class labels: integers (or whole-number floats) in [0, num_classes)."""
    import numpy as np

    labels = np.asarray(labels)
    if n is not None and (labels.ndim == 0 or len(labels) != n):
        raise ValueError(
            f"{game}.fit: `{what}` must hold one label per sample ({n}); got shape {labels.shape}."
        )
    if labels.ndim > 1 and not (labels.ndim == 2 and labels.shape[1] == 1):
        raise ValueError(
            f"{game}.fit: `{what}` must be class indices of shape (n,) or (n, 1); got shape "
            f"{labels.shape} (one-hot labels: pass labels.argmax(-1))."
        )
    if labels.dtype == bool or not np.issubdtype(labels.dtype, np.number):
        raise ValueError(f"{game}.fit: `{what}` has dtype {labels.dtype}; expected integer class indices.")
    if not np.issubdtype(labels.dtype, np.integer):
        if not np.isfinite(labels).all() or (labels != np.round(labels)).any():
            raise ValueError(
                f"{game}.fit: `{what}` holds non-integer values (e.g. "
                f"{labels[labels != np.round(labels)].ravel()[:1]}); expected integer class indices."
            )
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"{game}.fit: `{what}` must be in [0, {num_classes - 1}] (num_classes={num_classes}); got "
            f"values from {labels.min():g} to {labels.max():g}."
        )
