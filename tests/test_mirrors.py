"""Mirror maps: the common checks on every registered kind, and mirror flow against the
diagonal network it is the geometry of."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from implicit_bias.dynamics import GradientFlow, Objective
from implicit_bias.mirrors.hyperbolic_entropy import HyperbolicEntropy
from implicit_bias.models import Linear
from implicit_bias.models.diagonal import DiagonalLinear
from implicit_bias.problems.regression import Regression
from implicit_bias.spec import validate_spec
from implicit_bias.testing import mirror_check_cases


@pytest.mark.parametrize("case", mirror_check_cases(), ids=str)
def test_mirror(case):
    case.run()


def entries(w):
    """Observables are scalars: w's entries one by one."""
    return {f"w{i}": x for i, x in enumerate(w.ravel())}


def test_hyperbolic_entropy_flow_is_the_diagonal_network():
    """GF on w = u² − v² from u = v = α keeps uv = α², so ẇ = −4√(w² + 4α⁴)∇L: mirror flow with
    β = 2α² from w = 0, at time 4t. Both runs at rtol 1e-12; they agree to 1e-10 (relative to
    ‖w‖), the accumulated solver error over a few hundred steps."""
    rng = np.random.default_rng(1)
    X = jnp.asarray(rng.standard_normal((5, 8)))
    problem = Regression(X=X, Y=X @ jnp.asarray(rng.standard_normal((8, 1))), rank=5)
    alpha, times = 0.2, jnp.array([0.0, 0.1, 0.5, 2.0])
    tol = [jnp.asarray(x) for x in (1e-12, 1e-14)]

    diagonal = DiagonalLinear(8)
    u0 = {"u": jnp.full(8, alpha), "v": jnp.full(8, alpha)}
    objective = Objective(diagonal, problem)
    net = GradientFlow(jnp.asarray(2.0), jnp.asarray(0.0), *tol).solve(
        objective, u0, jax.random.key(0), times, lambda p, t: entries(diagonal.end_to_end(p)))

    flow = GradientFlow(jnp.asarray(8.0), jnp.asarray(0.0), *tol, mirror=HyperbolicEntropy(jnp.asarray(2 * alpha**2)))
    linear = Linear(8, 1)
    mirror = flow.solve(Objective(linear, problem), {"w": jnp.zeros((8, 1))}, jax.random.key(0), 4 * times,
                        lambda p, t: entries(linear.end_to_end(p)))
    w_net, w_mirror = (np.stack([run.observed[f"w{i}"] for i in range(8)]) for run in (net, mirror))
    np.testing.assert_allclose(w_mirror, w_net, rtol=0, atol=1e-10 * np.abs(w_net).max())


def test_mirror_is_a_section_of_gradient_flow_and_plain_gf_keeps_its_hash():
    base = {"name": "m", "problem": {"kind": "regression", "n_samples": 4, "input_dim": 6},
            "model": {"kind": "linear"}, "init": {"kind": "gaussian", "scale": 0.1},
            "dynamics": {"kind": "gradient_flow", "t_max": 1.0}}
    euclidean = {**base, "dynamics": {**base["dynamics"], "mirror": {"kind": "euclidean"}}}
    assert validate_spec(euclidean).hash == validate_spec(base).hash
    entropy = validate_spec({**base, "dynamics": {**base["dynamics"], "mirror": {"kind": "hyperbolic_entropy", "beta": 0.1}}})
    assert entropy.hash != validate_spec(base).hash
    assert isinstance(entropy.dynamics.build().mirror, HyperbolicEntropy)
