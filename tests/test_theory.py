"""Theory functions against direct computations, and inits against their defining identities."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from implicit_bias import initializations as inits
from implicit_bias.models import TwoLayerLinear
from implicit_bias.problems import gaussian_regression, make_regression
from implicit_bias.theory import linear_networks as lin

PROBLEM = gaussian_regression(8, 15, 3, seed=1)
MODEL = TwoLayerLinear(15, 3, 12)
KEY = jax.random.key(7)


def _gaussian(scale=0.7):
    return inits.Gaussian(jnp.asarray(scale), jnp.asarray(0.0))


def test_min_norm_matches_pinv():
    expected = np.linalg.pinv(np.asarray(PROBLEM.X)) @ np.asarray(PROBLEM.Y)
    np.testing.assert_allclose(lin.min_norm_solution(PROBLEM), expected, atol=1e-12)
    assert float(lin.optimal_loss(PROBLEM)) < 1e-24  # N < n: interpolation possible


def test_imbalance_eigenvalues_match_full_matrix():
    params = _gaussian()(KEY, MODEL, PROBLEM)
    svd = lin.data_svd(PROBLEM)
    full = np.sort(np.linalg.eigvalsh(np.asarray(lin.imbalance(params, svd))))[::-1]
    small = np.asarray(lin.imbalance_eigenvalues(params, svd))
    k = min(len(small), len(full))
    np.testing.assert_allclose(small[:k], full[:k], atol=1e-10)


def test_rate_scalar_case():
    """n = N = m = h = 1, X = 1: ė = −(u² + v²)e, and the theorem's c is 2√(d² + 4g²)."""
    problem = make_regression(np.ones((1, 1)), np.array([[2.0]]))
    u, v = 1.5, 0.5
    terms = lin.rate_terms({"U": jnp.array([[u]]), "V": jnp.array([[v]])}, problem)
    d, g = u**2 - v**2, max(2.0 - abs(2.0 - u * v), 0.0)
    np.testing.assert_allclose(float(terms.c), 2 * np.sqrt(d**2 + 4 * g**2), rtol=1e-12)
    assert float(terms.rate) <= 2 * (u**2 + v**2)


def test_balanced_init_is_balanced_and_keeps_theta():
    params = inits.Balanced(_gaussian())(KEY, MODEL, PROBLEM)
    U, V = params["U"], params["V"]
    np.testing.assert_allclose(U.T @ U, V.T @ V, atol=1e-12)
    g = _gaussian()(KEY, MODEL, PROBLEM)
    np.testing.assert_allclose(U @ V.T, g["U"] @ g["V"].T, atol=1e-12)


def test_zero_imbalance_init():
    params = inits.ZeroImbalance(_gaussian())(KEY, MODEL, PROBLEM)
    np.testing.assert_allclose(lin.imbalance(params, lin.data_svd(PROBLEM)), 0.0, atol=1e-10)
    assert float(lin.rate_terms(params, PROBLEM).delta) < 1e-12  # no √eps floor in the eigenvalues
    g = _gaussian()(KEY, MODEL, PROBLEM)
    np.testing.assert_allclose(params["U"] @ params["V"].T, g["U"] @ g["V"].T, atol=1e-10)


def test_invariant_set_init_has_no_null_space_part():
    params = inits.InvariantSet(_gaussian())(KEY, MODEL, PROBLEM)
    assert float(lin.null_space_offset(params, lin.data_svd(PROBLEM))) < 1e-12
    assert float(jnp.linalg.norm(lin.data_svd(PROBLEM).Phi2.T @ params["U"])) < 1e-12


@pytest.mark.parametrize("level", [0.8, -0.8])
def test_imbalance_init_has_exact_delta(level):
    params = inits.Imbalance(jnp.asarray(level))(KEY, MODEL, PROBLEM)
    terms = lin.rate_terms(params, PROBLEM)
    np.testing.assert_allclose(float(terms.delta), abs(level), rtol=1e-10)
    np.testing.assert_allclose(float(terms.c), 2 * abs(level), rtol=1e-10)  # zero margin: c = 2Δ
    np.testing.assert_allclose(params["U"] @ params["V"].T, 0.0, atol=1e-14)


def test_gaussian_init_width_scaling():
    init = inits.Gaussian(jnp.asarray(2.0), jnp.asarray(0.5))
    wide = TwoLayerLinear(15, 3, 4000)
    params = init(KEY, wide, PROBLEM)
    np.testing.assert_allclose(float(jnp.std(params["U"])), 2.0 / np.sqrt(4000), rtol=0.02)
