"""Deep linear networks, symmetric factorization, sensing and completion: the theory against
exact computations, the models and problems, and the spec's strict validation."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from implicit_bias import initializations as inits
from implicit_bias import problems
from implicit_bias.dynamics import Objective
from implicit_bias.errors import SpecError
from implicit_bias.experiment import run
from implicit_bias.models import DeepLinear, SymmetricFactorization
from implicit_bias.theory import deep_linear as deep
from implicit_bias.claims.deep_linear import MODES_SPEC
from implicit_bias.claims.matrix_sensing import SMALL_SPEC, problem_of
from implicit_bias.theory.matrix_sensing import min_nuclear_norm, tangent_conditioning

# The claims' own data sets (cached by the spec builder, so shared with them in one session).
REGRESSION = problem_of(MODES_SPEC)
SENSING = problem_of(SMALL_SPEC)


def _velocity(model, problem, params):
    """Θ̇ along gradient flow, exactly: the JVP of the layer product along −∇."""
    objective = Objective(model, problem)
    direction = jax.tree.map(jnp.negative, jax.grad(objective.loss)(params))
    return jax.jvp(model.end_to_end, (params,), (direction,))[1]


@jax.jit
def _velocities(model, init, key, stretch):
    """(measured Θ̇, balanced-ODE Θ̇, closed-form σ̇, σ̇ = uᵀΘ̇v, max |balancedness|), in one compile.
    ``stretch`` rescales W₁ by c and W₂ by 1/c: the same Θ, unbalanced unless c = 1."""
    params = init(key, model, REGRESSION)
    params = {**params, "W1": stretch * params["W1"], "W2": params["W2"] / stretch}
    theta = model.end_to_end(params)
    grad = theta - REGRESSION.X.T @ REGRESSION.Y  # ∇ of ½‖XΘ − Y‖² with XᵀX = I
    actual = _velocity(model, REGRESSION, params)
    U, _, Vt = jnp.linalg.svd(theta, full_matrices=False)
    return (actual, deep.end_to_end_velocity(theta, grad, model.depth),
            deep.singular_value_velocity(theta, grad, model.depth), jnp.einsum("ir,ij,rj->r", U, actual, Vt),
            jnp.max(jnp.abs(model.conserved(params)["balancedness"])))


BALANCED = inits.Balanced(inits.Gaussian(jnp.asarray(0.8), jnp.asarray(0.0)))


def test_balanced_end_to_end_velocity():
    actual, predicted, sv_predicted, sv_actual, gap = _velocities(DeepLinear(6, 4, (5, 7)), BALANCED,
                                                                  jax.random.key(3), jnp.asarray(1.0))
    assert float(gap) < 1e-13
    np.testing.assert_allclose(predicted, actual, atol=1e-11 * float(jnp.abs(actual).max()))
    # Singular values move as σ̇ᵣ = uᵣᵀ Θ̇ vᵣ, which the closed form must match.
    np.testing.assert_allclose(sv_predicted, sv_actual, rtol=1e-9, atol=1e-12)


def test_unbalanced_init_breaks_the_end_to_end_ode():
    # The ODE needs balancedness: the same Θ with unbalanced layers moves differently, so the claim can fail.
    actual, predicted, *_ = _velocities(DeepLinear(6, 4, (5, 7)), BALANCED, jax.random.key(3), jnp.asarray(2.0))
    assert float(jnp.linalg.norm(actual - predicted)) > 0.1 * float(jnp.linalg.norm(actual))


@jax.jit
def _sensing_gradients(U):
    model = SymmetricFactorization(*U.shape)
    objective = Objective(model, SENSING)
    # ∇_U ½Σ(y − ⟨A, UUᵀ⟩)² = −2 Σ r_k A_k U
    residual = SENSING.y - SENSING.measure(model.end_to_end({"U": U}))
    expected = -2 * jnp.einsum("k,kij,ja->ia", residual, SENSING.A, U)
    singles = jax.vmap(lambda i: objective.minibatch_loss({"U": U}, i[None]))(jnp.arange(SENSING.n_samples))
    return jax.grad(objective.loss)({"U": U})["U"], expected, jnp.mean(singles), objective.loss({"U": U})


def test_symmetric_factorization_gradient_and_minibatch():
    grad, expected, mean_single, loss = _sensing_gradients(0.5 * jax.random.normal(jax.random.key(0), (10, 3)))
    np.testing.assert_allclose(grad, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(mean_single, loss, rtol=1e-12)


def test_completion_loss_counts_observed_entries_only():
    problem = problems.make_matrix_completion((2, 2), [(0, 1, 1.0), (1, 0, 1.0), (1, 1, 0.0)])
    model = DeepLinear(2, 2, ())
    theta = jnp.array([[100.0, 2.0], [1.0, 3.0]])
    assert float(problem.loss(model, {"W1": theta})) == 0.5 * (1.0 + 0.0 + 9.0)
    assert problem.observed().tolist() == [[False, True], [True, True]]


def test_min_nuclear_norm_is_feasible_and_below_the_target():
    X = min_nuclear_norm(SENSING)
    np.testing.assert_allclose(SENSING.measure(X), SENSING.y, atol=1e-8)
    assert np.linalg.eigvalsh(X).min() > -1e-8
    assert np.trace(X) <= np.trace(np.asarray(SENSING.target)) + 1e-8
    assert tangent_conditioning(SENSING, np.asarray(SENSING.target), rank=2) > 0


def _spec(**sections):
    base = {"problem": MODES_SPEC["problem"], "model": {"kind": "deep_linear", "depth": 3, "width": 6},
            "init": {"kind": "aligned", "scale": 0.01}, "dynamics": {"kind": "gradient_flow", "t_max": 1.0}}
    return {**base, **sections}


@pytest.mark.parametrize("sections, field, words", [
    ({"model": {"kind": "deep_linear", "depth": 1, "width": 3}}, "model.depth", "greater than or equal to 2"),
    ({"model": {"kind": "deep_linear", "depth": 3, "width": 3, "widths": [3, 3]}}, "model", "exactly one"),
    ({"model": {"kind": "deep_linear", "depth": 3, "widths": [3]}}, "model", "needs 2 hidden widths"),
    ({"problem": {"kind": "matrix_completion", "shape": [2, 3], "entries": [[0, 1, 1.0]]},
      "model": {"kind": "symmetric_factorization"}}, "model.kind", "square"),
    ({"model": {"kind": "deep_linear", "depth": 2, "width": 2}}, "model.width", "min(input_dim, output_dim)"),
    ({"problem": {"kind": "matrix_sensing", "dim": 3, "rank": 4}}, "problem", "rank 4 exceeds dim 3"),
    ({"problem": SMALL_SPEC["problem"]}, "init.kind", "not defined for problem MatrixSensing"),
    ({"problem": {"kind": "whitened_regression", "n_samples": 3}}, "problem", "n_samples ≥ input_dim"),
    ({"problem": {"kind": "matrix_completion", "shape": [2, 2], "entries": [[0, 2, 1.0]]},
      "init": {"kind": "scaled_identity", "scale": 1.0}}, "problem.entries[0]", "outside the 2×2 matrix"),
    ({"problem": {"kind": "matrix_completion", "shape": [2, 2], "entries": [[0, 1, 1.0], [0, 1, 2.0]]},
      "init": {"kind": "scaled_identity", "scale": 1.0}}, "problem.entries[1]", "observed twice"),
    ({"problem": SMALL_SPEC["problem"], "model": {"kind": "symmetric_factorization"},
      "init": {"kind": "balanced"}}, "init.kind", "not defined for model SymmetricFactorization"),
    ({"problem": SMALL_SPEC["problem"], "model": {"kind": "symmetric_factorization"},
      "init": {"kind": "scaled_identity", "scale": 0.1},
      "observe": {"quantities": ["unobserved_times_residual"]}}, "observe.quantities[0]", "not defined"),
])
def test_bad_specs_are_one_line_errors(sections, field, words):
    with pytest.raises(SpecError) as info:
        run(_spec(**sections))
    assert info.value.field == field and words in info.value.problem, str(info.value)
