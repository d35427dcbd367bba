"""The common suite every model passes (STYLE.md): one list of models feeds each check."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from implicit_bias import initializations as inits
from implicit_bias.dynamics import GradientFlow, Objective
from implicit_bias.models import DeepLinear, DiagonalLinear, Linear, TwoLayerLinear, TwoLayerReLU
from implicit_bias.problems import gaussian_regression

PROBLEM = gaussian_regression(6, 9, 2, seed=3)
MODELS = [TwoLayerLinear(9, 2, 5), TwoLayerLinear(9, 2, 30)]
MODELS += [DiagonalLinear(9), DiagonalLinear(9, 3), DiagonalLinear(9, 2, "product"), DeepLinear(9, 2, (4, 6))]
SCALAR_PROBLEM = gaussian_regression(6, 9, 1, seed=3)


def _problem(model):
    """The data each model is checked on: its own number of outputs."""
    return SCALAR_PROBLEM if getattr(model, "output_dim", None) == 1 else PROBLEM


@pytest.fixture(params=MODELS, ids=lambda m: f"{type(m).__name__}-w{m.width}")
def model(request):
    return request.param


def _params(model):
    return inits.Gaussian(jnp.asarray(0.5), jnp.asarray(0.0))(jax.random.key(0), model, _problem(model))


@pytest.mark.parametrize("model", MODELS + [Linear(9, 2), TwoLayerReLU(9, 7, bias=False, train_outer=True),
                                   TwoLayerReLU(9, 7, bias=True, train_outer=True)], ids=lambda m: type(m).__name__)
def test_declared_homogeneity_holds(model):
    """f(cθ) = cᵏ f(θ) for the degree k the model declares (the margin observables divide by ‖θ‖ᵏ)."""
    k = model.homogeneity()
    params, x = _params(model), _problem(model).X
    c = 1.7
    np.testing.assert_allclose(np.asarray(model.predict(jax.tree.map(lambda a: c * a, params), x)),
                               c**k * np.asarray(model.predict(params, x)), rtol=1e-12, atol=1e-14)


def test_gradient_matches_finite_differences(model):
    objective = Objective(model, _problem(model))
    params = _params(model)
    grads = jax.grad(objective.loss)(params)
    direction = jax.tree.map(lambda a: jax.random.normal(jax.random.key(1), a.shape), params)
    eps = 1e-6
    shift = lambda s: jax.tree.map(lambda p, d: p + s * eps * d, params, direction)  # noqa: E731
    numeric = (objective.loss(shift(1)) - objective.loss(shift(-1))) / (2 * eps)
    analytic = sum(jnp.sum(g * d) for g, d in zip(jax.tree.leaves(grads), jax.tree.leaves(direction)))
    np.testing.assert_allclose(float(numeric), float(analytic), rtol=1e-7)


def test_conserved_quantities_hold_under_gf(model):
    objective = Objective(model, _problem(model))
    params0 = _params(model)
    gf = GradientFlow(*(jnp.asarray(x) for x in (5.0, 0.0, 1e-11, 1e-13)))
    times = jnp.array([0.0, 1.0, 5.0])
    traj = gf.solve(objective, params0, jax.random.key(0), times, lambda p, t: {"loss": objective.loss(p)})
    assert float(traj.observed["loss"][-1]) < 0.1 * float(traj.observed["loss"][0])
    for name, c0 in model.conserved(params0).items():
        c1 = model.conserved(traj.final_params)[name]
        assert float(jnp.linalg.norm(c1 - c0)) < 1e-8 * (1 + float(jnp.linalg.norm(c0))), name


def test_minibatch_loss_is_unbiased(model):
    objective = Objective(model, _problem(model))
    params = _params(model)
    n = objective.n_samples
    singles = [objective.minibatch_loss(params, jnp.array([i])) for i in range(n)]
    np.testing.assert_allclose(float(np.mean(singles)), float(objective.loss(params)), rtol=1e-12)
