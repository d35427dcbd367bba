"""Diagonal linear networks: theory against independent checks, the product identity, the loss
clock, spec errors and the two reproductions (their claims run in test_claims.py)."""

import json
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from implicit_bias import SpecError, validate_spec
from implicit_bias.dynamics import GradientFlow, Objective
from implicit_bias.initializations import DiagonalScale
from implicit_bias.models import DiagonalLinear
from implicit_bias.problems import gaussian_regression
from implicit_bias.reproduce import PAPERS
from implicit_bias.theory import diagonal as th

# Module-scoped fixtures below are built once per xdist worker: keep this module on one.
pytestmark = pytest.mark.xdist_group("test_diagonal")

RNG = np.random.default_rng(0)
X = RNG.normal(size=(8, 15)) / np.sqrt(8)
BETA_STAR = np.zeros(15)
BETA_STAR[:2] = [1.0, -0.7]
Y = X @ BETA_STAR
NULL = np.linalg.svd(X)[2][8:].T  # orthonormal basis of null(X)


def test_min_l1_recovers_sparse_teacher_and_beats_min_l2():
    l1, l2 = th.min_l1_interpolant(X, Y), th.min_l2_interpolant(X, Y)
    np.testing.assert_allclose(X @ l2, Y, atol=1e-12)
    np.testing.assert_allclose(l1, BETA_STAR, atol=1e-10)
    assert np.abs(l1).sum() < np.abs(l2).sum()


@pytest.mark.parametrize("alpha", [3.0, 0.3, 0.03, 0.003])
@pytest.mark.parametrize("potential", ["Q", "psi"])
def test_mirror_interpolant_minimizes_its_potential(alpha, potential):
    """Independent of the link formula: the solution interpolates and every feasible
    perturbation (β + Nδ, N spanning null X) raises Q_α (resp. ψ_α)."""
    solve, value = (th.argmin_Q, th.Q) if potential == "Q" else (th.argmin_psi, th.psi)
    beta = solve(X, Y, alpha)
    np.testing.assert_allclose(X @ beta, Y, atol=1e-12)
    f0 = value(beta, alpha)
    for _ in range(20):
        direction = NULL @ RNG.normal(size=NULL.shape[1])
        for eps in (1e-2, 1e-4):
            assert value(beta + eps * direction / np.linalg.norm(direction), alpha) > f0


def test_scale_limits_kernel_and_rich():
    l1, l2 = th.min_l1_interpolant(X, Y), th.min_l2_interpolant(X, Y)
    # Large α: β = 2α² sinh(Xᵀν) = 2α²(Xᵀν + (Xᵀν)³/6 + …) with Xᵀν = O(1/α²), so argmin Q_α is
    # min-ℓ2 up to a relative O(1/α⁴): 10× the scale, 10⁴× closer.
    errors = [np.linalg.norm(th.argmin_Q(X, Y, a) - l2) for a in (10.0, 100.0)]
    assert errors[0] < 1e-5 * np.linalg.norm(l2) and 0.5e4 < errors[0] / errors[1] < 2e4
    # Small α: towards min-ℓ1, for every depth.
    for depth in (2, 3):
        distances = [np.linalg.norm(th.argmin_Q(X, Y, a, depth) - l1) for a in (1.0, 0.1, 0.01)]
        assert distances[0] > distances[1] > distances[2]


def test_depth_d_link_is_the_coordinate_flow():
    """β = α^D h_D(z) is what one coordinate pair (u, v) of the depth-D flow reaches when the
    β-gradient has integral s: u^{2−D} = α^{2−D} + D(D−2)s, z = −D(D−2)α^{D−2}s."""
    for depth in (3, 4):
        alpha, s = 0.7, 0.05
        u = (alpha ** (2 - depth) + depth * (depth - 2) * s) ** (1 / (2 - depth))
        v = (alpha ** (2 - depth) - depth * (depth - 2) * s) ** (1 / (2 - depth))
        z = -depth * (depth - 2) * alpha ** (depth - 2) * s
        np.testing.assert_allclose(th.link(alpha, depth).phi(z), u**depth - v**depth, rtol=1e-13)


def test_product_identity_one_gd_step():
    """A GD step on u⊙v multiplies u² − v² by 1 − γ²g² exactly (g = ∇_β L), coordinatewise."""
    problem = gaussian_regression(5, 7, 1, seed=1)
    model = DiagonalLinear(7, 2, "product")
    objective = Objective(model, problem)
    params = {"u": jax.random.normal(jax.random.key(0), (7,)), "v": jax.random.normal(jax.random.key(1), (7,))}
    lr = 0.05
    g = problem.X.T @ (problem.X @ model.beta(params) - problem.Y[:, 0])
    grads = jax.grad(objective.loss)(params)
    stepped = jax.tree.map(lambda p, d: p - lr * d, params, grads)
    before, after = model.conserved(params)["imbalance"], model.conserved(stepped)["imbalance"]
    np.testing.assert_allclose(after, before * (1 - lr**2 * g**2), rtol=1e-12, atol=1e-15)


@pytest.fixture(scope="module")
def small_flow():
    problem = gaussian_regression(6, 15, 1, seed=2, input_std=6 ** -0.5, teacher_nonzeros=2)
    model = DiagonalLinear(15)
    return problem, model, Objective(model, problem)


STOP = 1e-16


def _flow(small_flow, clock, t_max, alpha=0.05):
    problem, model, objective = small_flow
    params0 = DiagonalScale(jnp.asarray(alpha))(jax.random.key(0), model, problem)
    gf = GradientFlow(*(jnp.asarray(x) for x in (t_max, STOP, 1e-11, 1e-13)), clock=clock)
    times = jnp.linspace(0.0, 20.0, 5)
    return gf.solve(objective, params0, jax.random.key(0), times, lambda p, t: {"loss": objective.loss(p)})


def test_loss_clock_follows_exp_minus_tau_and_keeps_the_limit(small_flow):
    problem, model, _ = small_flow
    clocked = _flow(small_flow, "loss", 60.0)
    loss = np.asarray(clocked.observed["loss"])
    np.testing.assert_allclose(loss, loss[0] * np.exp(-np.linspace(0.0, 20.0, 5)), rtol=1e-6)
    # τ at the stop is log(L(0)/stop_loss), known before the run, up to the last few units of τ,
    # where L nears the integrator's floor (~(steps·rtol)² L(0)) and the clock runs a little fast.
    np.testing.assert_allclose(float(clocked.t_final), np.log(loss[0] / STOP), rtol=0.05)
    X, y = np.asarray(problem.X), np.asarray(problem.Y)[:, 0]
    # The same limit as GF in its own time (claim diagonal_gf_limit_is_argmin_q): argmin Q_α.
    assert np.linalg.norm(np.asarray(model.beta(clocked.final_params)) - th.argmin_Q(X, y, 0.05)) < 1e-7


def test_effective_scale_reads_the_shrinkage():
    imbalance0 = np.array([2.0, 2.0, 0.5])
    np.testing.assert_allclose(th.effective_scale(0.3, imbalance0, imbalance0), 0.3)  # GF: conserved
    np.testing.assert_allclose(th.effective_scale(0.3, imbalance0, 0.81 * imbalance0), 0.27)


def _spec(**model):
    return {"problem": {"kind": "regression", "n_samples": 4, "input_dim": 8, "output_dim": 1},
            "model": {"kind": "diagonal_linear", **model}, "init": {"kind": "diagonal_scale", "scale": 0.1},
            "dynamics": {"kind": "gradient_flow", "t_max": 1.0}}


@pytest.mark.parametrize("change, field", [
    (lambda s: s["model"].update(parametrization="product", depth=3), "model.depth"),
    (lambda s: s["problem"].update(output_dim=2), "problem.output_dim"),
    (lambda s: s.update(model={"kind": "two_layer_linear", "width": 4}), "init.kind"),
    (lambda s: s.update(init={"kind": "balanced"}), "init.kind"),
    (lambda s: s.update(init={"kind": "imbalance", "level": 0.5}), "init.kind"),
])
def test_spec_errors_name_the_field(change, field):
    from implicit_bias.experiment import build
    from implicit_bias.spec import expand
    spec = _spec()
    change(spec)
    with pytest.raises(SpecError) as err:
        build(expand(validate_spec(spec))[0], Path("."))
    assert err.value.field == field


def test_depth_below_two_is_rejected():
    with pytest.raises(SpecError) as err:
        validate_spec(_spec(depth=1))
    assert err.value.field == "model.depth"


@pytest.mark.parametrize("paper, figure", [("woodworth2020", "kernel_to_rich.png"), ("pesme2021", "step_size.png")])
def test_reproduce_quick_writes_figures_and_numbers(paper, figure, tmp_path):
    result = PAPERS[paper](tmp_path, True)
    assert (tmp_path / "figures" / figure).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    key = json.loads((tmp_path / "table.json").read_text())["key_numbers"]
    if paper == "woodworth2020":
        assert key["all_converged"] and key["max_distance_to_theory"] < 1e-5
        assert all(key["to_l1_decreasing_in_alpha"].values()) and all(key["to_l2_increasing_in_alpha"].values())
    else:
        assert key["sgd_max_distance_to_argmin_psi_alpha_inf"] < 1e-10 and key["sgd_max_alpha_inf_spread"] < 1e-10
        assert key["gd_min_distance_to_argmin_psi_alpha_inf"] > 1e-8  # GD's scales differ per coordinate
        assert key["sgd_l1_excess_decreasing"]
    assert result["figures"] == [str(tmp_path / "figures" / figure)]


def test_example_spec_validates():
    from implicit_bias import load_spec
    spec, _ = load_spec(Path(__file__).parent.parent / "examples" / "diagonal-kernel-rich.toml")
    assert spec.model.kind == "diagonal_linear" and spec.dynamics.clock == "loss"


def test_distances_to_the_kernel_rich_references():
    """distance_to_argmin_q reaches 0 at GF's end from u = v = α and from an unbalanced u₀ ≠ v₀
    (the hyperbolic-entropy projection of β(0) with scale 2u₀v₀, derived from uv being conserved);
    distance_to_min_l1 at t = 0 is ‖β_ℓ1‖ (β(0) = 0). Stopped at loss 1e-22: the limit is then within
    ~1e-10 (2‖DXᵀ(XDXᵀ)⁻¹r‖ with ‖r‖ ≈ 1.4e-11), checked to 1e-8."""
    import jax
    import jax.numpy as jnp

    from implicit_bias.dynamics import GradientFlow, Objective
    from implicit_bias.models import DiagonalLinear
    from implicit_bias.observables import make_observer
    from implicit_bias.problems import Regression
    from implicit_bias.theory import diagonal as th

    rng = np.random.default_rng(2)
    X = rng.standard_normal((5, 12))
    problem = Regression(X=jnp.asarray(X), Y=jnp.asarray(X @ rng.standard_normal((12, 1))), rank=5)
    objective = Objective(DiagonalLinear(12), problem)
    gf = GradientFlow(*(jnp.asarray(x) for x in (1e6, 1e-22, 1e-12, 1e-14)))
    names = ("distance_to_argmin_q", "distance_to_min_l1")
    balanced = {"u": jnp.full(12, 0.1), "v": jnp.full(12, 0.1)}
    unbalanced = {"u": jnp.asarray(rng.uniform(0.05, 0.5, 12)), "v": jnp.asarray(rng.uniform(0.05, 0.5, 12))}
    for params0 in (balanced, unbalanced):
        observe = make_observer(names, objective, params0)
        run = gf.solve(objective, params0, jax.random.key(0), jnp.array([0.0, 1e6]), observe)
        assert int(run.status) == 0
        assert float(observe(run.final_params, run.t_final)["distance_to_argmin_q"]) < 1e-8
    start = make_observer(names, objective, balanced)(balanced, jnp.zeros(()))
    np.testing.assert_allclose(start["distance_to_min_l1"], np.linalg.norm(th.min_l1_interpolant(X, np.asarray(problem.Y)[:, 0])), rtol=1e-12)
