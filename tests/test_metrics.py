"""Fréchet distance, KID and the classifier score: closed forms, brute force,
streaming, and FID's fail-fast when the Inception weights are not cached."""

import os
import time

import keras
import numpy as np
import pytest
from scipy import linalg

from keras_gans import metrics

RNG = np.random.default_rng(0)


def _random_cov(d, rng, rank=None):
    a = rng.standard_normal((d, rank or d))
    return a @ a.T / d + (0 if rank else 0.1 * np.eye(d))


# ----------------------------------------------------------------- Fréchet
def test_frechet_diagonal_closed_form():
    rng = np.random.default_rng(1)
    mu1, mu2 = rng.standard_normal(7), rng.standard_normal(7)
    a, b = rng.uniform(0.1, 3, 7), rng.uniform(0.1, 3, 7)
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    got = metrics.frechet_distance(mu1, np.diag(a), mu2, np.diag(b))
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_frechet_commuting_covariances_closed_form():
    rng = np.random.default_rng(2)
    q, _ = np.linalg.qr(rng.standard_normal((6, 6)))
    a, b = rng.uniform(0.2, 2, 6), rng.uniform(0.2, 2, 6)
    s1, s2 = q @ np.diag(a) @ q.T, q @ np.diag(b) @ q.T
    mu = rng.standard_normal(6)
    expected = np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    assert metrics.frechet_distance(mu, s1, mu, s2) == pytest.approx(expected, rel=1e-7)


def test_frechet_matches_scipy_sqrtm_and_eigen_form_on_random_data():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((500, 10)) @ rng.standard_normal((10, 10))
    y = rng.standard_normal((400, 10)) @ rng.standard_normal((10, 10)) + 0.5
    mu1, s1 = x.mean(0), np.cov(x, rowvar=False)
    mu2, s2 = y.mean(0), np.cov(y, rowvar=False)
    ref_sqrtm = np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * linalg.sqrtm(s1 @ s2).real)
    r = linalg.sqrtm(s1).real  # Tr sqrt(S1 S2) = Tr sqrt(S1^1/2 S2 S1^1/2)
    ref_eig = np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2) - 2 * np.sqrt(np.clip(np.linalg.eigvalsh(r @ s2 @ r), 0, None)).sum()
    got = metrics.frechet_distance(mu1, s1, mu2, s2)
    assert got == pytest.approx(ref_sqrtm, rel=1e-7)
    assert got == pytest.approx(ref_eig, rel=1e-6)
    assert metrics.frechet_distance(mu1, s1, mu1, s1) == pytest.approx(0.0, abs=1e-6)


def test_frechet_singular_covariances_are_finite():
    rng = np.random.default_rng(4)
    s1 = _random_cov(20, rng, rank=3)  # rank 3 of 20: sqrtm of a singular product
    s2 = _random_cov(20, rng, rank=5)
    mu1, mu2 = np.zeros(20), np.ones(20) * 0.1
    got = metrics.frechet_distance(mu1, s1, mu2, s2)
    assert np.isfinite(got) and got >= 0
    regular = metrics.frechet_distance(mu1, s1 + 1e-6 * np.eye(20), mu2, s2 + 1e-6 * np.eye(20))
    assert got == pytest.approx(regular, rel=1e-3, abs=1e-4)
    # fewer samples than dims (rank-deficient empirical covariance)
    fd = metrics.FrechetDistance()
    fd.update_state(real=rng.standard_normal((8, 30)), fake=rng.standard_normal((8, 30)) + 1)
    assert np.isfinite(fd.result()) and fd.result() > 10


def test_frechet_errors_name_the_problem():
    with pytest.raises(ValueError, match="covariances must be"):
        metrics.frechet_distance(np.zeros(3), np.eye(2), np.zeros(3), np.eye(3))
    with pytest.raises(ValueError, match="at least 2 fake samples|at least 2 samples"):
        fd = metrics.FrechetDistance()
        fd.update_state(real=np.zeros((5, 2)))
        fd.result()


def test_frechet_streaming_equals_one_shot_and_numpy_cov():
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((300, 6)), rng.standard_normal((257, 6)) * 1.3 + 0.2
    one = metrics.FrechetDistance(batch_size=1000)
    one.update_state(real=x, fake=y)
    stream = metrics.FrechetDistance(batch_size=37)
    for i in range(0, 300, 100):
        stream.update_state(real=x[i : i + 100])
    stream.update_state(fake=(y[i : i + 50] for i in range(0, 257, 50)))  # an iterable of batches
    assert stream.counts() == {"real": 300, "fake": 257}
    ref = metrics.frechet_distance(x.mean(0), np.cov(x, rowvar=False), y.mean(0), np.cov(y, rowvar=False))
    assert one.result() == pytest.approx(ref, rel=1e-9)
    assert stream.result() == pytest.approx(ref, rel=1e-9)
    mu, sigma = stream.statistics("real")
    np.testing.assert_allclose(sigma, np.cov(x, rowvar=False), atol=1e-12)
    cached = metrics.FrechetDistance()
    cached.set_statistics("real", mu, sigma)
    cached.update_state(fake=y)
    assert cached.result() == pytest.approx(ref, rel=1e-9)
    stream.reset_state("fake")
    assert stream.counts() == {"real": 300, "fake": 0}


def test_frechet_over_a_keras_feature_model():
    rng = np.random.default_rng(6)
    inp = keras.Input((4, 4, 1))
    model = keras.Model(inp, keras.layers.Dense(3, kernel_initializer="ones")(keras.layers.Flatten()(inp)))
    x = rng.standard_normal((64, 4, 4, 1)).astype("float32")
    y = (rng.standard_normal((64, 4, 4, 1)) + 0.3).astype("float32")
    fd = metrics.FrechetDistance(model, batch_size=16)
    fd.update_state(real=x, fake=y)
    fx, fy = np.tile(x.reshape(64, -1).sum(1, keepdims=True), 3), np.tile(y.reshape(64, -1).sum(1, keepdims=True), 3)
    ref = metrics.FrechetDistance()
    ref.update_state(real=fx, fake=fy)
    assert fd.result() == pytest.approx(ref.result(), rel=1e-4)
    # a plain callable works too
    fd2 = metrics.FrechetDistance(lambda b: np.tile(b.reshape(len(b), -1).sum(1, keepdims=True), 3))
    fd2.update_state(real=x, fake=y)
    assert fd2.result() == pytest.approx(ref.result(), rel=1e-5)


# --------------------------------------------------------------------- KID
def _kid_brute_force(x, y):
    d = x.shape[1]
    k = lambda a, b: (a @ b / d + 1.0) ** 3  # noqa: E731
    m, n = len(x), len(y)
    kxx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    kyy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    kxy = sum(k(x[i], y[j]) for i in range(m) for j in range(n)) / (m * n)
    return kxx + kyy - 2 * kxy


def test_kid_equals_brute_force():
    rng = np.random.default_rng(7)
    x, y = rng.standard_normal((23, 5)), rng.standard_normal((17, 5)) + 0.4
    assert metrics.polynomial_mmd2_unbiased(x, y) == pytest.approx(_kid_brute_force(x, y), rel=1e-10)
    kid = metrics.KernelDistance()
    kid.update_state(real=x, fake=y)
    assert kid.result() == pytest.approx(_kid_brute_force(x, y), rel=1e-10)


def test_kid_is_unbiased_zero_for_same_distribution_and_positive_when_shifted():
    rng = np.random.default_rng(8)
    same = [metrics.polynomial_mmd2_unbiased(rng.standard_normal((400, 8)), rng.standard_normal((400, 8))) for _ in range(10)]
    shifted = metrics.polynomial_mmd2_unbiased(rng.standard_normal((400, 8)), rng.standard_normal((400, 8)) + 0.5)
    assert abs(np.mean(same)) < 0.01  # unbiased: mean ~0 (values of both signs)
    assert min(same) < 0 < max(same)
    assert shifted > 0.3 and shifted > 20 * max(abs(v) for v in same)


def test_kid_streaming_and_subsets():
    rng = np.random.default_rng(9)
    x, y = rng.standard_normal((200, 4)), rng.standard_normal((150, 4)) + 0.3
    one = metrics.KernelDistance()
    one.update_state(real=x, fake=y)
    stream = metrics.KernelDistance(batch_size=32)
    for i in range(0, 200, 64):
        stream.update_state(real=x[i : i + 64])
    stream.update_state(fake=y)
    assert stream.result() == pytest.approx(one.result(), rel=1e-12)
    sub = metrics.KernelDistance(subsets=20, subset_size=100, seed=0)
    sub.update_state(real=x, fake=y)
    value = sub.result()
    assert sub.std > 0 and abs(value - one.result()) < 3 * sub.std + 0.05
    full_size = metrics.KernelDistance(subsets=3, subset_size=10_000)  # capped at the sample count
    full_size.update_state(real=x[:150], fake=y)
    assert full_size.result() == pytest.approx(metrics.polynomial_mmd2_unbiased(x[:150], y), rel=1e-12)


# ------------------------------------------------------- classifier score
def test_classifier_score_bounds_and_formula():
    k = 10
    uniform = np.full((100, k), 1.0 / k)
    assert metrics.classifier_score(uniform) == pytest.approx(1.0)
    one_hot = np.eye(k)[np.arange(100) % k]
    assert metrics.classifier_score(one_hot) == pytest.approx(k, rel=1e-6)
    collapsed = np.eye(k)[np.zeros(100, int)]
    assert metrics.classifier_score(collapsed) == pytest.approx(1.0, rel=1e-6)
    rng = np.random.default_rng(10)
    p = rng.dirichlet(np.ones(k) * 0.3, size=60)
    py = p.mean(0)
    ref = np.exp(np.mean([np.sum(pi * (np.log(pi) - np.log(py))) for pi in p]))
    assert metrics.classifier_score(p) == pytest.approx(ref, rel=1e-6)
    mean, std = metrics.classifier_score(p, splits=3, return_std=True)
    assert 1 <= mean <= k and std >= 0
    with pytest.raises(ValueError, match="softmax"):
        metrics.classifier_score(rng.standard_normal((5, k)))


# --------------------------------------------------------------------- FID
def test_fid_without_cached_weights_fails_fast_naming_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    start = time.time()
    with pytest.raises(FileNotFoundError) as e:
        metrics.FID()
    assert time.time() - start < 2.0
    msg = str(e.value)
    assert "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5" in msg
    assert str(tmp_path / "keras_home" / "models") in msg
    assert not (tmp_path / "keras_home" / "models").exists()  # nothing was fetched
    with pytest.raises(FileNotFoundError, match="notop.h5"):
        metrics.FID(weights=os.fspath(tmp_path / "missing.h5"))
