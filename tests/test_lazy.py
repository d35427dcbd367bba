"""Issue 6 remainder: the homogeneous ReLU net's margins (lyu2020) and lazy training (chizat2019)."""

import json

import jax
import jax.numpy as jnp
import numpy as np

from implicit_bias.models import TwoLayerReLU
from implicit_bias.reproduce import PAPERS


def test_relu_homogeneity_degree():
    model = TwoLayerReLU(3, 6, bias=False, train_outer=True)
    key1, key2, key3 = jax.random.split(jax.random.PRNGKey(0), 3)
    params = {"W": jax.random.normal(key1, (6, 3)), "a": jax.random.normal(key2, (6,))}
    x = jax.random.normal(key3, (5, 3))
    scaled = jax.tree.map(lambda p: 1.7 * p, params)
    assert model.homogeneity() == 2
    np.testing.assert_allclose(model.predict(scaled, x), 1.7**2 * model.predict(params, x), rtol=1e-13)
    assert TwoLayerReLU(3, 6, bias=True, train_outer=False).homogeneity() is None


def test_lyu2020_quick(tmp_path):
    result = PAPERS["lyu2020"](tmp_path, True)
    assert (tmp_path / "figures" / "lyu_margins.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    relu, linear = json.loads((tmp_path / "table.json").read_text())["key_numbers"]["runs"]
    assert relu["worst_relative_drop"] < 0 and linear["worst_relative_drop"] < 0
    assert relu["loss_end"] < 2e-3 and relu["normalized_margin_end"] > 0
    assert result["figures"]


def test_lazy_model_is_linear_when_linearized_and_centred():
    """The linearized LazyModel is affine in w (its jvp is exact), the centred one is 0 at w₀."""
    from implicit_bias.models import DiagonalLinear, LazyModel
    base = DiagonalLinear(5)
    key1, key2, key3 = jax.random.split(jax.random.PRNGKey(1), 3)
    w0 = {"u": jax.random.normal(key1, (5,)), "v": jax.random.normal(key2, (5,))}
    x = jax.random.normal(key3, (4, 5))
    step = {"u": jnp.arange(5.0), "v": -jnp.ones(5)}
    linear, scaled = LazyModel(base, 3.0, True, True), LazyModel(base, 3.0, True, False)
    at = lambda m, c: m.predict({"w": jax.tree.map(lambda a, b: a + c * b, w0, step), "w0": w0}, x)
    np.testing.assert_allclose(at(scaled, 0.0), 0.0, atol=1e-14)
    np.testing.assert_allclose(at(linear, 2.0) - at(linear, 1.0), at(linear, 1.0) - at(linear, 0.0), rtol=1e-12)
    # β = u² − v²: the true model's second difference is 2α Σ(δu² − δv²)x, the linearization's is 0
    second = at(scaled, 2.0) - 2 * at(scaled, 1.0) + at(scaled, 0.0)
    np.testing.assert_allclose(second[:, 0], 2 * 3.0 * x @ (step["u"] ** 2 - step["v"] ** 2), rtol=1e-12)


def test_chizat2019_quick(tmp_path):
    result = PAPERS["chizat2019"](tmp_path, True)
    assert (tmp_path / "figures" / "chizat_gap.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    slopes = result["key_numbers"]["slopes"]
    # Quick is the claims' test size: the two-point slope over α = 16, 32, whose offset from the
    # exponent (≈ c₂/(c₁α), halving per doubling of α) is ≤ 0.02 (claims.lazy.QUICK_REASON).
    assert abs(slopes["gaussian"] + 1) < 0.05 and abs(slopes["paired"] + 2) < 0.05
