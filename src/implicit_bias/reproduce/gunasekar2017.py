r"""Gunasekar et al. (2017) and Li, Ma, Zhang (2018): implicit regularization in matrix
factorization, rerun through the package.

Matrix sensing of a rank-2 PSD 10×10 target from M Gaussian symmetric measurements, gradient
flow on :math:`\Theta = UU^\top` with U of ``width`` columns from :math:`U(0) = \alpha I`. For each
(width, α) we report the distance of the limit to the target and to the
minimum-nuclear-norm interpolant (Clarabel SDP, polished). M = 30 is in the recovery regime
(min-nuclear = target); the full run adds M = 20, below it, where the min-nuclear interpolant has
rank 3 and is 4.5 % from X*: there the small-init full-rank limit plateaus ≈ 25 % from it (its
trace, 1.94–1.96, above both the minimum 1.890 and tr X* = 1.893) for α = 10⁻² … 10⁻⁵, while
the rank-2 factor from αI still recovers X* (20 > 19 = dr − r(r−1)/2 measurements). Gunasekar
et al.'s conjecture needs more than Gaussian sensing with few measurements (Li, Ma, Zhang
assume RIP).
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ..claims.matrix_sensing import SMALL_SCALES, problem_of, relative_distances, sensing_spec
from ..experiment import run
from ..theory.matrix_sensing import min_nuclear_norm
from ._output import jsonable, md_table, save_figure, start, write_row_tables

PAPER = "Gunasekar et al. 2017; Li, Ma, Zhang 2018"
FULL_SCALES = [1.0, 0.3, 0.1, 0.01, 0.001, 1e-4, 1e-5]
FULL = {"measurements": [20, 30], "widths": {2: FULL_SCALES, 3: FULL_SCALES, 5: FULL_SCALES, 10: FULL_SCALES}}
#: Quick: the claims' sweeps exactly (one compiled computation per sweep size, shared with them).
QUICK = {"measurements": [30], "widths": {2: [1.0, 3.0], 10: SMALL_SCALES}}


def _figure(path: Path, rows: list[dict], sizes: dict) -> str:
    fig, axes = plt.subplots(1, len(sizes["measurements"]), figsize=(5.5 * len(sizes["measurements"]), 4.2),
                             squeeze=False, constrained_layout=True)
    for ax, M in zip(axes[0], sizes["measurements"]):
        for i, width in enumerate(sizes["widths"]):
            sel = [r for r in rows if r["measurements"] == M and r["width"] == width]
            scales = [r["scale"] for r in sel]
            ax.plot(scales, [r["to_target"] for r in sel], color=f"C{i}", marker="o", label=f"width {width}")
            ax.plot(scales, [r["to_min_nuclear"] for r in sel], color=f"C{i}", ls="--", lw=0.9)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("init scale α (U(0) = αI)")
        ax.set_title(f"M = {M} (d = 10, rank 2); solid: to X*, dashed: to min-nuclear", fontsize=9)
    axes[0][0].set_ylabel("‖U(∞)U(∞)ᵀ − X_ref‖_F / ‖X_ref‖_F")
    axes[0][0].legend(fontsize=8)
    return save_figure(fig, path)


def reproduce(out: Path, quick: bool = False) -> dict:
    """Write ``out/figures/sensing_error.png``, ``out/table.md``, ``out/table.json``."""
    out, elapsed = start(out)
    sizes = QUICK if quick else FULL
    rows = []
    for M in sizes["measurements"]:
        problem = problem_of(sensing_spec(10, [1.0], n_measurements=M))
        target, nuclear = np.asarray(problem.target), min_nuclear_norm(problem)
        for width, scales in sizes["widths"].items():
            ds = run(sensing_spec(width, scales, n_measurements=M))
            for scale, to_target, to_nuclear, loss in zip(
                    scales, relative_distances(ds, target), relative_distances(ds, nuclear),
                    ds["final_loss"].values):
                rows.append({"measurements": M, "width": width, "scale": scale, "to_target": float(to_target),
                             "to_min_nuclear": float(to_nuclear), "final_loss": float(loss),
                             "min_nuclear_to_target": float(np.linalg.norm(nuclear - target) / np.linalg.norm(target))})
    figure = _figure(out / "figures" / "sensing_error.png", rows, sizes)
    seconds = elapsed()
    columns = [("M", "measurements"), ("width", "width"), ("α", "scale"), ("‖X−X*‖/‖X*‖", "to_target"),
               ("‖X−X_nuc‖/‖X_nuc‖", "to_min_nuclear"), ("final L", "final_loss"),
               ("‖X_nuc−X*‖/‖X*‖", "min_nuclear_to_target")]
    write_row_tables(out, PAPER, quick, seconds, [
        "A_k = (G_k + G_kᵀ)/(2√M), X* = WWᵀ, W ~ N(0, 1/d); L = ½Σ(y_k − ⟨A_k, UUᵀ⟩)²; GF to L < 1e-22 "
        "or t = 10⁴."], rows, columns, [figure], sizes=sizes)
    return jsonable({"out": str(out), "figures": [figure], "table": md_table(rows, columns[:5]), "rows": rows,
                     "seconds": seconds})
