"""Two-layer ReLU model, its inits, the NTK theory and the test-set plumbing (issue 3).

The claims themselves run in ``test_claims.py``; these check the pieces against autodiff and
closed forms at small sizes.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from implicit_bias import initializations as inits
from implicit_bias import run
from implicit_bias.dynamics import Objective
from implicit_bias.errors import SpecError
from implicit_bias.models import TwoLayerReLU
from implicit_bias.problems import digits_regression, quadratic_teacher_regression
from implicit_bias.spec import validate_spec
from implicit_bias.theory import ntk

# Module-scoped fixtures below are built once per xdist worker: keep this module on one.
pytestmark = pytest.mark.xdist_group("test_ntk")

PROBLEM = quadratic_teacher_regression(7, 4, seed=1, n_test=5)
MODEL = TwoLayerReLU(4, 30)


@pytest.fixture(scope="module")
def params():
    return inits.SignGaussian(jnp.asarray(1.0))(jax.random.key(0), MODEL, PROBLEM)


def _jacobian(model, params, X):
    """Per-sample Jacobian by autodiff (only at test sizes), flattened over all trained arrays."""
    jac = jax.jacrev(lambda p: model.predict(p, X)[:, 0])(params)
    return jnp.concatenate([j.reshape(X.shape[0], -1) for j in jax.tree.leaves(jac)], axis=1)


@pytest.mark.parametrize("train_outer", [False, True])
def test_gram_is_jacobian_gram(params, train_outer):
    model = TwoLayerReLU(4, 30, train_outer=train_outer)
    J = _jacobian(model, params, PROBLEM.X)
    np.testing.assert_allclose(ntk.gram(model, params, PROBLEM.X), J @ J.T, rtol=1e-12, atol=1e-12)


def test_fixed_outer_layer_gets_no_gradient(params):
    grads = jax.grad(Objective(MODEL, PROBLEM).loss)(params)
    assert float(jnp.abs(grads["a"]).max()) == 0.0 and float(jnp.abs(grads["W"]).max()) > 0


def test_linearized_min_norm_interpolates_and_is_orthogonal(params):
    lin = ntk.linearize(MODEL, params, PROBLEM.X)
    J = _jacobian(MODEL, params, PROBLEM.X)[:, :params["W"].size]  # W's block ("W" sorts before "a")
    W_star = ntk.linearized_min_norm(lin, PROBLEM.Y)
    # f_L(X, W*) = Y and W* − W0 lies in range(∇f₀): P₀⊥(W* − W0) = 0.
    np.testing.assert_allclose(lin.jvp(W_star), PROBLEM.Y[:, 0], atol=1e-10)
    np.testing.assert_allclose(lin.jvp(params["W"]), MODEL.predict(params, PROBLEM.X)[:, 0], atol=1e-12)
    diff = W_star - params["W"]
    np.testing.assert_allclose(lin.project(diff), diff, atol=1e-10)
    V = jax.random.normal(jax.random.key(3), params["W"].shape)
    np.testing.assert_allclose(lin.vjp(lin.jvp(V)).ravel(), J.T @ (J @ V.ravel()), atol=1e-10)
    v_perp, v_par = ntk.lyapunov(lin, params["W"] + V, W_star)
    np.testing.assert_allclose(float(v_perp + v_par), float(jnp.sum((params["W"] + V - W_star) ** 2)), rtol=1e-12)


def test_gram_infinite_normalizations():
    off = ~np.eye(PROBLEM.n_samples, dtype=bool)  # the diagonal is ‖x‖²/2 exactly (θ = 0)
    # Du/Arora: unit inputs, no bias, the notes' formula written out.
    X = PROBLEM.X
    inner = np.asarray(X @ X.T)
    expected = inner * (np.pi - np.arccos(np.clip(inner, -1, 1))) / (2 * np.pi)
    np.testing.assert_allclose(np.asarray(ntk.gram_infinite(X))[off], expected[off], atol=1e-14)
    np.testing.assert_allclose(np.diag(ntk.gram_infinite(X)), np.diag(inner) / 2, rtol=1e-15)
    # Satpathi–Srikant: ‖x‖ = √d with the bias, cos θ = x̃ᵢᵀx̃ⱼ/(d + 1).
    Xa = MODEL.augment(X * 2.0)
    inner = np.asarray(Xa @ Xa.T)
    expected = inner * (np.pi - np.arccos(np.clip(inner / 5, -1, 1))) / (2 * np.pi)
    np.testing.assert_allclose(np.asarray(ntk.gram_infinite(Xa))[off], expected[off], atol=1e-13)
    assert float(ntk.lambda_min(ntk.gram_infinite(Xa))) > 0


def test_kernel_regression_interpolates_training_points():
    H = ntk.gram_infinite(PROBLEM.X)
    np.testing.assert_allclose(ntk.kernel_regression(H, PROBLEM.Y, H), PROBLEM.Y, atol=1e-9)
    # GD's (I − ηH)^k and GF's exp(−Ht) agree as η → 0 at fixed t.
    gd = ntk.kernel_residual(H, PROBLEM.Y, jnp.asarray(2.0), jnp.asarray(1e-4))
    np.testing.assert_allclose(gd, ntk.kernel_residual(H, PROBLEM.Y, jnp.asarray(2.0)), rtol=1e-3)


def test_antisymmetric_init_starts_at_zero_output():
    init = inits.Antisymmetric(inits.SignGaussian(jnp.asarray(1.0)))
    p = init(jax.random.key(0), MODEL, PROBLEM)
    assert float(jnp.abs(MODEL.predict(p, PROBLEM.X)).max()) < 1e-14  # cancels pairwise, up to summation order
    gaussian = inits.SignGaussian(jnp.asarray(1.0))(jax.random.key(0), MODEL, PROBLEM)
    np.testing.assert_array_equal(p["W"][:15], gaussian["W"][:15])


def test_homogeneous_setting_conserves_neuron_balance():
    """Both layers trained, no bias: a_k² − ‖w_k‖² moves only by O(η²) per GD step."""
    model = TwoLayerReLU(4, 30, bias=False, train_outer=True)
    objective = Objective(model, PROBLEM)
    p = inits.Gaussian(jnp.asarray(0.5), jnp.asarray(0.0))(jax.random.key(0), model, PROBLEM)
    drift = []
    for lr in (1e-2, 1e-3):
        q = p
        for _ in range(int(0.1 / lr)):
            q = jax.tree.map(lambda a, g: a - lr * g, q, jax.grad(objective.loss)(q))
        drift.append(float(jnp.abs(model.conserved(q)["neuron_balance"] - model.conserved(p)["neuron_balance"]).max()))
    assert drift[1] < 0.2 * drift[0]  # first order in η at fixed time: 10× smaller step, ~10× smaller drift


def test_digits_problem():
    p = digits_regression((3, 5), 50, 20, seed=0)
    assert p.X.shape == (50, 64) and p.X_test.shape == (20, 64)
    np.testing.assert_allclose(jnp.linalg.norm(p.X, axis=1), 1.0, rtol=1e-12)
    assert set(np.unique(np.asarray(p.Y))) == {-1.0, 1.0}
    with pytest.raises(SpecError, match="n_samples"):
        digits_regression((3, 5), 400, 100, seed=0)


def _spec(**changes) -> dict:
    spec = {"problem": {"kind": "regression", "n_samples": 6, "input_dim": 3, "data": "quadratic_teacher"},
            "model": {"kind": "two_layer_relu", "width": 8},
            "init": {"kind": "antisymmetric"},
            "dynamics": {"kind": "gradient_descent", "lr": 0.1, "t_max": 1.0},
            "observe": {"quantities": ["loss"], "n_times": 3}}
    for section, value in changes.items():
        spec[section] = {**spec[section], **value}
    return spec


@pytest.mark.parametrize("changes, field", [
    ({"model": {"width": 7}}, "model.width"),
    ({"model": {"kind": "two_layer_linear", "width": 8}}, "init.kind"),
    ({"observe": {"quantities": ["test_error"]}}, "problem.n_test"),
    ({"model": {"train_outer": True}, "observe": {"quantities": ["distance_to_linearized_min_norm"]}},
     "model.train_outer"),
])
def test_spec_errors(changes, field):
    with pytest.raises(SpecError) as e:
        run(validate_spec(_spec(**changes)))
    assert e.value.field == field


def test_same_spec_same_numbers():
    spec = _spec(problem={"n_test": 4}, observe={"quantities": ["loss", "test_mse", "kernel_residual_gap"]})
    a, b = run(spec), run(spec)
    np.testing.assert_array_equal(a["kernel_residual_gap"].values, b["kernel_residual_gap"].values)
    assert np.isfinite(a["final_test_mse"].values).all()
