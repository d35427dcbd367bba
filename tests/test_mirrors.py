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


def _least_squares(seed=0, n=6, d=10):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    problem = Regression(X=jnp.asarray(X), Y=jnp.asarray(X @ rng.standard_normal((d, 1))), rank=n)
    return X, np.asarray(problem.Y), Objective(Linear(d, 1), problem), {"w": jnp.asarray(0.3 * rng.standard_normal((d, 1)))}


def test_mirror_descent_steps_match_numpy():
    """z ← z − η∇L(θ), θ = ∇ψ*(z) = β sinh z, L = ½‖Xθ − y‖²: six steps against NumPy."""
    from implicit_bias.dynamics import DiscreteDynamics

    X, Y, objective, theta0 = _least_squares()
    beta, lr = 0.5, 0.01
    gd = DiscreteDynamics(jnp.asarray(lr), jnp.asarray(6 * lr), jnp.asarray(0.0), mirror=HyperbolicEntropy(jnp.asarray(beta)))
    got = gd.solve(objective, theta0, jax.random.key(0), jnp.array([0.0]), lambda p, t: {}).final_params["w"]
    z = np.arcsinh(np.asarray(theta0["w"]) / beta)
    for _ in range(6):
        z = z - lr * X.T @ (X @ (beta * np.sinh(z)) - Y)
    np.testing.assert_allclose(got, beta * np.sinh(z), rtol=1e-12)


def test_mirror_descent_ends_where_mirror_flow_does():
    """On least squares each step moves z by −ηXᵀr, so z − z₀ stays in the row space of X exactly;
    an interpolant with that property is argmin D_ψ(θ, θ₀), so mirror descent at any stable step
    ends at mirror flow's limit (Gunasekar et al. 2018). Both stop below a loss of 1e-24, where
    they sit within ~1e-11 of the limit (measured 5e-12 at both steps): checked to 1e-10."""
    from implicit_bias.dynamics import DiscreteDynamics

    X, Y, objective, theta0 = _least_squares()
    mirror, stop = HyperbolicEntropy(jnp.asarray(0.05)), jnp.asarray(1e-24)
    flow = GradientFlow(jnp.asarray(1e4), stop, jnp.asarray(1e-12), jnp.asarray(1e-14), mirror=mirror)
    limit = flow.solve(objective, theta0, jax.random.key(0), jnp.array([0.0]), lambda p, t: {}).final_params["w"]
    records = jnp.concatenate([jnp.zeros(1), jnp.geomspace(1.0, 1e4, 41)])  # the stop test runs at records
    for lr in (0.005, 0.02):
        gd = DiscreteDynamics(jnp.asarray(lr), jnp.asarray(1e4), stop, mirror=mirror)
        run = gd.solve(objective, theta0, jax.random.key(0), records, lambda p, t: {})
        assert int(run.status) == 0, f"lr {lr}: mirror descent did not converge"
        np.testing.assert_allclose(run.final_params["w"], limit, rtol=0, atol=1e-10)
