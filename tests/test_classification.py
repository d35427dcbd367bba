"""Classification problems, max-margin theory, log-time gradient flow and the modified loss."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import implicit_bias as ib
from implicit_bias import initializations as inits
from implicit_bias.dynamics import DiscreteDynamics, GradientFlow, Objective
from implicit_bias.models import Linear, TwoLayerLinear
from implicit_bias.problems import make_classification, separable_classification
from implicit_bias.problems.modified_loss import ModifiedLoss
from implicit_bias.theory import max_margin as mm

PROBLEMS = {loss: separable_classification(12, 2, margin=0.2, loss=loss, seed=0) for loss in ("logistic", "exponential")}


@pytest.mark.parametrize("loss", ["logistic", "exponential"])
def test_log_loss_is_log_of_loss_and_stays_finite_far_below_float64(loss):
    problem, model = PROBLEMS[loss], Linear(2, 1)
    w = {"w": jnp.array([[0.3], [-1.2]])}
    np.testing.assert_allclose(float(problem.log_loss(model, w)), float(jnp.log(problem.loss(model, w))), rtol=1e-13)
    svm = mm.hard_margin_svm(np.asarray(problem.folded()))
    far = {"w": jnp.asarray(2000.0 * svm.w)[:, None]}  # margins ≥ 2000: L = e^(−2000) underflows
    assert float(problem.loss(model, far)) == 0.0
    log_loss, grad = jax.value_and_grad(problem.log_loss, argnums=1)(model, far)
    # log L ≈ −min margin + log(Σ over the samples at the min margin), finite and with a finite gradient
    assert -2000 - 1 < float(log_loss) < -2000 + np.log(12)
    assert np.all(np.isfinite(np.asarray(grad["w"])))


def test_svm_satisfies_kkt_and_matches_l1_lp_scale():
    Z = np.asarray(PROBLEMS["logistic"].folded())
    svm = mm.hard_margin_svm(Z)
    margins = Z @ svm.w
    assert margins.min() >= 1 - 1e-12                              # primal feasible
    assert np.all(svm.dual >= 0)                                   # dual feasible
    np.testing.assert_allclose(Z.T @ svm.dual, svm.w, atol=1e-13)   # stationarity
    np.testing.assert_allclose(margins[svm.support], 1, atol=1e-13)  # complementary slackness
    assert np.all(svm.dual[~svm.support] == 0)
    np.testing.assert_allclose(svm.dual.sum(), svm.w @ svm.w, rtol=1e-12)
    w1 = mm.l1_max_margin(Z)
    assert (Z @ w1).min() >= 1 - 1e-9 and np.abs(w1).sum() <= np.abs(svm.w).sum() + 1e-9
    w_tilde = mm.finite_time_correction(Z, svm)
    np.testing.assert_allclose(np.exp(-Z[svm.support] @ w_tilde), svm.dual[svm.support], rtol=1e-12)


def test_off_support_projector_removes_the_support_vectors_span():
    Z = np.asarray(separable_classification(12, 5, margin=0.2, loss="exponential", seed=0).folded())
    svm = mm.hard_margin_svm(Z)
    P = mm.off_support_projector(Z)
    np.testing.assert_allclose(P @ P, P, atol=1e-14)
    np.testing.assert_allclose(Z[svm.support] @ P, 0, atol=1e-14)
    assert round(np.trace(P)) == 5 - np.linalg.matrix_rank(Z[svm.support])  # 3 SVs in 5-D: rank 2


def test_non_separable_data_is_refused_with_the_lp_margin(tmp_path):
    Z = np.asarray(PROBLEMS["logistic"].folded())
    X = np.vstack([Z, -Z[:1]])  # a point and its mirror image with the same label: not separable
    with pytest.raises(ib.SpecError, match=r"not linearly separable.*margin .* is -?0"):
        mm.hard_margin_svm(X)
    np.savez(tmp_path / "d.npz", X=X, y=np.ones(len(X)))
    spec = {"problem": {"kind": "classification", "data": {"file": "d.npz"}}, "model": {"kind": "linear"},
            "init": {"kind": "gaussian"}, "dynamics": {"kind": "gradient_descent", "lr": 0.1, "t_max": 1.0},
            "observe": {"quantities": ["loss", "angle_to_max_margin"]}}
    with pytest.raises(ib.SpecError) as err:
        ib.run(spec, base_dir=tmp_path)
    assert err.value.field == "problem.data" and "not linearly separable" in err.value.problem


@pytest.mark.parametrize("bad, match", [(np.array([1.0, 0.0, -1.0]), "labels must be"),
                                        (np.array([1.0, -1.0]), "does not match")])
def test_bad_labels(bad, match):
    with pytest.raises(ib.SpecError, match=match):
        make_classification(np.ones((3, 2)), bad, "logistic")


def test_regression_inits_are_refused_for_classification():
    spec = {"problem": {"kind": "classification"}, "model": {"kind": "two_layer_linear", "width": 3},
            "init": {"kind": "invariant_set"}, "dynamics": {"kind": "gradient_flow", "t_max": 1.0}}
    with pytest.raises(ib.SpecError, match="not defined for problem Classification"):
        ib.run(spec)


def test_log_clock_follows_the_same_flow():
    problem, model = PROBLEMS["logistic"], TwoLayerLinear(2, 1, 3)
    objective = Objective(model, problem)
    params0 = inits.Gaussian(jnp.asarray(0.5), jnp.asarray(0.0))(jax.random.key(0), model, problem)
    times = jnp.array([0.0, 1.0, 20.0])
    observe = lambda p, t: {"loss": objective.loss(p)}  # noqa: E731
    finals = []
    for clock in ("linear", "log"):
        gf = GradientFlow(*(jnp.asarray(x) for x in (20.0, 0.0, 1e-12, 1e-14)), clock=clock)
        traj = gf.solve(objective, params0, jax.random.key(0), times, observe)
        assert abs(float(traj.t_final) - 20.0) < 1e-9
        finals.append(model.end_to_end(traj.final_params))
    np.testing.assert_allclose(np.asarray(finals[1]), np.asarray(finals[0]), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("loss", ["logistic", "exponential"])
def test_gd_on_log_loss_steps_by_lr_over_loss_and_goes_below_float64(loss):
    problem, model = PROBLEMS[loss], Linear(2, 1)
    objective = Objective(model, problem)
    w0 = {"w": jnp.zeros((2, 1))}
    observe = lambda p, t: {"log_loss": objective.log_loss(p)}  # noqa: E731
    run = lambda gd, t: gd.solve(objective, w0, jax.random.key(0), jnp.array([0.0, t]), observe)  # noqa: E731
    lr = jnp.asarray(0.5)
    # one step: θ − (η/L)∇L
    one = run(DiscreteDynamics(lr, lr, jnp.asarray(0.0), objective="log_loss"), 0.5)
    expected = w0["w"] - lr / problem.loss(model, w0) * jax.grad(problem.loss, argnums=1)(model, w0)["w"]
    np.testing.assert_allclose(np.asarray(one.final_params["w"]), np.asarray(expected), rtol=1e-13)
    # −log L grows like γ*²·s (γ*² ≈ 0.13 here): by s = 6000, far past float64's smallest loss, and
    # the loss underflowing to 0 is not taken for a divergence
    far = run(DiscreteDynamics(jnp.asarray(2.0), jnp.asarray(6000.0), jnp.asarray(0.0), objective="log_loss"), 6000.0)
    assert int(far.status) == 1 and int(far.n_steps) == 3000  # ran to t_max: max_time
    assert float(far.observed["log_loss"][-1]) < np.log(1e-300)


def test_unknown_gd_objective_is_refused():
    with pytest.raises(ValueError, match="objective must be one of"):
        DiscreteDynamics(jnp.asarray(0.1), jnp.asarray(1.0), jnp.asarray(0.0), objective="loss2")


def test_modified_loss_gradient_is_gradient_plus_half_h_hessian_gradient():
    problem, model, h = PROBLEMS["logistic"], TwoLayerLinear(2, 1, 3), 0.1
    params = inits.Gaussian(jnp.asarray(0.5), jnp.asarray(0.0))(jax.random.key(1), model, problem)
    loss = lambda p: problem.loss(model, p)  # noqa: E731
    g = jax.grad(loss)(params)
    hvp = jax.jvp(jax.grad(loss), (params,), (g,))[1]
    expected = jax.tree.map(lambda a, b: a + 0.5 * h * b, g, hvp)
    got = jax.grad(lambda p: ModifiedLoss(problem, jnp.asarray(h)).loss(model, p))(params)
    for a, b in zip(jax.tree.leaves(got), jax.tree.leaves(expected)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-12, atol=1e-14)


def test_data_file_and_spec_dimensions(tmp_path):
    problem = PROBLEMS["exponential"]
    np.savetxt(tmp_path / "d.csv", np.column_stack([problem.X, problem.y]), delimiter=",", header="x1,x2,y")
    spec = {"problem": {"kind": "classification", "data": {"file": "d.csv"}, "input_dim": 3},
            "model": {"kind": "linear"}, "init": {"kind": "gaussian"},
            "dynamics": {"kind": "gradient_flow", "t_max": 1.0}}
    with pytest.raises(ib.SpecError, match="input_dim"):
        ib.run(spec, base_dir=tmp_path)
    spec["problem"].pop("input_dim")
    loaded = ib.validate_spec(spec).problem.build(tmp_path)
    np.testing.assert_array_equal(np.asarray(loaded.y), np.asarray(problem.y))


def test_linf_max_margin_solves_its_lp():
    Z = np.asarray(PROBLEMS["exponential"].folded())
    w = mm.linf_max_margin(Z)
    gamma = mm.normalized_margin(Z, w, np.inf)
    assert np.abs(w).max() <= 1 + 1e-12 and gamma == pytest.approx(mm.separability_margin(Z), rel=1e-9)
    # No direction does better (the LP's optimum), and the three norms' maximizers differ.
    candidates = np.random.default_rng(0).standard_normal((2000, Z.shape[1]))
    assert max(mm.normalized_margin(Z, u, np.inf) for u in candidates) <= gamma + 1e-9
    for p, solve in mm.MAX_MARGIN_BY_NORM.items():
        best = mm.normalized_margin(Z, solve(Z), p)
        assert all(mm.normalized_margin(Z, u, p) <= best + 1e-9 for u in candidates)


def _steepest_direction(g, p):
    """argmax_{‖d‖_p ≤ 1} ⟨g, d⟩ for p = 1, 2, ∞."""
    if p == np.inf:
        return np.sign(g)
    if p == 2:
        return g / np.linalg.norm(g)
    d = np.zeros_like(g)
    i = np.argmax(np.abs(g))
    d[i] = np.sign(g[i])
    return d


@pytest.mark.parametrize("p", [1, 2, np.inf])
def test_steepest_descent_margin_gap_stays_within_its_bound(p):
    """Normalized steepest descent in ℓp on the exponential loss, η_k = η₀/√(1 + k): the ℓp margin
    gap is below the derived bound after every number of steps checked, and the bound falls."""
    from scipy.special import softmax

    Z = np.asarray(PROBLEMS["exponential"].folded())
    best = mm.normalized_margin(Z, mm.MAX_MARGIN_BY_NORM[p](Z), p)
    w0 = w = np.array([0.3, -0.2])
    etas = 0.5 / np.sqrt(1 + np.arange(4000))
    bounds = []
    for k, eta in enumerate(etas, start=1):
        w = w + eta * _steepest_direction(Z.T @ softmax(-Z @ w), p)  # −∇ log L = Zᵀ softmax(−Zw)
        if k in (100, 1000, 4000):
            bounds.append(mm.steepest_descent_margin_gap_bound(Z, w0, etas[:k].sum(), (etas[:k] ** 2).sum(), p))
            assert 0 <= best - mm.normalized_margin(Z, w, p) <= bounds[-1]
    assert bounds[0] > bounds[1] > bounds[2]
