"""Issue 6 remainder: the homogeneous ReLU net's margins (lyu2020) and lazy training (chizat2019)."""

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

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
