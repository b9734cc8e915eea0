"""PSNR and SSIM as super-resolution papers report them (NumPy).

The convention of SRCNN, VDSR, SRGAN and most SR benchmarks (their MATLAB
evaluation code):

- images in ``[0, 255]`` (uint8, or float on that scale);
- compared on the luma channel Y of YCbCr, ITU-R BT.601 "studio swing":
  ``Y = 16 + (65.481 R + 128.553 G + 24.966 B)`` for ``R, G, B`` in
  ``[0, 1]`` (MATLAB's ``rgb2ycbcr``), kept as float (not rounded to uint8);
- ``scale`` pixels shaved from every border (the upscaler's boundary);
- SSIM with an 11x11 Gaussian window (sigma 1.5), ``K1 = 0.01``,
  ``K2 = 0.03``, ``L = 255``, population (not sample) covariances, averaged
  over the positions where the window fits inside the image (Wang et al.
  2004's ``ssim_index.m``; equal to ``skimage.metrics.structural_similarity``
  with ``gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
  data_range=255``).

A grayscale image (2-D or one channel) is compared on its own values, with
or without ``y_channel``: the papers' MATLAB code converts only colour images
(``if size(im, 3) > 1, im = rgb2ycbcr(im); end``), and so does BasicSR
(``to_y_channel``). Mapping grey to studio-swing Y (``16 + 219 v / 255``)
would shrink the error and add 20 log10(255/219) = 1.32 dB to the PSNR of
such an image. To compare a model's RGB output with a grey ground truth,
bring the output to one channel on the same 0-255 scale first (the mean of
R, G and B; ``keras_gans.srgan.benchmark`` does this).
"""

import numpy as np

_Y_WEIGHTS = np.array([65.481, 128.553, 24.966], np.float64)


def rgb_to_y(image):
    """Luma Y (BT.601, range [16, 235]) of RGB ``image`` with values in
    ``[0, 255]``, shape ``(..., 3)``; float64. A grayscale ``(H, W)`` or
    ``(H, W, 1)`` image is taken as R = G = B here (``16 + 219 v / 255``);
    note that ``psnr`` / ``ssim`` do not map grey images (see the module
    docstring)."""
    a = np.asarray(image, np.float64)
    if a.ndim >= 1 and a.shape[-1] == 3 and a.ndim >= 3:
        return 16.0 + (a @ _Y_WEIGHTS) / 255.0
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.ndim != 2:
        raise ValueError(
            f"rgb_to_y takes an RGB image (height, width, 3) or a grayscale image (height, width "
            f"[, 1]) with values in [0, 255]; got shape {a.shape}."
        )
    return 16.0 + a * (_Y_WEIGHTS.sum() / 255.0)


def _prepare(a, b, scale, y_channel, name):
    a = np.asarray(a)
    b = np.asarray(b)
    if a.shape != b.shape:
        raise ValueError(f"{name}: the two images differ in shape: {a.shape} vs {b.shape}.")
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[-1] not in (1, 3)):
        raise ValueError(
            f"{name} compares one image (height, width[, 1 or 3 channels]) with values in [0, 255]; "
            f"got shape {a.shape}. Loop over a batch."
        )
    if isinstance(scale, bool) or not isinstance(scale, (int, np.integer)) or scale < 0:
        raise ValueError(f"{name}: scale (pixels shaved at each border) must be an int >= 0; got {scale!r}.")
    colour = a.ndim == 3 and a.shape[-1] == 3
    if y_channel and colour:
        a, b = rgb_to_y(a), rgb_to_y(b)
    else:  # all channels, or a grey image on its own values
        a, b = a.astype(np.float64), b.astype(np.float64)
        if a.ndim == 3 and a.shape[-1] == 1:
            a, b = a[..., 0], b[..., 0]
    if scale:
        if a.shape[0] <= 2 * scale or a.shape[1] <= 2 * scale:
            raise ValueError(f"{name}: image {a.shape[:2]} is too small to shave {scale} pixels per border.")
        a = a[scale:-scale, scale:-scale]
        b = b[scale:-scale, scale:-scale]
    return a, b


def psnr(a, b, scale=4, max_val=255.0, y_channel=True):
    """Peak signal-to-noise ratio in dB, ``10 log10(max_val^2 / MSE)``.

    Args:
        a, b: the two images, ``(H, W, 3)`` RGB or ``(H, W[, 1])`` grey,
            values in ``[0, 255]``.
        scale: pixels shaved from each border (the SR factor; 0 for none).
        max_val: the peak value (255).
        y_channel: compare the BT.601 luma Y of RGB images (the SR papers'
            convention; grey images are compared on their own values);
            False compares all channels.

    Identical images give ``inf``.
    """
    a, b = _prepare(a, b, scale, y_channel, "psnr")
    mse = np.mean((a - b) ** 2)
    if mse == 0:
        return float("inf")
    return float(10.0 * np.log10(float(max_val) ** 2 / mse))


def gaussian_window(size=11, sigma=1.5):
    """The normalised 1-D Gaussian of ``size`` taps (the 2-D window is its
    outer product, equal to MATLAB's ``fspecial('gaussian', size, sigma)``)."""
    x = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    g = np.exp(-(x**2) / (2.0 * sigma**2))
    return g / g.sum()


def _filter_valid(x, g):
    k = len(g)
    x = np.lib.stride_tricks.sliding_window_view(x, k, axis=0) @ g
    return np.lib.stride_tricks.sliding_window_view(x, k, axis=1) @ g


def _ssim_2d(a, b, max_val, g, k1, k2):
    if a.shape[0] < len(g) or a.shape[1] < len(g):
        raise ValueError(f"ssim: image {a.shape} is smaller than the {len(g)}x{len(g)} window.")
    c1 = (k1 * max_val) ** 2
    c2 = (k2 * max_val) ** 2
    mu_a, mu_b = _filter_valid(a, g), _filter_valid(b, g)
    var_a = _filter_valid(a * a, g) - mu_a**2
    var_b = _filter_valid(b * b, g) - mu_b**2
    cov = _filter_valid(a * b, g) - mu_a * mu_b
    num = (2 * mu_a * mu_b + c1) * (2 * cov + c2)
    den = (mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2)
    return float(np.mean(num / den))


def ssim(a, b, scale=4, max_val=255.0, y_channel=True, window=11, sigma=1.5, k1=0.01, k2=0.03):
    """Structural similarity (Wang et al. 2004) as SR papers compute it:
    Gaussian ``window`` x ``window`` (sigma 1.5), K1 = 0.01, K2 = 0.03,
    ``L = max_val``, mean over the valid positions. Arguments as ``psnr``;
    with ``y_channel=False`` and RGB images, the mean of the per-channel
    SSIMs."""
    a, b = _prepare(a, b, scale, y_channel, "ssim")
    g = gaussian_window(window, sigma)
    if a.ndim == 3:
        return float(np.mean([_ssim_2d(a[..., c], b[..., c], max_val, g, k1, k2) for c in range(a.shape[-1])]))
    return _ssim_2d(a, b, max_val, g, k1, k2)


# ------------------------------------------------------------ sharpness vs HR
# PSNR and SSIM reward the mean of the plausible high-resolution images, which
# is blurred; they rank an SRGAN below its SRResNet although it looks sharper.
# These two measures say how much of the ground truth's detail an output
# carries, whatever its phase: 1.0 is as much as the HR image, a blurred
# output stays below 1, invented texture moves it toward (or past) 1. They do
# not say the detail is right: read them beside PSNR/SSIM.


def sobel_gradients(y):
    """Per-pixel Sobel derivatives ``(gx, gy)`` of a 2-D array (edges
    replicated): ``gx`` grows to the right, ``gy`` downwards."""
    p = np.pad(y, 1, mode="edge")
    gx = (p[:-2, 2:] + 2 * p[1:-1, 2:] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[1:-1, :-2] + p[2:, :-2])
    gy = (p[2:, :-2] + 2 * p[2:, 1:-1] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[:-2, 1:-1] + p[:-2, 2:])
    return gx, gy


def sobel_magnitude(y):
    """Per-pixel Sobel gradient magnitude of a 2-D array (edges replicated)."""
    return np.hypot(*sobel_gradients(y))


def gradient_ratio(sr, hr, scale=4, y_channel=True):
    """Mean Sobel gradient magnitude of ``sr`` over that of ``hr`` (luma Y,
    ``scale`` px shaved, images as ``psnr`` takes them). 1.0: as much edge
    and texture contrast as the ground truth; below 1: smoother."""
    a, b = _prepare(sr, hr, scale, y_channel, "gradient_ratio")
    if a.ndim == 3:  # all channels: pool them
        num = np.mean([sobel_magnitude(a[..., c]).mean() for c in range(a.shape[-1])])
        den = np.mean([sobel_magnitude(b[..., c]).mean() for c in range(b.shape[-1])])
    else:
        num, den = sobel_magnitude(a).mean(), sobel_magnitude(b).mean()
    if den == 0:
        raise ValueError("gradient_ratio: the reference image is flat (no gradient to compare with).")
    return float(num / den)


def _band_energy(y, cutoff):
    y = y - y.mean()
    win = np.outer(np.hanning(y.shape[0]), np.hanning(y.shape[1]))  # no leakage from the borders
    power = np.abs(np.fft.fft2(y * win)) ** 2
    fy = np.abs(np.fft.fftfreq(y.shape[0]))[:, None]
    fx = np.abs(np.fft.fftfreq(y.shape[1]))[None, :]
    return float(power[np.maximum(fx, fy) > cutoff].sum())


def high_frequency_ratio(sr, hr, scale=4, cutoff=None):
    """Spectral energy of ``sr`` above the low-resolution image's Nyquist
    frequency, over that of ``hr`` (luma Y, ``scale`` px shaved, Hann
    window). The band above ``cutoff = 1 / (2 scale)`` cycles/px (default)
    is exactly what an x``scale`` upscaler must invent: bicubic leaves it
    nearly empty, an MSE-trained network partly fills it, a GAN more. 1.0:
    as much energy there as the ground truth (phase not compared)."""
    if cutoff is None:
        if isinstance(scale, bool) or not isinstance(scale, (int, np.integer)) or scale < 1:
            raise ValueError(f"high_frequency_ratio: scale must be an int >= 1 (or give cutoff); got {scale!r}.")
        cutoff = 0.5 / scale
    if not 0 < float(cutoff) < 0.5:
        raise ValueError(f"high_frequency_ratio: cutoff is in cycles per pixel, in (0, 0.5); got {cutoff!r}.")
    a, b = _prepare(sr, hr, scale, True, "high_frequency_ratio")
    den = _band_energy(b, float(cutoff))
    if den == 0:
        raise ValueError("high_frequency_ratio: the reference image has no energy above the cutoff.")
    return _band_energy(a, float(cutoff)) / den


# -------------------------------------------------- upsampling grid artefacts
# A sub-pixel (pixel shuffle) upscaler by `scale` that has not learned to make
# its scale**2 phases agree leaves a texture of period `scale` (its
# "checkerboard"): spectral peaks at the lattice frequencies (a / scale,
# b / scale) cycles/px. Sharpness measures count that texture as detail; this
# one isolates it, and is about unchanged by blur and noise (it compares each
# lattice peak with its own neighbourhood, in log power: a smoothly falling
# spectrum, however steep, has no peak).


def _lattice_prominence(y, period, inner=1, gap=2, outer=6):
    y = y - y.mean()
    win = np.outer(np.hanning(y.shape[0]), np.hanning(y.shape[1]))
    power = np.abs(np.fft.fft2(y * win)) ** 2
    h, w = power.shape
    logs = []
    for a in range(period):
        for b in range(period):
            if a == 0 and b == 0:
                continue
            cy, cx = round(a * h / period), round(b * w / period)
            rows = np.arange(cy - outer, cy + outer + 1) % h
            cols = np.arange(cx - outer, cx + outer + 1) % w
            block = power[np.ix_(rows, cols)]
            d = np.maximum(*np.abs(np.mgrid[-outer:outer + 1, -outer:outer + 1]))  # bins from the peak
            # the peak's bins (a Hann window spreads a sinusoid over +-1) against a ring past its lobe
            logs.append(np.log(block[d <= inner] + 1e-12).mean() - np.log(block[d > gap] + 1e-12).mean())
    return float(np.exp(np.mean(logs)))


def grid_ratio(sr, hr, scale=4, too_small="raise"):
    """How much more the spectrum of ``sr`` peaks at the x``scale`` lattice
    frequencies (multiples of 1/``scale`` cycles/px, the period of a pixel
    shuffle's phases) than that of ``hr`` (luma Y, ``scale`` px shaved, Hann
    window; each peak over its own neighbourhood, geometric mean over the
    lattice). 1.0: no more grid texture than the ground truth; a visible
    checkerboard is well above 1. Images under 8 x ``scale`` px a side (after
    the shave) raise ValueError, or give NaN with ``too_small="nan"``."""
    if isinstance(scale, bool) or not isinstance(scale, (int, np.integer)) or scale < 2:
        raise ValueError(f"grid_ratio: scale must be an int >= 2 (the lattice period); got {scale!r}.")
    a, b = _prepare(sr, hr, scale, True, "grid_ratio")
    if min(a.shape[:2]) < 8 * scale:
        if too_small == "nan":
            return float("nan")
        raise ValueError(f"grid_ratio: the images are too small ({a.shape[:2]} after the shave); "
                         f"expected at least {8 * scale} px per side.")
    return _lattice_prominence(a, scale) / _lattice_prominence(b, scale)
