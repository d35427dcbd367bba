r"""Saxe, McClelland, Ganguli (2014) and Arora, Cohen, Hu, Luo (2019): mode curves of deep
linear networks, rerun through the package.

Whitened regression (:math:`X^\top X = I`, teacher singular values 3, 2, 1), an aligned
balanced init with every mode at :math:`\sigma_0 = 10^{-3}`, gradient flow at depths 2, 3, 4.
Each recorded mode strength :math:`a_r^\top\Theta b_r` is drawn against the mode ODE
:math:`\dot\sigma = N\sigma^{2-2/N}(s - \sigma)` (logistic for N = 2): the modes are learned
one after another, largest first, and each rise is sharper, relative to its waiting time,
the deeper the network.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ..claims.deep_linear import MODES_SPEC, SINGULAR_VALUES, measured_modes, predicted_modes, sharpness
from ..experiment import run
from ..theory import deep_linear as deep
from ._output import jsonable, md_table, save_figure, start, write_row_tables

PAPER = "Saxe, McClelland, Ganguli 2014; Arora, Cohen, Hu, Luo 2019"


def _spec(quick: bool) -> dict:
    # Quick: the claims' spec at depths 2 and 4 only (each depth is a compiled program, nearly all
    # of the cost; the same programs as the claims' runs at those depths); full: depths 2, 3, 4, a
    # longer horizon (depth 4's third mode finishes) on a finer time grid.
    if quick:
        return {**MODES_SPEC, "sweep": {"model.depth": [2, 4]}}
    return {**MODES_SPEC, "dynamics": {**MODES_SPEC["dynamics"], "t_max": 40.0},
            "observe": {**MODES_SPEC["observe"], "n_times": 400}}


def _figure(path: Path, times: np.ndarray, modes: dict) -> str:
    fig, axes = plt.subplots(1, len(modes), figsize=(4.2 * len(modes), 3.6), sharey=True, constrained_layout=True)
    for ax, (N, (measured, predicted)) in zip(axes, modes.items()):
        for r, s in enumerate(SINGULAR_VALUES):
            ax.plot(times, measured[:, r], color=f"C{r}", lw=2, alpha=0.7, label=f"mode {r + 1} (s = {s:g})")
            ax.plot(times, predicted[:, r], color="k", lw=0.8, ls="--")
        ax.set_title(f"depth N = {N}")
        ax.set_xlabel("time t")
    axes[0].set_ylabel("mode strength a_rᵀ Θ(t) b_r")
    axes[0].legend(title="GF (dashed: mode ODE)", fontsize=8)
    return save_figure(fig, path)


def reproduce(out: Path, quick: bool = False) -> dict:
    """Write ``out/figures/mode_curves.png``, ``out/table.md``, ``out/table.json``."""
    out, elapsed = start(out)
    spec = _spec(quick)
    ds = run(spec)
    times = ds["time"].values
    # depth → the recorded mode strengths and the mode ODE's, for both the table and the figure
    modes = {N: (measured_modes(ds, N), predicted_modes(times, N)) for N in spec["sweep"]["model.depth"]}
    rows = []
    for N, (measured, predicted) in modes.items():
        t10, t50, t90 = deep.transition_times(times, measured, SINGULAR_VALUES)
        rows.append({"depth": N, "max_error_vs_ode": float(np.nanmax(np.abs(measured - predicted) / SINGULAR_VALUES)),
                     **{f"t50_mode_{r + 1}": float(t50[r]) for r in range(len(SINGULAR_VALUES))},
                     "sharpness_mode_1": float(sharpness(times, measured)[0]),
                     "sharpness_mode_1_ode": float(sharpness(times, predicted)[0]),
                     "solver_steps": int(ds.sel({"model.depth": N})["n_steps"])})
    figure = _figure(out / "figures" / "mode_curves.png", times, modes)
    seconds = elapsed()
    write_row_tables(out, PAPER, quick, seconds, [
        f"Whitened regression (n = 6, m = 4, s = {SINGULAR_VALUES}), aligned balanced init σ₀ = "
        f"{MODES_SPEC['init']['scale']}, gradient flow (Tsit5, rtol {MODES_SPEC['dynamics']['rtol']}).",
        "Time unit: ours is gradient-flow time on L = ½‖Θ − Θ*‖²; Saxe et al.'s τ absorbs the factor N of "
        "the mode ODE σ̇ = Nσ^{2−2/N}(s − σ), so their logistic rate 2s/τ is our 2s."],
        rows, [("N", "depth"), ("max |σ − σ_ODE|/s", "max_error_vs_ode"),
               *[(f"t₅₀ mode {r + 1}", f"t50_mode_{r + 1}") for r in range(len(SINGULAR_VALUES))],
               ("(t₉₀−t₁₀)/t₅₀ mode 1", "sharpness_mode_1"), ("same, ODE", "sharpness_mode_1_ode"),
               ("steps", "solver_steps")], [figure])
    return jsonable({"out": str(out), "figures": [figure], "table": md_table(rows, [("N", "depth"), (
        "max err", "max_error_vs_ode"), ("sharpness", "sharpness_mode_1")]), "rows": rows, "seconds": seconds})
