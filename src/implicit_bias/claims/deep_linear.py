"""Claims for deep linear networks: conservation, the balanced end-to-end ODE, Saxe's mode
curves and incremental learning (Saxe et al. 2014; Arora, Cohen, Hazan 2018; Arora, Cohen,
Hu, Luo 2019), and deep matrix completion's diverging norms (Razin & Cohen 2020).

Sizes are small so each claim runs in seconds; ``reproduce saxe2014`` and ``reproduce
razin2020`` run the same specs on finer grids and longer horizons.
"""

import numpy as np

from ..theory import deep_linear as deep
from ._claim import Claim, register

RTOL = 1e-10
SINGULAR_VALUES = [3.0, 2.0, 1.0]
DEPTHS = [2, 3, 4]
SIGMA0 = 1e-3


def _gf(t_max: float, rtol: float = RTOL) -> dict:
    return {"kind": "gradient_flow", "t_max": t_max, "rtol": rtol, "atol": rtol * 1e-2}


def saxe_spec(init: dict, quantities: list[str], *, depths=DEPTHS, t_max=12.0, n_times=80, width=6) -> dict:
    """Whitened regression (n = 6, m = 4, teacher singular values 3, 2, 1) swept over depth."""
    return {
        "name": "saxe",
        "problem": {"kind": "whitened_regression", "n_samples": 6, "input_dim": 6, "output_dim": 4,
                    "singular_values": SINGULAR_VALUES},
        "model": {"kind": "deep_linear", "depth": depths[0], "width": width},
        "init": init,
        "dynamics": _gf(t_max),
        "observe": {"quantities": quantities, "n_times": n_times, "t_min": 1e-2},
        "sweep": {"model.depth": depths},
    }


MODE_QUANTITIES = ["loss", "mode_1", "mode_2", "mode_3", "balancedness_drift", "end_to_end_ode_residual", "param_norm"]
MODES_SPEC = saxe_spec({"kind": "aligned", "scale": SIGMA0}, MODE_QUANTITIES)


def measured_modes(ds, depth: int) -> np.ndarray:
    """Recorded mode strengths, times × modes."""
    run = ds.sel({"model.depth": depth})
    return np.stack([run[f"mode_{k}"].values for k in range(1, len(SINGULAR_VALUES) + 1)], axis=1)


def predicted_modes(times, depth: int) -> np.ndarray:
    return np.asarray(deep.mode_curve(times, np.array(SINGULAR_VALUES), np.full(len(SINGULAR_VALUES), SIGMA0), depth))


# --- balancedness and the end-to-end ODE ------------------------------------------------------

def _measure_balancedness(results):
    ds = results["aligned"]
    relative = float(np.nanmax(ds["balancedness_drift"] / ds["param_norm"].max("time")))
    steps = int(ds["n_steps"].max())
    return relative, 0.0, steps * RTOL, {"max_steps": steps, "max_abs_drift": float(np.nanmax(ds["balancedness_drift"]))}


register(Claim(
    name="deep_linear_balancedness_conserved",
    paper="Arora, Cohen, Hazan 2018", theorem="Thm. 1 (conservation of W_jᵀW_j − W_{j+1}W_{j+1}ᵀ)",
    statement="under gradient flow from a balanced init every layer pair stays balanced (depths 2–4)",
    runs={"aligned": MODES_SPEC},
    measure=_measure_balancedness, comparison="at_most",
    reason="relative drift max_t ‖B(t) − B(0)‖ / max_t ‖θ(t)‖² is a sum of local errors, each ≤ rtol (1e-10) "
           "relative by the step-size controller, so it is ≤ (accepted steps) × rtol. (Conservation from "
           "unbalanced inits is checked for every model by tests/test_models.py.)",
))


def _measure_ode(results):
    residual = results["aligned"]["end_to_end_ode_residual"]
    return float(residual.max()), 0.0, 1e-6, {"max_per_depth": residual.max("time").values.tolist()}


register(Claim(
    name="deep_linear_end_to_end_ode",
    paper="Arora, Cohen, Hazan 2018", theorem="Thm. 1: Θ̇ = −Σⱼ (ΘΘᵀ)^{(j−1)/N} ∇ℓ (ΘᵀΘ)^{(N−j)/N} from a balanced init",
    statement="along gradient flow from a balanced init, the end-to-end velocity equals the balanced ODE's at every "
              "recorded time (depths 2–4; tests/test_deep_linear.py checks generic balanced points too)",
    runs={"aligned": MODES_SPEC},
    measure=_measure_ode, comparison="at_most",
    reason="both velocities are evaluated exactly at the recorded parameters (the measured one as a JVP of the "
           "layer product along −∇), so only rounding and the balancedness drift separate them; both enter "
           "linearly (psd_power zeroes eigenvalues at rounding level, which λ^{1/N} would otherwise turn into "
           "ε^{1/N} ≈ 1e-4): relative 1e-6 leaves a margin of ~10⁴ over rounding while a wrong power or sign "
           "in the formula gives O(1)",
))


# --- Saxe's mode curves and incremental learning --------------------------------------------

def _measure_mode_curves(results):
    ds = results["aligned"]
    times = ds["time"].values
    s = np.array(SINGULAR_VALUES)
    errors = {N: float(np.nanmax(np.abs(measured_modes(ds, N) - predicted_modes(times, N)) / s)) for N in DEPTHS}
    steps = int(ds["n_steps"].max())
    return max(errors.values()), 0.0, steps * RTOL, {"relative_error_per_depth": errors, "max_steps": steps}


register(Claim(
    name="deep_linear_modes_follow_theory",
    paper="Saxe, McClelland, Ganguli 2014; Arora, Cohen, Hu, Luo 2019",
    theorem="aligned balanced init: σ̇ᵣ = N σᵣ^{2−2/N}(sᵣ − σᵣ); N = 2: σ(t) = s/(1 + (s/σ₀ − 1)e^{−2st})",
    statement="from an aligned init the recorded mode strengths follow the decoupled mode ODE (logistic at N = 2), depths 2–4",
    runs={"aligned": MODES_SPEC},
    measure=_measure_mode_curves, comparison="at_most",
    reason="the modes decouple exactly (whitened inputs, aligned balanced init), so the gap is integration error: "
           "≤ (accepted steps) × rtol relative to s, the theory curve being closed-form (N = 2) or solved at rtol 1e-12",
))


def sharpness(times, curves) -> np.ndarray:
    """(t₉₀ − t₁₀)/t₅₀ per mode: the duration of a mode's rise relative to when it happens."""
    t10, t50, t90 = deep.transition_times(times, curves, SINGULAR_VALUES)
    return (t90 - t10) / t50


def _measure_incremental(results):
    ds = results["aligned"]
    times = ds["time"].values
    measured = {N: sharpness(times, measured_modes(ds, N))[0] for N in DEPTHS}
    predicted = {N: sharpness(times, predicted_modes(times, N))[0] for N in DEPTHS}
    ratio = lambda r: max(r[b] / r[a] for a, b in zip(DEPTHS[:-1], DEPTHS[1:]))  # noqa: E731
    order = {N: deep.transition_times(times, measured_modes(ds, N), SINGULAR_VALUES)[1].tolist() for N in DEPTHS}
    return ratio(measured), ratio(predicted), 1e-3, {"sharpness_measured": measured, "sharpness_predicted": predicted,
                                                     "t50_per_mode": order}


register(Claim(
    name="incremental_learning_sharper_with_depth",
    paper="Saxe, McClelland, Ganguli 2014; Arora, Cohen, Hu, Luo 2019",
    theorem="mode ODE σ̇ = N σ^{2−2/N}(s − σ): from σ₀ ≪ s the rise time shrinks relative to the waiting time as N grows",
    statement="modes are learned one after another (largest s first), and each rise (t₉₀ − t₁₀)/t₅₀ gets sharper with depth: "
              "the largest ratio of consecutive depths' sharpness matches the mode ODE's (< 1)",
    runs={"aligned": MODES_SPEC},
    measure=_measure_incremental, comparison="close",
    reason="both sharpnesses are read off the same time grid by the same linear interpolation, so its error "
           "(~1 % of t at 80 log-spaced points) cancels; what remains is the runs' ≤ 1e-7 deviation from the "
           "mode ODE (deep_linear_modes_follow_theory), moving a ratio of order 1 by far less than 1e-3",
))


# --- Razin & Cohen 2020: deep matrix completion in 2×2 ----------------------------------------

RAZIN_DEPTHS = [2, 3]
RAZIN_SPEC = {
    "name": "razin2020",
    "problem": {"kind": "matrix_completion", "shape": [2, 2], "entries": [[0, 1, 1.0], [1, 0, 1.0], [1, 1, 0.0]]},
    "model": {"kind": "deep_linear", "depth": 2, "width": 2},
    "init": {"kind": "scaled_identity", "scale": 0.5},
    "dynamics": _gf(3000.0),
    "observe": {"quantities": ["loss", "predictor_norm", "unobserved_times_residual"], "n_times": 9, "t_min": 1.0},
    "sweep": {"model.depth": RAZIN_DEPTHS},
}


def _measure_razin(results):
    ds = results["completion"]
    final = ds.isel(time=-1)
    bound = 2 * np.sqrt(2 * final["loss"].values)
    ratio = np.abs(final["unobserved_times_residual"].values - 1) / bound
    grew = bool(np.all(np.diff(ds["predictor_norm"].values[:, 1:], axis=1) > 0))
    return float(ratio.max()) if grew else np.inf, 1.0, 0.0, {
        "depths": RAZIN_DEPTHS, "product_at_t_max": final["unobserved_times_residual"].values.tolist(),
        "loss_at_t_max": final["loss"].values.tolist(), "norm_at_t_max": final["predictor_norm"].values.tolist(),
        "norm_grows_at_every_record": grew}


register(Claim(
    name="deep_completion_norms_diverge",
    paper="Razin & Cohen 2020", theorem="Sec. 3 (2×2 completion, det W(0) > 0): ‖W‖ → ∞ while L → 0, |W₁₁|·√(2L) → 1",
    statement="in 2×2 deep completion with (1,2) = (2,1) = 1, (2,2) = 0 observed and W(0) = 0.5ᴺ I, the norm grows at "
              "every record while |W₁₁|·√(2L) approaches 1: |p − 1| ≤ 2√(2L) at t = 3000 (depths 2 and 3)",
    runs={"completion": RAZIN_SPEC},
    measure=_measure_razin, comparison="at_most",
    reason="det W stays > 0 (it never crosses 0 under GF from a positive product of layer determinants), so "
           "|W₁₁W₂₂| > W₁₂W₂₁ ≥ 1 − |r₁₂| − |r₂₁| − |r₁₂r₂₁| with |r| ≤ √(2L); with √(2L) ≥ |W₂₂| this gives "
           "|W₁₁|√(2L) ≥ 1 − 2√(2L) up to O(L): the lower side is exact; the upper side is the dynamics' content "
           "(det W → 0 relative to |W₁₁W₂₂|). Measured: max over depths of |p − 1| / (2√(2L)) at t_max, ≤ 1; "
           "a norm that ever stops growing reports inf",
))
