r"""Claims for momentum on least squares: heavy-ball and Nesterov steps end where plain GD does
(the implicit-bias literature's baseline for the algorithm's part of the bias; Gunasekar et al.
2018, Sec. 2, for GD; for momentum, derived here).

Each step adds a combination of the gradients so far, :math:`X^\top r_j`, so
:math:`\theta_k - \theta_0` stays in the row space of X; an interpolant with that property is the
projection of θ₀ onto the interpolants, :math:`\theta^* = \theta_0 + X^+(y - X\theta_0)`. So GD,
heavy-ball and Nesterov all end at θ*, whatever the step and the momentum, if they converge;
Adam, whose per-coordinate scaling leaves the row space, does not (shown in the detail).
"""

import numpy as np

from ..experiment import problem_data
from ._claim import Claim, register

GUNASEKAR = "Gunasekar et al. 2018"
PROBLEM = {"kind": "regression", "n_samples": 10, "input_dim": 30, "output_dim": 1, "input_std": 30 ** -0.5}
STOP_LOSS = 1e-22
#: Optimizers on one spec each; every step converges here (2/λ_max(XᵀX) ≈ 0.8).
OPTIMIZERS = {
    "gd": {"kind": "sgd"},
    "heavy_ball": {"kind": "momentum", "momentum": 0.9},
    "nesterov": {"kind": "momentum", "momentum": 0.9, "nesterov": True},
    "adam": {"kind": "adam"},
}
LRS = [0.02, 0.05]


def _spec(optimizer: dict) -> dict:
    # The stop test runs at record times: 40, log-spaced, end each run just past the threshold.
    return {"name": "claim", "problem": PROBLEM, "model": {"kind": "linear"}, "init": {"kind": "gaussian", "scale": 0.5},
            "dynamics": {"kind": "gradient_descent", "lr": LRS[0], "t_max": 1e5, "stop_loss": STOP_LOSS,
                         "optimizer": optimizer},
            "observe": {"quantities": ["loss"], "n_times": 40, "t_min": 1.0}, "sweep": {"dynamics.lr": LRS}}


RUNS = {name: _spec(optimizer) for name, optimizer in OPTIMIZERS.items()}


def _measure(results):
    data = problem_data(RUNS["gd"])
    X, y = data["X"], data["Y"][:, 0]
    theta0 = results["gd"]["initial_predictor"].isel({"dynamics.lr": 0}).values.reshape(-1)  # w(0) itself
    projection = theta0 + np.linalg.pinv(X) @ (y - X @ theta0)
    sigma_min = np.linalg.svd(X, compute_uv=False)[-1]
    rows, ratio = {}, 0.0
    for name in OPTIMIZERS:
        for lr in LRS:
            r = results[name].sel({"dynamics.lr": lr})
            theta = r["predictor"].values.reshape(-1)
            # Off the row space by rounding only (≤ 4ε(1 + ‖θ‖) a step); along it, a run stopped at residual
            # ρ is ‖X⁺ρ‖ ≤ ‖ρ‖/σ_min from θ*, doubled.
            steps = int(r["n_steps"])
            tolerance = 2 * np.linalg.norm(y - X @ theta) / sigma_min + steps * 4 * np.finfo(float).eps * (1 + np.linalg.norm(theta))
            distance = float(np.linalg.norm(theta - projection))
            rows[f"{name} lr={lr:g}"] = {"distance": distance, "tolerance": float(tolerance), "steps": steps,
                                         "status": int(r["status"])}
            if name != "adam":
                ratio = max(ratio, distance / tolerance if int(r["status"]) == 0 else float("nan"))
    return ratio, 0.0, 1.0, rows


register(Claim(
    name="momentum_ends_at_gd_limit",
    paper=GUNASEKAR, theorem="GD on underdetermined least squares ends at the projection of θ₀ onto the interpolants; "
                             "so do heavy-ball and Nesterov momentum (their steps stay in the row space; derived here)",
    statement="GD, heavy-ball and Nesterov (β = 0.9) at two steps each end at θ₀ + X⁺(y − Xθ₀); Adam does not",
    runs=RUNS, measure=_measure, comparison="at_most",
    reason="measured is max over GD, heavy-ball and Nesterov runs of ‖θ_run − θ*‖ / tol, tol = 2‖r‖/σ_min(X) (how far "
           "θ* lies from a run stopped at residual r) + steps × 4ε(1 + ‖θ‖) (rounding); Adam's rows show it ending "
           "O(1) away, so the check separates the algorithms",
))
