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
