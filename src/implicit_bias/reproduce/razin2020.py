r"""Razin & Cohen (2020): implicit regularization in deep matrix factorization may not be
explainable by norms — the 2×2 completion example, rerun through the package.

Observed entries (1,2) = (2,1) = 1 and (2,2) = 0 (0-based: (0,1), (1,0), (1,1)); W(0) = 0.5ᴺ I
(det > 0), depth N deep linear network, gradient flow. Every interpolant has det = −1 < 0,
which the flow cannot reach, so the loss → 0 only as |W₁₁| → ∞: the norm diverges while
:math:`|W_{11}|\sqrt{2L} \to 1`.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ..claims.deep_linear import RAZIN_SPEC
from ..experiment import run
from ._output import jsonable, md_table, save_figure, start, write_row_tables

PAPER = "Razin & Cohen 2020"


def _spec(quick: bool) -> dict:
    if quick:
        return RAZIN_SPEC
    return {**RAZIN_SPEC, "dynamics": {**RAZIN_SPEC["dynamics"], "t_max": 1e5, "max_steps": 3_000_000},
            "observe": {**RAZIN_SPEC["observe"], "n_times": 30}, "sweep": {"model.depth": [2, 3, 4]}}


def _figure(path: Path, ds, depths: list[int]) -> str:
    t = ds["time"].values[1:]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), constrained_layout=True)
    for i, N in enumerate(depths):
        run_ = ds.sel({"model.depth": N})
        for ax, name in zip(axes, ("loss", "predictor_norm", "unobserved_times_residual")):
            ax.plot(t, run_[name].values[1:], color=f"C{i}", marker="o", ms=3, label=f"N = {N}")
    for ax, label in zip(axes, ("loss L", "‖W‖_F", "|W₁₁|·√(2L)")):
        ax.set_xscale("log")
        ax.set_xlabel("time t")
        ax.set_ylabel(label)
    axes[0].set_yscale("log")
    axes[1].set_yscale("log")
    axes[2].axhline(1.0, color="k", lw=0.8, ls="--")
    axes[0].legend()
    return save_figure(fig, path)


def reproduce(out: Path, quick: bool = False) -> dict:
    """Write ``out/figures/norms_diverge.png``, ``out/table.md``, ``out/table.json``."""
    out, elapsed = start(out)
    spec = _spec(quick)
    depths = spec["sweep"]["model.depth"]
    ds = run(spec)
    rows = []
    for N in depths:
        run_ = ds.sel({"model.depth": N})
        reached = np.isfinite(run_["loss"].values)
        last = int(np.nonzero(reached)[0][-1])
        rows.append({"depth": N, "t_last": float(ds["time"].values[last]), "loss": float(run_["loss"].values[last]),
                     "norm": float(run_["predictor_norm"].values[last]),
                     "product": float(run_["unobserved_times_residual"].values[last]),
                     "W11": float(run_["predictor"].values[0, 0]),
                     "norm_grows": bool(np.all(np.diff(run_["predictor_norm"].values[1:last + 1]) > 0)),
                     "status": int(run_["status"])})
    figure = _figure(out / "figures" / "norms_diverge.png", ds, depths)
    seconds = elapsed()
    columns = [("N", "depth"), ("t", "t_last"), ("L", "loss"), ("‖W‖_F", "norm"), ("|W₁₁|√(2L)", "product"),
               ("W₁₁ at stop", "W11"), ("norm grows", "norm_grows")]
    write_row_tables(out, PAPER, quick, seconds, [
        "Values at the last recorded time the run reached (explicit RK steps shrink as ‖W‖ grows, "
        "so long horizons need many steps)."], rows, columns, [figure])
    return jsonable({"out": str(out), "figures": [figure], "table": md_table(rows, columns), "rows": rows,
                     "seconds": seconds})
