"""Claims for matrix sensing with Θ = UUᵀ: small full-rank inits approach the
minimum-nuclear-norm solution (Gunasekar et al. 2017; Li, Ma, Zhang 2018); a rank-r
factor recovers the target from a large init.

Sizes (d = 10, r = 2, M = 30 Gaussian measurements) put the problem in the recovery
regime: the min-nuclear-norm interpolant is the target itself (checked by the SDP), as Li,
Ma, Zhang's RIP assumption needs. ``reproduce gunasekar2017`` also runs M = 20, below it.
"""

from pathlib import Path

import numpy as np

from ..analysis import power_law_fit
from ..spec import validate_spec
from ..theory.matrix_sensing import min_nuclear_norm, tangent_conditioning
from ._claim import Claim, register

PAPER = "Gunasekar et al. 2017; Li, Ma, Zhang 2018"
SMALL_SCALES = [0.1, 0.01, 0.001]


def sensing_spec(width: int | None, scales: list[float], *, n_measurements: int = 30, t_max: float = 1e4) -> dict:
    """GF on Θ = UUᵀ (U: 10 × width, U(0) = αI) from 30 measurements of a rank-2 target, swept over α."""
    return {
        "name": "sensing",
        "problem": {"kind": "matrix_sensing", "dim": 10, "rank": 2, "n_measurements": n_measurements},
        "model": {"kind": "symmetric_factorization", "width": width},
        "init": {"kind": "scaled_identity", "scale": scales[0]},
        "dynamics": {"kind": "gradient_flow", "t_max": t_max, "stop_loss": 1e-22, "rtol": 1e-10, "atol": 1e-12},
        "observe": {"quantities": ["loss", "target_distance", "nuclear_norm"], "n_times": 40, "t_min": 1e-2},
        "sweep": {"init.scale": scales},
    }


def problem_of(spec: dict):
    return validate_spec(spec).problem.build(Path("."))


def relative_distances(ds, reference: np.ndarray) -> np.ndarray:
    """‖Θ(∞) − reference‖_F / ‖reference‖_F per swept scale."""
    diff = ds["predictor"].values - reference
    return np.linalg.norm(diff, axis=(-2, -1)) / np.linalg.norm(reference)


SMALL_SPEC = sensing_spec(10, SMALL_SCALES)


def _measure_small_init(results):
    nuclear = min_nuclear_norm(problem_of(SMALL_SPEC))
    distance = relative_distances(results["full_rank"], nuclear)
    slope = power_law_fit(SMALL_SCALES, distance, strict=True).slope
    decreasing = bool(np.all(np.diff(distance) < 0))
    return -slope if decreasing else np.inf, -0.5, 0.0, {
        "scales": SMALL_SCALES, "distance_to_min_nuclear": distance.tolist(), "log_log_slope": slope,
        "final_loss": results["full_rank"]["final_loss"].values.tolist(),
        "min_nuclear_distance_to_target": float(np.linalg.norm(nuclear - problem_of(SMALL_SPEC).target)
                                                / np.linalg.norm(nuclear))}


register(Claim(
    name="sensing_small_init_approaches_min_nuclear",
    paper=PAPER, theorem="Gunasekar et al. Conj. 1; Li, Ma, Zhang Thm. 1 (RIP): U(0) = αI, α → 0 ⇒ UUᵀ → argmin ‖X‖_*",
    statement="the GF limit's distance to the min-nuclear-norm interpolant falls with every decade of α = 0.1 … 0.001, "
              "at least like α^{1/2} (log–log slope ≥ 1/2)",
    runs={"full_rank": SMALL_SPEC},
    measure=_measure_small_init, comparison="at_most",
    reason="Li, Ma, Zhang bound the error by a positive power of α whose exponent depends on the RIP constant, "
           "so the claim is a trend: a distance that plateaus (as at M = 20, below the recovery regime; README) "
           "has slope ≈ 0, the measured one is ≈ 0.8; 1/2 separates the two. Distances are exact to far "
           "below their size: the SDP reference is polished to 1e-15 and the runs end at loss ≤ 1e-9, "
           "i.e. ≤ 1e-4 relative error",
))


def _measure_rank_r(results):
    problem = problem_of(SMALL_SPEC)
    target = np.asarray(problem.target)
    rank_r = results["rank_r"]
    error = relative_distances(rank_r, target)
    rho = tangent_conditioning(problem, target, rank=2)
    tolerance = float(np.max(2 * np.sqrt(2 * rank_r["final_loss"].values) / rho / np.linalg.norm(target))) + 1e-12
    return float(error.max()), 0.0, tolerance, {
        "scales": rank_r["init.scale"].values.tolist(), "rank_r_relative_error": error.tolist(),
        "tangent_conditioning": rho, "final_loss": rank_r["final_loss"].values.tolist()}


register(Claim(
    name="sensing_rank_r_init_recovers_target",
    paper="Li, Ma, Zhang 2018",
    theorem="rank U(t) ≤ r for all t; with RIP the rank-r landscape has no spurious minima",
    statement="with U of r = 2 columns, GF from a large init (U(0) = αI, α = 1 and 3) recovers X* to solver precision "
              "(the full-rank U from α = 1 ends ≈ 98 % away: reproduce gunasekar2017)",
    runs={"rank_r": sensing_spec(2, [1.0, 3.0])},
    measure=_measure_rank_r, comparison="at_most",
    reason="a rank-2 interpolant is X* (M = 30 > 19 = dr − r(r−1)/2 generic measurements), so the error is what "
           "the final loss leaves: ‖Δ‖ ≤ √(2L)/ρ to first order, ρ the operator's smallest singular value on the "
           "tangent space at X*; tolerance 2√(2L)/ρ (factor 2 for the second-order term) + 1e-12",
))
