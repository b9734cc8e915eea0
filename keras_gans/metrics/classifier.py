"""Classifier-based scores."""

import numpy as np


def classifier_score(probs, splits=1, eps=1e-12, return_std=False):
    """Inception-Score-style ``exp(E_x KL(p(y|x) || p(y)))``.

    Args:
        probs: (n, classes) class probabilities of generated samples (rows
            sum to 1: pass the softmax output, not logits).
        splits: compute the score on ``splits`` equal chunks and average
            (the Inception Score convention is 10).
        return_std: also return the standard deviation over splits.

    Ranges from 1 (every sample gives the same prediction, or predictions
    are uniform) to the number of classes (confident and balanced).
    """
    p = np.asarray(probs, np.float64)
    if p.ndim != 2:
        raise ValueError(f"probs must be (n, classes); got shape {p.shape}.")
    if (p < -1e-6).any() or not np.allclose(p.sum(1), 1.0, atol=1e-3):
        raise ValueError(
            "probs must be class probabilities (non-negative, rows summing to 1); "
            "apply a softmax to logits first."
        )
    splits = int(splits)
    if not 1 <= splits <= len(p):
        raise ValueError(f"splits must be in [1, {len(p)}]; got {splits}.")
    scores = []
    for chunk in np.array_split(p, splits):
        py = chunk.mean(0, keepdims=True)
        kl = (chunk * (np.log(chunk + eps) - np.log(py + eps))).sum(1)
        scores.append(float(np.exp(kl.mean())))
    mean = float(np.mean(scores))
    return (mean, float(np.std(scores))) if return_std else mean
