r"""Lyu & Li (2020), *Gradient descent maximizes the margin of homogeneous neural networks*
(arXiv:1906.05890), Thm. 4.1: once L < ℓ(0), the smoothed margin
:math:`\tilde\gamma = \ell^{-1}(L)/\lVert\theta\rVert^k` of a k-homogeneous net never decreases, and the
normalized margin :math:`\min_n y_nf(x_n)/\lVert\theta\rVert^k` follows it up.

The homogeneous two-layer ReLU net (no bias, both layers trained, k = 2) trained by GD (η = 0.5) on
the exponential loss, and beside it the two-layer *linear* net (also k = 2) by log-time gradient
flow to t = 10³⁰, on the same 12 separable 2-D points (the claims' data). Plotted against log t:
the smoothed and normalized margins (with the linear net's limit γ_SVM/2) and the loss.

Choices: GD, not GF, for the ReLU net: the ReLU's derivative jumps where a pre-activation crosses 0
and the adaptive ODE solver stalls there (README, "What we found"); GF time on the axis (t = kη).
"""

from pathlib import Path


from ..claims import max_margin as claims
from ..experiment import run
from ..theory import max_margin as mm
from ._output import finish_panel, header, md_table, plt, save_figure, start, write_tables

PAPER = "Lyu & Li (2020), Gradient Descent Maximizes the Margin of Homogeneous Neural Networks"


def _specs(quick: bool) -> dict:
    relu = claims.RELU_RUN
    linear = claims.HOMOGENEOUS_RUN
    return {
        "relu_gd": {**relu, "dynamics": {**relu["dynamics"], "t_max": 1e3 if quick else 1e5}},
        "linear_gf": {**linear, "dynamics": claims.log_time_gf(1e10 if quick else 1e30)},
    }


def _figure(path: Path, results: dict, svm_margin: float) -> str:
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    for colour, (name, ds) in zip(("C3", "C0"), results.items()):
        t = ds["time"].values
        keep = t > 0
        axes[0].semilogx(t[keep], ds["smoothed_margin"].values[keep], color=colour, label=f"{name}: smoothed γ̃")
        axes[0].semilogx(t[keep], ds["normalized_margin"].values[keep], "--", color=colour,
                         label=f"{name}: normalized γ")
        axes[1].loglog(t[keep], ds["loss"].values[keep], color=colour, label=name)
    axes[0].axhline(svm_margin / 2, color="k", ls=":", label="γ_SVM/2 (linear net's limit)")
    axes[0].set_ylim(0, 0.13)
    axes[0].set_title("(a) smoothed margin −log L/‖θ‖² and normalized margin min yf/‖θ‖²", fontsize=9)
    axes[1].set_title("(b) loss", fontsize=9)
    for ax in axes:
        ax.set_xlabel("gradient-flow time t (GD: t = kη)")
        finish_panel(ax, fontsize=7)
    fig.suptitle("Lyu & Li (2020): 2-homogeneous nets on separable data (exponential loss)", fontsize=10)
    return save_figure(fig, path)


def reproduce(out: Path, quick: bool = False) -> dict:
    """Run both nets, write ``figures/lyu_margins.png``, ``table.md``, ``table.json``."""
    out, elapsed = start(out)
    specs = _specs(quick)
    results = {name: run(spec) for name, spec in specs.items()}
    svm = mm.hard_margin_svm(claims.folded_data(specs["linear_gf"]))
    figure = _figure(out / "figures" / "lyu_margins.png", results, svm.margin)
    rows = []
    for name, ds in results.items():
        drop, detail = claims.smoothed_margin_drop(ds)
        rows.append({"run": name, "t_end": float(ds["time"][-1]), **detail, "worst_relative_drop": drop,
                     "status": int(ds["status"])})
    columns = [(c, c) for c in ("run", "t_end", "loss_end", "smoothed_margin_end", "normalized_margin_end",
                                "worst_relative_drop")]
    md = "\n".join([
        *header(PAPER, quick, elapsed()),
        f"Data: {claims.FAST}, exponential loss; SVM margin {svm.margin:.6f}.", "", md_table(rows, columns),
        "", "worst_relative_drop: largest relative decrease of the smoothed margin between records once L < 1 "
        "(≤ 0: never decreases).", "", "Figure: `figures/lyu_margins.png`.", ""])
    table = write_tables(out, {"paper": PAPER, "quick": quick,
                               "key_numbers": {"svm_margin": svm.margin, "runs": rows}}, md)
    relu = rows[0]
    return {"out": str(out), "figures": [figure], "key_numbers": table["key_numbers"],
            "table": f"ReLU net, GD to t = {relu['t_end']:.0e}: loss {relu['loss_end']:.3g}, smoothed margin "
                     f"{relu['smoothed_margin_end']:.4g}, normalized {relu['normalized_margin_end']:.4g}, worst "
                     f"drop {relu['worst_relative_drop']:.2g}"}
