r"""Woodworth, Gunasekar, Lee, Moroshko, Savarese, Golan, Soudry, Srebro (COLT 2020),
*Kernel and Rich Regimes in Overparametrized Models* (arXiv:1906.05827): the kernel → rich
transition of diagonal linear networks, rerun through the package.

For each depth D, gradient flow on :math:`\beta = u^D - v^D` from :math:`u = v = \alpha\mathbf 1` is
run to zero loss over a grid of α; the limit's distances to the min-ℓ2 and min-ℓ1 interpolants are
plotted against α, with the theory's limit (:func:`theory.diagonal.argmin_Q` and its depth-D
analogue, solved by Newton on the dual) drawn beside them. Large α: the kernel regime (min-ℓ2);
α → 0: the rich regime (min-ℓ1), reached only logarithmically in 1/α for D = 2 and faster, like a
power of α, for D ≥ 3 (the paper's point that depth sharpens the transition).

Choices the paper leaves open: data X (N×n) with N(0, 1/N) entries (unit-norm columns), a
k-sparse teacher with N(0, 1) entries, no noise; GF in the loss clock (``clock = "loss"``:
same path, so the same limit) to loss 1e-14; the depth-D theory is drawn only where its dual
Newton solve resolves the residual (for D ≥ 3 at small α the dual's Hessian spans more than 1e16).
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ..experiment import run  # noqa: E402
from ..spec import validate_spec  # noqa: E402
from ..theory import diagonal as th  # noqa: E402
from ._output import header, save_figure, start, write_tables  # noqa: E402

PAPER = "Woodworth et al. (COLT 2020), Kernel and Rich Regimes in Overparametrized Models, arXiv:1906.05827"

#: (N, n, k) and the α grid per depth: each grid spans the depth's transition.
FULL = {"data": (20, 100, 5), "scales": {2: np.logspace(0.5, -6, 14), 3: np.logspace(0.5, -1.5, 9),
                                         4: np.logspace(0.25, -0.75, 5)}}
QUICK = {"data": (10, 30, 3), "scales": {2: np.logspace(0, -4, 5), 3: np.logspace(0, -1, 3)}}


def transition_spec(depth: int, scales, data: tuple[int, int, int]) -> dict:
    """GF on the depth-D network over a grid of init scales α, run to loss 1e-14 in the loss clock
    (τ ≈ 32; below ~1e-16 the loss of D ≥ 3 runs sits at the integrator's floor)."""
    N, n, k = data
    return {
        "name": f"woodworth2020-depth{depth}",
        "problem": {"kind": "regression", "n_samples": N, "input_dim": n, "output_dim": 1,
                    "teacher_nonzeros": k, "input_std": N ** -0.5},
        "model": {"kind": "diagonal_linear", "depth": depth},
        "init": {"kind": "diagonal_scale", "scale": float(scales[0])},
        "dynamics": {"kind": "gradient_flow", "t_max": 50.0, "stop_loss": 1e-14, "rtol": 1e-10, "atol": 1e-12,
                     "clock": "loss", "max_steps": 400_000},
        "observe": {"quantities": ["loss", "imbalance_drift"], "n_times": 2},
        "sweep": {"init.scale": [float(a) for a in scales]},
    }


def _theory(X, y, alpha: float, depth: int) -> np.ndarray:
    try:
        return th.argmin_Q(X, y, alpha, depth)
    except ValueError:  # unresolvable dual (module docstring): no theory point drawn
        return np.full(X.shape[1], np.nan)


def kernel_to_rich(sizes: dict) -> dict:
    """Per depth: GF limits over α, their distances to min-ℓ1/min-ℓ2, and the theory's."""
    rows, curves = [], {}
    for depth, scales in sizes["scales"].items():
        spec = transition_spec(depth, scales, sizes["data"])
        ds = run(spec)
        problem = validate_spec(spec).problem.build(Path("."))
        X, y = np.asarray(problem.X), np.asarray(problem.Y)[:, 0]
        l1, l2 = th.min_l1_interpolant(X, y), th.min_l2_interpolant(X, y)
        curve = {k: [] for k in ("alpha", "to_l1", "to_l2", "theory_to_l1", "theory_to_l2", "to_theory")}
        for a in scales:
            r = ds.sel({"init.scale": float(a)})
            beta = r["predictor"].values[:, 0]
            theory = _theory(X, y, float(a), depth)
            row = {"depth": depth, "alpha": float(a), "status": int(r["status"]), "steps": int(r["n_steps"]),
                   "final_loss": float(r["final_loss"]), "to_l1": float(np.linalg.norm(beta - l1)),
                   "to_l2": float(np.linalg.norm(beta - l2)), "theory_to_l1": float(np.linalg.norm(theory - l1)),
                   "theory_to_l2": float(np.linalg.norm(theory - l2)), "to_theory": float(np.linalg.norm(beta - theory)),
                   "l1_norm": float(np.abs(beta).sum()), "imbalance_drift": float(r["final_imbalance_drift"])}
            rows.append(row)
            for key in curve:
                curve[key].append(row[key])
        curves[depth] = curve
        curves[depth]["norm_l1"], curves[depth]["norm_l2"] = float(np.linalg.norm(l1)), float(np.linalg.norm(l2))
    return {"rows": rows, "curves": curves}


def figure(curves: dict, path: Path) -> str:
    """Distance of the GF limit to min-ℓ1 and to min-ℓ2 against α, one colour per depth;
    markers: runs; lines: the theory's limit."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True, sharey=True)
    for i, (depth, c) in enumerate(sorted(curves.items())):
        colour = f"C{i}"
        for ax, key in zip(axes, ("l1", "l2")):
            ax.plot(c["alpha"], np.array(c[f"theory_to_{key}"]) / c[f"norm_{key}"], color=colour, lw=1.2,
                    label=f"D = {depth}: theory" if key == "l1" else None)
            ax.plot(c["alpha"], np.array(c[f"to_{key}"]) / c[f"norm_{key}"], "o", color=colour, ms=4, mfc="none",
                    label=f"D = {depth}: gradient flow" if key == "l1" else None)
    for ax, name in zip(axes, ("min-ℓ1", "min-ℓ2")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("init scale α")
        ax.set_title(f"‖β_α − β_{name}‖ / ‖β_{name}‖")
        ax.grid(alpha=0.3, which="both")
    axes[0].set_ylabel("relative distance of the GF limit")
    axes[0].legend(fontsize=8)
    fig.suptitle("Diagonal networks: kernel (large α, min-ℓ2) → rich (small α, min-ℓ1)")
    return save_figure(fig, path)


def reproduce(out: Path, quick: bool = False) -> dict:
    """Run the transition for each depth; write ``out/figures/kernel_to_rich.png``,
    ``out/table.md`` and ``out/table.json``; return the paths and key numbers."""
    out, elapsed = start(out)
    result = kernel_to_rich(QUICK if quick else FULL)
    seconds = elapsed()
    fig = figure(result["curves"], out / "figures" / "kernel_to_rich.png")
    rows = result["rows"]
    key = {"all_converged": all(r["status"] == 0 for r in rows),
           "max_distance_to_theory": float(np.nanmax([r["to_theory"] for r in rows])),
           "to_l1_decreasing_in_alpha": {str(d): bool(np.all(np.diff(c["to_l1"]) < 0)) for d, c in result["curves"].items()},
           "to_l2_increasing_in_alpha": {str(d): bool(np.all(np.diff(c["to_l2"]) > 0)) for d, c in result["curves"].items()}}
    lines = ["| D | α | status | steps | ‖β−β_ℓ1‖ | ‖β−β_ℓ2‖ | ‖β−theory‖ | ‖β‖₁ |", "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r['depth']} | {r['alpha']:.3g} | {r['status']} | {r['steps']} | {r['to_l1']:.4g} | {r['to_l2']:.4g} | "
              f"{r['to_theory']:.2g} | {r['l1_norm']:.4g} |" for r in rows]
    write_tables(out, {"paper": PAPER, "quick": quick, "seconds": seconds, "key_numbers": key, "rows": rows},
                 "\n".join(header(PAPER, quick, seconds) + lines + ["", f"Figure: `figures/{Path(fig).name}`", ""]))
    summary = "\n".join(f"  D={r['depth']} α={r['alpha']:.3g}: to ℓ1 {r['to_l1']:.3g}, to ℓ2 {r['to_l2']:.3g}, "
                        f"to theory {r['to_theory']:.2g}" for r in rows)
    return {"out": str(out), "figures": [fig], "table": summary, "key_numbers": key, "seconds": seconds}
