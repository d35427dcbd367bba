r"""Pesme, Pillaud-Vivien, Flammarion (NeurIPS 2021), *Implicit Bias of SGD for Diagonal Linear
Networks: a Provable Benefit of Stochasticity* (arXiv:2106.09524), with the step-size reading of
Even, Pesme, Gunasekar, Flammarion (2023): (S)GD on :math:`\beta = u\odot v` ends at
:math:`\arg\min\psi_{\alpha_\infty}` with an effective scale :math:`\alpha_\infty < \alpha` that
shrinks as the step grows, so larger steps and noisier gradients give sparser limits.

With ±1 features and one sample per step the product identity makes this exact
(:mod:`theory.diagonal`): :math:`\alpha_\infty` is one number for all coordinates and the SGD
limit *is* :math:`\arg\min\psi_{\alpha_\infty}`. Full-batch GD on the same data shrinks the
coordinates unequally, so its limit is only close to :math:`\arg\min\psi` at the mean scale.

Per step size γ we run one-sample SGD and full-batch GD from :math:`u = \sqrt2\alpha\mathbf 1, v = 0`
to loss 1e-24 and record :math:`\alpha_\infty/\alpha` (from :math:`u^2 - v^2`), the ℓ1 excess
:math:`\lVert\beta_\infty\rVert_1 - \min\lVert\beta\rVert_1`, and the distance to
:math:`\arg\min\psi_{\alpha_\infty}`; gradient flow's limit :math:`\arg\min\psi_\alpha` is the γ → 0 line.

Choices the paper leaves open: features ±1 (N = 8 samples, n = 24), a 3-sparse teacher with
N(0, 0.25) entries, α = 0.3; the loss is the package's sum ½Σ(y − xᵀβ)², and SGD steps on the
unbiased N·½(y_i − x_iᵀβ)² (so γ here is the paper's step divided by N).
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ..claims.diagonal import SGD_LRS  # noqa: E402
from ..experiment import run  # noqa: E402
from ..spec import validate_spec  # noqa: E402
from ..theory import diagonal as th  # noqa: E402
from ._output import header, save_figure, start, write_tables  # noqa: E402

PAPER = ("Pesme, Pillaud-Vivien, Flammarion (NeurIPS 2021), Implicit Bias of SGD for Diagonal Linear Networks, "
         "arXiv:2106.09524; Even et al. (2023), (S)GD over Diagonal Linear Networks")
SCALE = 0.3
FULL = {"lrs": [0.0025, 0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035]}
# Quick: the claims' four steps, so that the SGD sweep is the very compiled program of the claims
# diagonal_sgd_limit_is_argmin_psi and diagonal_larger_steps_sparser (same data, init and
# dynamics; the steps are array settings, their number the ensemble's shape).
QUICK = {"lrs": SGD_LRS}
DATA = {"kind": "regression", "n_samples": 8, "input_dim": 24, "output_dim": 1, "data": "rademacher",
        "input_std": 1.0, "teacher_nonzeros": 3, "teacher_std": 0.5}


def step_size_spec(kind: str, lrs: list[float]) -> dict:
    """One-sample SGD (``kind = "sgd"``) or full-batch GD over the step sizes ``lrs``."""
    dynamics = {"kind": kind, "lr": lrs[0], "t_max": 100.0, "stop_loss": 1e-24}
    if kind == "sgd":
        dynamics["batch_size"] = 1
    return {"name": f"pesme2021-{kind}", "problem": DATA,
            "model": {"kind": "diagonal_linear", "parametrization": "product"},
            "init": {"kind": "diagonal_scale", "scale": SCALE}, "dynamics": dynamics,
            "observe": {"quantities": ["loss", "scale_shrinkage", "scale_shrinkage_spread"], "n_times": 20, "t_min": 1.0},
            "sweep": {"dynamics.lr": lrs}}


def step_sizes(lrs: list[float]) -> dict:
    problem = validate_spec(step_size_spec("sgd", lrs)).problem.build(Path("."))
    X, y = np.asarray(problem.X), np.asarray(problem.Y)[:, 0]
    l1_norm = float(np.abs(th.min_l1_interpolant(X, y)).sum())
    gf = th.argmin_psi(X, y, SCALE)
    rows = []
    for kind in ("sgd", "gradient_descent"):
        ds = run(step_size_spec(kind, lrs))
        for lr in lrs:
            r = ds.sel({"dynamics.lr": lr})
            beta = r["predictor"].values[:, 0]
            alpha_inf = SCALE * float(r["final_scale_shrinkage"])
            converged = int(r["status"]) == 0
            prediction = th.argmin_psi(X, y, alpha_inf) if converged else np.full_like(beta, np.nan)
            rows.append({"dynamics": kind, "lr": lr, "status": int(r["status"]), "steps": int(r["n_steps"]),
                         "alpha_inf_over_alpha": float(r["final_scale_shrinkage"]),
                         "alpha_inf_spread": float(r["final_scale_shrinkage_spread"]),
                         "l1_excess": float(np.abs(beta).sum()) - l1_norm,
                         "predicted_l1_excess": float(np.abs(prediction).sum()) - l1_norm,
                         "distance_to_argmin_psi_alpha_inf": float(np.linalg.norm(beta - prediction)),
                         "distance_to_gf_limit": float(np.linalg.norm(beta - gf))})
    return {"rows": rows, "gf_l1_excess": float(np.abs(gf).sum()) - l1_norm, "l1_norm": l1_norm}


def figure(result: dict, path: Path) -> str:
    """α∞/α, ℓ1 excess, and distance to argmin ψ_{α∞} against the step size, SGD vs GD."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), constrained_layout=True)
    for i, kind in enumerate(("sgd", "gradient_descent")):
        rows = [r for r in result["rows"] if r["dynamics"] == kind and r["status"] == 0]
        lr = [r["lr"] for r in rows]
        label = "one-sample SGD" if kind == "sgd" else "full-batch GD"
        axes[0].plot(lr, [r["alpha_inf_over_alpha"] for r in rows], "o-", color=f"C{i}", label=label)
        axes[1].plot(lr, [r["l1_excess"] for r in rows], "o", color=f"C{i}", mfc="none", label=f"{label}: run")
        axes[1].plot(lr, [r["predicted_l1_excess"] for r in rows], "-", color=f"C{i}", label=f"{label}: argmin ψ at α∞")
        axes[2].plot(lr, np.maximum([r["distance_to_argmin_psi_alpha_inf"] for r in rows], 1e-17), "o-",
                     color=f"C{i}", label=label)
    axes[1].axhline(result["gf_l1_excess"], color="k", ls="--", lw=1, label="gradient flow (argmin ψ_α)")
    axes[0].set_ylabel("α∞ / α")
    axes[1].set_ylabel("‖β∞‖₁ − min ‖β‖₁")
    axes[2].set_ylabel("‖β∞ − argmin ψ_{α∞}‖")
    axes[2].set_yscale("log")
    for ax in axes:
        ax.set_xlabel("step size γ")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("u⊙v, ±1 features — one-sample SGD: larger steps shrink α∞ and sparsify, exactly argmin ψ_α∞; "
                 "full-batch GD: unequal shrinkage, less sparse")
    return save_figure(fig, path)


def reproduce(out: Path, quick: bool = False) -> dict:
    """Run the step-size sweep for SGD and GD; write ``out/figures/step_size.png``,
    ``out/table.md`` and ``out/table.json``; return the paths and key numbers."""
    out, elapsed = start(out)
    result = step_sizes((QUICK if quick else FULL)["lrs"])
    seconds = elapsed()
    fig = figure(result, out / "figures" / "step_size.png")
    sgd = [r for r in result["rows"] if r["dynamics"] == "sgd" and r["status"] == 0]
    gd = [r for r in result["rows"] if r["dynamics"] == "gradient_descent" and r["status"] == 0]
    key = {"sgd_max_distance_to_argmin_psi_alpha_inf": max(r["distance_to_argmin_psi_alpha_inf"] for r in sgd),
           "sgd_max_alpha_inf_spread": max(r["alpha_inf_spread"] for r in sgd),
           "gd_min_distance_to_argmin_psi_alpha_inf": min(r["distance_to_argmin_psi_alpha_inf"] for r in gd),
           "sgd_l1_excess_decreasing": bool(np.all(np.diff([r["l1_excess"] for r in sgd]) < 0)),
           "gf_l1_excess": result["gf_l1_excess"], "diverged": [(r["dynamics"], r["lr"]) for r in result["rows"] if r["status"] == 2]}
    columns = ["dynamics", "lr", "status", "steps", "alpha_inf_over_alpha", "alpha_inf_spread", "l1_excess",
               "predicted_l1_excess", "distance_to_argmin_psi_alpha_inf", "distance_to_gf_limit"]
    lines = [f"α = {SCALE}; gradient flow's ℓ1 excess {result['gf_l1_excess']:.4g}.", "",
             "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(f"{r[c]:.4g}" if isinstance(r[c], float) else str(r[c]) for c in columns) + " |"
              for r in result["rows"]]
    write_tables(out, {"paper": PAPER, "quick": quick, "seconds": seconds, "key_numbers": key, **result},
                 "\n".join(header(PAPER, quick, seconds) + lines + ["", f"Figure: `figures/{Path(fig).name}`", ""]))
    summary = "\n".join(f"  {r['dynamics']:>16} γ={r['lr']:g}: α∞/α {r['alpha_inf_over_alpha']:.4f}, ℓ1 excess "
                        f"{r['l1_excess']:.4g}, to argmin ψ_α∞ {r['distance_to_argmin_psi_alpha_inf']:.2g}" for r in result["rows"])
    return {"out": str(out), "figures": [fig], "table": summary, "key_numbers": key, "seconds": seconds}
