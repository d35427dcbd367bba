"""The margin program b*(μ) = argmin{Q_μ(b) : Zb ≥ 1} of diagonal networks on separable data, and
the init-scale vs accuracy sweep behind the claims (Moroshko et al. 2020)."""

import json

import cvxpy as cp
import numpy as np
import pytest

from implicit_bias.claims import diagonal_margin as dm
from implicit_bias.claims._claim import _run_once
from implicit_bias.errors import SpecError
from implicit_bias.theory import diagonal as th
from implicit_bias.theory import max_margin as mm


@pytest.fixture(scope="module")
def Z():
    return dm.folded()


def unit(v):
    return v / np.linalg.norm(v)


def test_large_mu_is_the_svm_with_a_mu_squared_correction(Z):
    # Q_μ(b) = ‖b‖²/4μ − Σb⁴/192μ³ + …: the quartic term moves the minimizer by O(μ⁻²) relative.
    svm = mm.hard_margin_svm(Z)
    mus = np.array([1e2, 1e3, 1e4])
    distance = [np.linalg.norm(th.q_margin(Z, mu).b - svm.w) / np.linalg.norm(svm.w) for mu in mus]
    slope = np.polyfit(np.log(mus), np.log(distance), 1)[0]
    assert abs(slope + 2) < 0.01
    assert distance[-1] < 1e-9


def test_small_mu_tends_to_the_l1_max_margin_within_the_log_bound(Z):
    # log|z| ≤ arcsinh(z/2) ≤ log(1 + |z|) integrate to H(b) + log(1/μ)‖b‖₁ ≤ Q_μ(b) ≤ Σ μ[(1+|b|/μ)log(1+|b|/μ) − |b|/μ]
    # with H(b) = Σ|b|(log|b| − 1); Q_μ(b*) ≤ Q_μ(b₁) then bounds ‖b*‖₁ for every μ, and the bound → ‖b₁‖₁.
    l1 = mm.l1_max_margin(Z)
    excess_bounds = []
    for mu in (1e-3, 1e-6, 1e-9):
        b = th.q_margin(Z, mu).b
        a1, a = np.abs(l1) / mu, np.abs(b)
        upper = mu * np.sum((1 + a1) * np.log1p(a1) - a1)
        entropy = np.sum(np.where(a > 0, a * np.log(np.where(a > 0, a, 1)) - a, 0))
        bound = (upper - entropy) / np.log(1 / mu)
        assert np.abs(l1).sum() - 1e-12 <= np.abs(b).sum() <= bound + 1e-12
        excess_bounds.append(bound / np.abs(l1).sum() - 1)
    assert excess_bounds[-1] < 0.03 and np.all(np.diff(excess_bounds) < 0)


@pytest.mark.parametrize("mu", [10.0, 0.3, 1e-3])
def test_kkt_and_an_independent_conic_solve(Z, mu):
    sol = th.q_margin(Z, mu)
    assert sol.kkt_residual < 1e-12 and np.all(sol.dual >= 0)
    assert np.min(Z @ sol.b) > 1 - 1e-12
    # The dual, max Σλ − 2μΣ(cosh(Zᵀλ) − 1) over λ ≥ 0, by Clarabel (exponential cones).
    lam = cp.Variable(Z.shape[0], nonneg=True)
    z = Z.T @ lam
    problem = cp.Problem(cp.Maximize(cp.sum(lam) - mu * cp.sum(cp.exp(z) + cp.exp(-z) - 2)))
    problem.solve(solver=cp.CLARABEL, tol_gap_abs=1e-10, tol_gap_rel=1e-10, tol_feas=1e-10)
    assert problem.status == "optimal"

    def dual(l):
        return l.sum() - 2 * mu * np.sum(np.cosh(Z.T @ l) - 1)

    # Ours satisfies KKT to 1e-12, so its dual value is at least Clarabel's; the two agree to the
    # interior point's accuracy (gap 1e-10 on its scaled problem: 1e-7 relative, measured ≤ 2e-8).
    ours, theirs = dual(sol.dual), dual(lam.value)
    assert theirs - 1e-12 * abs(ours) <= ours <= theirs + 1e-7 * abs(ours)
    # λ, hence b, is off by √(value error / curvature) near a smooth optimum: ~1e-4 (measured ≤ 8e-5).
    b = 2 * mu * np.sinh(Z.T @ lam.value)
    assert np.linalg.norm(b - sol.b) / np.linalg.norm(sol.b) < 1e-3

def test_not_separable_is_refused():
    Z = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]])
    with pytest.raises(SpecError, match="not linearly separable"):
        th.q_margin(Z, 1.0)


def test_the_claim_data_path_breaks_below_the_claimed_mus(Z):
    # Multipliers only grow as μ falls to 0.1: the fixed-μ lines (μ = 1, 1/4) are above it.
    assert th.margin_path_break(Z, np.logspace(3, -3, 121)) == pytest.approx(0.1)
    assert th.margin_path_break(Z, np.logspace(3, -0.5, 36)) == 0.0


@pytest.fixture(scope="module")
def sweep():
    return _run_once(dm.SPEC)


def test_loss_clock_stops_each_run_at_its_accuracy(sweep, Z):
    # L = N e^(−τ) exactly in the loss clock; the min margin is then γ = τ − log N + O(1).
    final = sweep["final_log_loss"].values
    tau = sweep["dynamics.t_max"].values
    assert np.allclose(final, np.log(dm.DATA["n_samples"]) - tau[None, :], atol=1e-6)
    point = dm.run_point(sweep, dm.ALPHA_SQ[0], dm.GAMMAS[-1], Z)
    assert point["reached"] and abs(point["gamma"] - dm.GAMMAS[-1]) < 2


def test_beta_is_twice_alpha_sq_sinh_of_a_nonnegative_combination(sweep, Z):
    # β = 2α² sinh(Zᵀc), c ≥ 0 (the derivation): arcsinh(β/2α²) is in range(Zᵀ) with nonnegative coefficients.
    for alpha_sq in (dm.ALPHA_SQ[1], dm.ALPHA_SQ[-1]):
        beta = sweep.sel({"init.scale": float(np.sqrt(alpha_sq)), "dynamics.t_max": sweep["dynamics.t_max"].values[-1]})
        z = np.arcsinh(beta["predictor"].values[:, 0] / (2 * alpha_sq))
        c, *_ = np.linalg.lstsq(Z.T, z, rcond=None)
        assert np.linalg.norm(Z.T @ c - z) < 1e-6 * np.linalg.norm(z)
        assert np.all(c > -1e-6 * np.abs(c).max())


def test_flow_limit_is_b_star_above_the_break_and_grid_converged_below(Z):
    # Above the break the bounds λ ≥ λ_prev never bind: b∞ = b* exactly. Below, b∞ leaves b*; the
    # implicit-Euler grid error (100 vs 200 points per decade) is what the claims' tolerances assume.
    checks = {0.25: 0.0, 1 / 16: 0.033, 1 / 64: 0.238}
    paths = {}
    for per_decade in (100, 200):
        grid = np.logspace(3, np.log10(1 / 64), int(per_decade * np.log10(64e3)) + 1)
        grid = np.unique(np.concatenate([grid, list(checks)]))[::-1]
        path = th.margin_flow_path(Z, grid)
        paths[per_decade] = {mu: path[int(np.flatnonzero(grid == mu)[0])] for mu in checks}
    for mu, gap in checks.items():
        fine, coarse, star = paths[200][mu], paths[100][mu], th.q_margin(Z, mu)
        assert fine.kkt_residual < 1e-12 and np.all(fine.dual >= 0)
        assert np.linalg.norm(fine.b - coarse.b) < 3e-5
        assert np.linalg.norm(fine.b - star.b) == pytest.approx(gap, abs=1e-3)


def test_reproduce_quick_writes_the_figure_and_the_tradeoff(tmp_path):
    from implicit_bias.reproduce import PAPERS
    result = PAPERS["moroshko2020"](tmp_path, True)
    assert (tmp_path / "figures" / "margins_vs_accuracy.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    key = result["key_numbers"]
    assert key["all_reached"] and key["final_l1_margin_increasing_as_alpha_falls"]
    assert key["path_break_mu"] == pytest.approx(0.1)
    rows = json.loads((tmp_path / "table.json").read_text())["rows"]
    # Largest α (μ ≈ 1 at L = e^-256): β/γ is b∞ = b* up to K/γ ≈ 4.8/257 in norm (claim diagonal_margin_mu_limit).
    assert abs(rows[0]["l1"] - rows[0]["flow_l1"]) < 1e-3
