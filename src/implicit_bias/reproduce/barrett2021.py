r"""Barrett & Dherin (2021), *Implicit gradient regularization* (arXiv:2009.11162): how far GD
with step h is from gradient flow of L (O(h)) and from gradient flow of the modified loss
:math:`L + \tfrac h4\lVert\nabla L\rVert^2` (O(h²)), at a fixed horizon T.

The paper's Fig. 1 shows the same two slopes on a toy 2-parameter model; we use the claims'
problem (two-layer linear net of width 4, logistic loss, 12 separable 2-D points), which has
the same structure (a smooth loss with a nonconstant Hessian) and is the one the claims
``gd_gf_error_order_one`` / ``gd_follows_modified_flow`` check. Errors are Frobenius
distances of the end-to-end predictor Θ at T = 2.
"""

from pathlib import Path

import numpy as np

from ..analysis import power_law_fit
from ..claims import discretization as disc
from ..experiment import run
from ._output import finish_panel, plt, save_figure, start, write_tables

PAPER = "Barrett & Dherin (2021), Implicit Gradient Regularization, ICLR 2021, arXiv:2009.11162"
#: h = 1/4 is pre-asymptotic (error ratios 2.5 and 6.7 to h = 1/8), so the sweep starts at 1/8.
FULL_STEPS = [2.0 ** -k for k in range(3, 10)]


def _runs(steps: list[float]) -> dict:
    runs = {k: dict(v) for k, v in disc.BARRETT_RUNS.items()}
    runs["gd"] = {**runs["gd"], "sweep": {"dynamics.lr": steps}}
    runs["modified"] = {**runs["modified"], "sweep": {"dynamics.step": steps}}
    return runs


def _results(quick: bool, steps: list[float]) -> dict:
    """GD, GF and the modified flows at ``steps``. Quick: the claims' test-size runs, where GF is the
    modified flow's member at h = 2⁻⁶⁰ (its extra field, ~1e-18, is below GF's own rounding:
    Θ(T) equal to 9e-16), so GF and the modified flows are one compiled program instead of two,
    and the same programs as the claims' tests."""
    if not quick:
        return {name: run(spec) for name, spec in _runs(steps).items()}
    results = {name: run(spec) for name, spec in disc.QUICK_BARRETT_RUNS.items()}
    return {**results, "gf": results["modified"].sel({"dynamics.step": disc.FLOW_STEP})}


def _figure(path: Path, steps: np.ndarray, to_gf: np.ndarray, to_mod: np.ndarray, slopes: tuple[float, float]) -> str:
    fig, ax = plt.subplots(figsize=(6.2, 4.6), constrained_layout=True)
    ax.loglog(steps, to_gf, "o-", color="C0", label=f"GD − GF of L (fitted slope {slopes[0]:.3f})")
    ax.loglog(steps, to_mod, "s-", color="C3", label=f"GD − GF of L + (h/4)‖∇L‖² (fitted slope {slopes[1]:.3f})")
    for errors, order, colour in ((to_gf, 1, "C0"), (to_mod, 2, "C3")):
        ax.loglog(steps, errors[-1] * (steps / steps[-1]) ** order, ":", color=colour, lw=1, label=f"∝ h^{order}")
    ax.set_xlabel("step h")
    ax.set_ylabel(f"‖Θ_GD(T) − Θ_flow(T)‖_F at T = {disc.HORIZON:g}")
    ax.set_title("GD vs gradient flow: O(h), and O(h²) for the modified flow", fontsize=10)
    finish_panel(ax)
    return save_figure(fig, path)


def reproduce(out: Path, quick: bool = False) -> dict:
    """Sweep h, write ``figures/error_vs_step.png``, ``table.md`` and ``table.json``."""
    out, elapsed = start(out)
    steps = disc.STEPS if quick else FULL_STEPS
    results = _results(quick, steps)
    to_gf, to_mod = disc.discretization_errors(results, steps)
    slopes = tuple(float(power_law_fit(steps, e, strict=True).slope) for e in (to_gf, to_mod))
    figure = _figure(out / "figures" / "error_vs_step.png", np.array(steps), to_gf, to_mod, slopes)
    rows = [{"h": h, "gd_to_gf": a, "gd_to_modified": b} for h, a, b in zip(steps, to_gf, to_mod)]
    key_numbers = {"slope_gd_to_gf": slopes[0], "slope_gd_to_modified": slopes[1]}
    md = "\n".join([
        f"# Reproduction: {PAPER}", "",
        f"Mode: {'quick' if quick else 'full'}; {elapsed():.0f} s. Problem: {disc.PROBLEM}, "
        f"model {disc.MODEL}, init Gaussian 0.5, horizon T = {disc.HORIZON:g}.", "",
        f"Fitted log–log slopes: GD − GF **{slopes[0]:.4f}** (theory 1); GD − modified flow **{slopes[1]:.4f}** "
        "(theory 2).", "",
        "| h | ‖Θ_GD − Θ_GF‖ | ‖Θ_GD − Θ_mod‖ |", "|---|---|---|",
        *[f"| {r['h']:.6g} | {r['gd_to_gf']:.4e} | {r['gd_to_modified']:.4e} |" for r in rows], "",
        "Figure: `figures/error_vs_step.png`.", ""])
    write_tables(out, {"paper": PAPER, "quick": quick, "rows": rows, "key_numbers": key_numbers}, md)
    return {"out": str(out), "figures": [figure], "key_numbers": key_numbers,
            "table": f"slopes: GD−GF {slopes[0]:.3f} (theory 1), GD−modified flow {slopes[1]:.3f} (theory 2)"}
