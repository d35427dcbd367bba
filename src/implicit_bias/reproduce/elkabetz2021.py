r"""Elkabetz & Cohen (2021), *Continuous vs. discrete optimization of deep neural networks*
(arXiv:2107.06608): GD on a linear network stays within O(η) of gradient flow uniformly in
time, as long as η is below 2/sharpness along the flow; past that the constant blows up.

We run the claims' setting (two-layer linear net of width 10, square loss, 8 samples in 10
dimensions, Gaussian init 0.5): gradient flow recording the sharpness λ_max(∇²L) along the
trajectory, and GD for steps (powers of two) from far below to 1.28× the edge 2/max_t λ_max, each stopped at
horizons up to convergence. Plotted: sup_T distance / η against η/η_edge (flat = O(η)), the
distance against η on log axes, and the sharpness along the flow.
"""

from pathlib import Path

import numpy as np

from ..claims import discretization as disc
from ..experiment import run
from ._output import plt, save_figure, start, write_tables

PAPER = "Elkabetz & Cohen (2021), Continuous vs. Discrete Optimization of Deep Neural Networks, NeurIPS 2021"
#: Steps are powers of two so that every horizon (also a power of two) is an exact number of
#: steps: with k = ⌈T/η⌉ steps GD would otherwise end up to η past T, an O(η) error of its own.
#: Here 2/λ_max ≈ 0.097, so 2⁻³ lies past the edge (1.28×) and 2⁻⁴ below it (0.64×).
FULL_STEPS = [2.0 ** -k for k in range(10, 2, -1)]
QUICK_STEPS = [2.0 ** -8, 2.0 ** -6, 2.0 ** -4, 2.0 ** -3]
FULL_HORIZONS = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]


def _figure(path: Path, rows: list[dict], gf, edge: float) -> str:
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4), constrained_layout=True)
    frac = np.array([r["step_over_edge"] for r in rows])
    dist = np.array([r["sup_distance"] for r in rows])
    steps = frac * edge
    ax = axes[0]
    ax.plot(frac, dist / steps, "o-")
    ax.axvline(1.0, color="k", ls=":", label="η = 2/max_t λ_max")
    ax.set_xlabel("η / (2/λ_max)")
    ax.set_ylabel("sup_T ‖Θ_GD(T) − Θ_GF(T)‖ / η")
    ax.set_title("(a) the O(η) constant: flat far below the edge, growing past it", fontsize=9)
    ax.legend(fontsize=8)
    ax = axes[1]
    ax.loglog(steps, dist, "o-", label="sup over T of the distance")
    ax.loglog(steps, dist[0] * steps / steps[0], ":", color="k", label="∝ η")
    ax.axvline(edge, color="k", ls="--", lw=0.8)
    ax.set_xlabel("step η")
    ax.set_title("(b) GD–GF distance against η", fontsize=9)
    ax.legend(fontsize=8)
    ax = axes[2]
    longest = gf.isel({"dynamics.t_max": -1})
    t = longest["time"].values
    ax.semilogx(t[1:], longest["sharpness"].values[1:], label="λ_max(∇²L(θ_GF(t)))")
    ax.axhline(longest["sharpness"].values[0], color="C1", ls=":", label="at t = 0")
    ax.set_xlabel("gradient-flow time t")
    ax.set_title("(c) sharpness along the flow", fontsize=9)
    ax.legend(fontsize=8)
    for a in axes:
        a.grid(True, which="both", alpha=0.25)
    return save_figure(fig, path)


def reproduce(out: Path, quick: bool = False) -> dict:
    """Write ``figures/distance_vs_step.png``, ``table.md``, ``table.json``."""
    out, elapsed = start(out)
    horizons = disc.HORIZONS if quick else FULL_HORIZONS
    gf_spec = disc.distance_runs([0.01], horizons, quantities=("loss", "sharpness"), n_times=12 if quick else 40)["gf"]
    gf = run(gf_spec)
    edge = 2 / float(np.nanmax(gf["sharpness"].values))
    steps = QUICK_STEPS if quick else FULL_STEPS
    fractions = [s / edge for s in steps]
    gd = run(disc.distance_runs(steps, horizons)["gd"])
    results = {"gf": gf, "gd": gd}
    distances = disc.sup_distances(results, steps, horizons)
    statuses = [int(gd["status"].sel({"dynamics.lr": s}).max()) for s in steps]
    rows = [{"step": s, "step_over_edge": f, "sup_distance": d, "distance_over_step": d / s, "worst_status": st}
            for s, f, d, st in zip(steps, fractions, distances, statuses)]
    figure = _figure(out / "figures" / "distance_vs_step.png", rows, gf, edge)
    key_numbers = {"two_over_max_sharpness": edge, "constant_smallest_step": rows[0]["distance_over_step"],
                   "constant_largest_step": rows[-1]["distance_over_step"],
                   "final_gf_loss": float(gf["final_loss"].isel({"dynamics.t_max": -1}))}
    md = "\n".join([
        f"# Reproduction: {PAPER}", "",
        f"Mode: {'quick' if quick else 'full'}; {elapsed():.0f} s. 2/max_t λ_max = {edge:.5g}; "
        f"GF loss at T = {horizons[-1]:g}: {key_numbers['final_gf_loss']:.3g}.", "",
        "| η | η/edge | sup_T distance | distance/η | status (1 = ran to T, 2 = diverged) |", "|---|---|---|---|---|",
        *[f"| {r['step']:.5g} | {r['step_over_edge']:.3g} | {r['sup_distance']:.4e} | {r['distance_over_step']:.4g} "
          f"| {r['worst_status']} |" for r in rows], "",
        "Figure: `figures/distance_vs_step.png`.", ""])
    table = write_tables(out, {"paper": PAPER, "quick": quick, "rows": rows, "key_numbers": key_numbers}, md)
    return {"out": str(out), "figures": [figure], "key_numbers": table["key_numbers"],
            "table": f"distance/η: {rows[0]['distance_over_step']:.3g} at η = {fractions[0]:.3g}·edge, "
                     f"{rows[-1]['distance_over_step']:.3g} at η = {fractions[-1]:.3g}·edge (edge 2/λ_max = {edge:.4g})"}
