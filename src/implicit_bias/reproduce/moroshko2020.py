r"""Moroshko, Gunasekar, Woodworth, Lee, Srebro, Soudry (NeurIPS 2020), *Implicit Bias in Deep
Linear Classification: Initialization Scale vs Training Accuracy* (arXiv:2007.06738), rerun
through the package.

Gradient flow on the diagonal network :math:`\beta = u^2 - v^2` from :math:`u = v = \alpha\mathbf 1`,
exponential loss on separable data, in the loss clock (so one time axis, :math:`\log(1/L)`, for
every α). Along each run the normalized ℓ1 and ℓ2 margins of β are recorded and drawn against
:math:`\log(1/L)`; beside them, the prediction read off the run's own :math:`\mu = \alpha^2/\gamma`:
the margins of :math:`b_\infty(\mu)` (the α → ∞ limit at fixed μ, :func:`theory.diagonal.margin_flow_path`;
equal to :math:`b^*(\mu) = \arg\min\{Q_\mu : Zb\ge1\}` while the dual path does not break, dashed
where they differ). Large α stays at the SVM's margins until :math:`\log(1/L) \sim \alpha^2`; the ℓ1
max-margin is reached only once :math:`\log(1/L) \gg \alpha^2` — at α = 10 not before
:math:`L \approx e^{-1000}`.

Choices the paper leaves open: the data (N = 10 samples in d = 30 dimensions, separable through
the origin with margin 0.1 along a random teacher, the claims' data), the α grid, tolerances
rtol 1e-10.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ..claims import diagonal_margin as dm  # noqa: E402
from ..experiment import run  # noqa: E402
from ..theory import diagonal as th  # noqa: E402
from ..theory import max_margin as mm  # noqa: E402
from ._output import colours, header, md_table, save_figure, start, write_tables  # noqa: E402

PAPER = ("Moroshko et al. (NeurIPS 2020), Implicit Bias in Deep Linear Classification: Initialization Scale vs "
         "Training Accuracy, arXiv:2007.06738")

FULL = {"alpha_sq": [4096.0, 256.0, 64.0, 16.0, 4.0, 1.0, 0.01], "log_inv_loss": 4096.0, "n_times": 40}
QUICK = {"alpha_sq": [256.0, 16.0, 1.0, 0.01], "log_inv_loss": 256.0, "n_times": 12}


def tradeoff_spec(sizes: dict) -> dict:
    """GF in the loss clock to L = e^(−log_inv_loss) (τ = log_inv_loss + log N), margins recorded."""
    spec = {key: value for key, value in dm.SPEC.items() if key != "sweep"}
    return {**spec, "name": "moroshko2020",
            "dynamics": {**dm.SPEC["dynamics"], "t_max": sizes["log_inv_loss"] + float(np.log(dm.DATA["n_samples"]))},
            "observe": {"quantities": ["min_margin", "l1_normalized_margin", "l2_normalized_margin"],
                        "n_times": sizes["n_times"], "t_min": 1.0},
            "sweep": {"init.scale": [float(np.sqrt(a)) for a in sizes["alpha_sq"]]}}


def margins_vs_accuracy(sizes: dict) -> dict:
    """Per α: log(1/L), the run's ℓ1/ℓ2 margins and μ = α²/γ at each record, and the predictions."""
    ds = run(tradeoff_spec(sizes))
    Z = dm.folded()
    log_n = float(np.log(dm.DATA["n_samples"]))
    curves = {}
    for a in sizes["alpha_sq"]:
        r = ds.sel({"init.scale": float(np.sqrt(a))})
        gamma = r["min_margin"].values
        keep = np.isfinite(gamma) & (gamma > 1.0)  # μ = α²/γ is the implicit bias's knob once data are separated
        curves[a] = {"log_inv_loss": (r["time"].values - log_n)[keep], "gamma": gamma[keep], "mu": a / gamma[keep],
                     "l1": r["l1_normalized_margin"].values[keep], "l2": r["l2_normalized_margin"].values[keep],
                     "status": int(r["status"]), "steps": int(r["n_steps"])}
    mus = np.concatenate([c["mu"] for c in curves.values()])
    predictions = dm.limits(Z, mus)
    for c in curves.values():
        flow = [predictions[float(m)][0].b for m in c["mu"]]
        star = [predictions[float(m)][1].b for m in c["mu"]]
        c["flow_l1"], c["flow_l2"] = (np.array([1 / np.linalg.norm(b, p) for b in flow]) for p in (1, 2))
        c["star_l1"], c["star_l2"] = (np.array([1 / np.linalg.norm(b, p) for b in star]) for p in (1, 2))
    svm = mm.hard_margin_svm(Z)
    l1 = mm.l1_max_margin(Z)
    limits = {"svm_l1": float(np.min(Z @ svm.w) / np.abs(svm.w).sum()), "svm_l2": svm.margin,
              "l1max_l1": 1 / float(np.abs(l1).sum()), "l1max_l2": float(np.min(Z @ l1) / np.linalg.norm(l1)),
              "path_break_mu": th.margin_path_break(Z, np.logspace(3, -3, 121))}
    return {"curves": curves, "limits": limits}


def figure(result: dict, path: Path) -> str:
    """Normalized ℓ1 (left) and ℓ2 (right) margins against log(1/L): markers the runs, lines the
    b∞(μ) prediction at the run's μ = α²/γ (dashed: b*(μ) where it differs), grey the two limits."""
    curves, limits = result["curves"], result["limits"]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    for colour, (a, c) in zip(colours(len(curves)), curves.items()):
        for ax, key in zip(axes, ("l1", "l2")):
            ax.plot(c["log_inv_loss"], c[f"flow_{key}"], color=colour, lw=1.2)
            differs = np.abs(c[f"star_{key}"] - c[f"flow_{key}"]) > 1e-4 * c[f"flow_{key}"]
            ax.plot(c["log_inv_loss"][differs], c[f"star_{key}"][differs], color=colour, lw=1, ls="--")
            ax.plot(c["log_inv_loss"], c[key], "o", color=colour, ms=3.5, mfc="none",
                    label=f"α² = {a:g}" if key == "l1" else None)
    for ax, key, name in zip(axes, ("l1", "l2"), ("ℓ1", "ℓ2")):
        ax.axhline(limits[f"svm_{key}"], color="0.5", lw=0.8, ls=":")
        ax.axhline(limits[f"l1max_{key}"], color="0.5", lw=0.8, ls="-.")
        ax.set_xscale("log")
        ax.set_xlabel("log(1/L)  (training accuracy)")
        ax.set_title(f"normalized {name} margin min yxᵀβ/‖β‖{'₁' if key == 'l1' else '₂'}")
        ax.grid(alpha=0.3, which="both")
    axes[0].legend(fontsize=8, title="markers: GF; lines: b∞(α²/γ)", title_fontsize=8)
    fig.suptitle("Diagonal network, exponential loss: ℓ2 (kernel) → ℓ1 (rich) margin as α²/log(1/L) falls "
                 "(dotted: SVM, dash-dot: ℓ1 max-margin)", fontsize=10)
    return save_figure(fig, path)


def reproduce(out: Path, quick: bool = False) -> dict:
    """Run the sweep over α; write ``out/figures/margins_vs_accuracy.png``, ``out/table.md`` and
    ``out/table.json``; return the paths and key numbers."""
    out, elapsed = start(out)
    sizes = QUICK if quick else FULL
    result = margins_vs_accuracy(sizes)
    seconds = elapsed()
    fig = figure(result, out / "figures" / "margins_vs_accuracy.png")
    curves, limits = result["curves"], result["limits"]
    rows = [{"alpha_sq": a, "log_inv_loss": float(c["log_inv_loss"][-1]), "mu": float(c["mu"][-1]),
             "l1": float(c["l1"][-1]), "flow_l1": float(c["flow_l1"][-1]), "star_l1": float(c["star_l1"][-1]),
             "l2": float(c["l2"][-1]), "flow_l2": float(c["flow_l2"][-1]), "status": c["status"], "steps": c["steps"]}
            for a, c in curves.items()]
    final_l1 = [r["l1"] for r in rows]
    key = {**limits, "final_l1_margin_increasing_as_alpha_falls": bool(np.all(np.diff(final_l1) > 0)),
           "max_final_l1_gap_to_b_inf": float(max(abs(r["l1"] - r["flow_l1"]) for r in rows)),
           "all_reached": all(r["status"] != 2 for r in rows)}
    columns = [("α²", "alpha_sq"), ("log(1/L)", "log_inv_loss"), ("μ = α²/γ", "mu"), ("ℓ1 margin", "l1"),
               ("b∞ ℓ1", "flow_l1"), ("b* ℓ1", "star_l1"), ("ℓ2 margin", "l2"), ("b∞ ℓ2", "flow_l2"), ("steps", "steps")]
    notes = [f"SVM: ℓ1 margin {limits['svm_l1']:.4g}, ℓ2 margin {limits['svm_l2']:.4g}; ℓ1 max-margin: ℓ1 margin "
             f"{limits['l1max_l1']:.4g}, ℓ2 margin {limits['l1max_l2']:.4g}; the dual path of b*(μ) breaks at "
             f"μ ≈ {limits['path_break_mu']:.3g} (below it b∞ ≠ b*)."]
    write_tables(out, {"paper": PAPER, "quick": quick, "seconds": seconds, "key_numbers": key, "rows": rows},
                 "\n".join(header(PAPER, quick, seconds) + notes + ["", md_table(rows, columns), "",
                                                                  f"Figure: `figures/{Path(fig).name}`", ""]))
    summary = "\n".join(f"  α²={r['alpha_sq']:g}: ℓ1 margin {r['l1']:.4g} (b∞ {r['flow_l1']:.4g}), μ = {r['mu']:.3g}"
                        for r in rows)
    return {"out": str(out), "figures": [fig], "table": summary, "key_numbers": key, "seconds": seconds}
