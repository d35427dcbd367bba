"""The MLP against the two-layer ReLU network it extends (the common model checks run on its
examples in tests/test_models.py)."""

import jax
import jax.numpy as jnp
import numpy as np

from implicit_bias.models.mlp import MLP
from implicit_bias.models.two_layer_relu import TwoLayerReLU


def test_one_hidden_layer_is_the_homogeneous_two_layer_relu_net():
    """f = W₂ ReLU(W₁x/√n)/√m is TwoLayerReLU (f = Σ a_k ReLU(w_kᵀx)/√m) with w = W₁/√n, a = W₂."""
    n, m = 5, 7
    k1, k2, k3 = jax.random.split(jax.random.key(0), 3)
    params = {"W1": jax.random.normal(k1, (m, n)), "W2": jax.random.normal(k2, (1, m))}
    x = jax.random.normal(k3, (9, n))
    relu = TwoLayerReLU(n, m, bias=False, train_outer=True)
    expected = relu.predict({"W": params["W1"] / jnp.sqrt(n), "a": params["W2"][0]}, x)
    np.testing.assert_allclose(MLP(n, 1, m).predict(params, x), expected, rtol=1e-14)


def test_deep_relu_net_keeps_its_scale_at_any_width():
    """NTK parametrization: with N(0, 1) weights each ReLU layer halves E h² and the 1/√fan-in
    factor compensates the fan-in, so E f² = ‖x‖²/(n·2^D) at every width (mean over 4000 draws of
    a width-64 net, depth 3: within 10%, about 4 standard errors of the mean of f²)."""
    n, depth = 6, 3
    x = jnp.ones((1, n))
    model = MLP(n, 1, 64, depth=depth)
    shapes = model.param_shapes()

    def f(key):
        keys = jax.random.split(key, len(shapes))
        params = {name: jax.random.normal(k, shapes[name]) for k, name in zip(keys, sorted(shapes))}
        return model.predict(params, x)[0, 0]

    second_moment = float(jnp.mean(jax.vmap(f)(jax.random.split(jax.random.key(1), 4000)) ** 2))
    assert abs(second_moment / (1.0 / 2**depth) - 1) < 0.1, second_moment
