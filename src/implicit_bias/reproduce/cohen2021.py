r"""Cohen, Kaur, Li, Kolter & Talwalkar (2021), *Gradient descent on neural networks typically
occurs at the edge of stability* (ICLR 2021): full-batch GD's sharpness λ_max(∇²L) rises
(progressive sharpening) until it reaches 2/η, then hovers there while the loss keeps falling,
non-monotonically.

The claim ``edge_of_stability``'s runs (:mod:`implicit_bias.claims.edge_of_stability`): a tanh MLP
64→8→8→1 on 32 digits (3 vs 5), square loss, GD with η = 0.4, 0.5, 0.6 to t = 1000 (``--quick``:
its test size, η = 0.4, 0.6 to t = 300). Plotted against GF time t = kη: the sharpness with the
lines 2/η, and the loss.

Choices: the paper's own nets (CIFAR-10 subsets, fully connected and convolutional, MSE and
cross-entropy) are far larger; this is the smallest setting found here where every step sharpens
to 2/η (a 64→4→4→1 net does not: it stalls above 2/η with a loss that no longer falls).
"""

from pathlib import Path

from ..claims import edge_of_stability as eos
from ._output import colours, finish_panel, header, md_table, plt, save_figure, start, write_tables

PAPER = "Cohen, Kaur, Li, Kolter & Talwalkar (2021), Gradient Descent on Neural Networks Typically Occurs at the Edge of Stability"


def _figure(path: Path, ds, steps: list[float]) -> str:
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    t = ds["time"].values
    for colour, lr in zip(colours(len(steps)), steps):
        run_ = ds.sel({"dynamics.lr": lr})
        axes[0].plot(t, run_["sharpness"].values.ravel(), "o-", ms=3, color=colour, label=f"η = {lr:g}")
        axes[0].axhline(2 / lr, color=colour, ls="--", lw=0.9, label=f"2/η = {2 / lr:.3g}")
        axes[1].semilogy(t, run_["loss"].values.ravel(), "o-", ms=3, color=colour, label=f"η = {lr:g}")
    axes[0].set_title("(a) sharpness λ_max(∇²L): rises to 2/η, then hovers there", fontsize=9)
    axes[1].set_title("(b) training loss ½Σ(f − y)²: falls, non-monotonically", fontsize=9)
    for ax in axes:
        ax.set_xlabel("gradient-flow time t = kη")
        finish_panel(ax, fontsize=7)
    fig.suptitle("Cohen et al. (2021): full-batch GD at the edge of stability (tanh MLP, 32 digits)", fontsize=10)
    return save_figure(fig, path)


def reproduce(out: Path, quick: bool = False) -> dict:
    """Run GD for each step, write ``figures/edge_of_stability.png``, ``table.md``, ``table.json``."""
    out, elapsed = start(out)
    steps = eos.QUICK_STEPS if quick else eos.STEPS
    ds = eos.CLAIM.results(quick)["gd"]
    figure = _figure(out / "figures" / "edge_of_stability.png", ds, steps)
    rows = [{"eta": lr, **eos.edge_numbers(ds.sel({"dynamics.lr": lr}), lr)} for lr in steps]
    for row in rows:
        row["late_half_range"] = (row["late_min_max"][1] - row["late_min_max"][0]) / 2
    columns = [("η", "eta"), ("2/η", "two_over_eta"), ("ηλ/2 at init", "ratio_init"), ("t crossing", "t_cross"),
               ("λ cross/λ init", "sharpening"), ("late median ηλ/2", "late_median"),
               ("late half-range", "late_half_range"), ("loss at crossing", "loss_cross"), ("loss at end", "loss_end"),
               ("loss rises", "loss_rises")]
    md = "\n".join([*header(PAPER, quick, elapsed()),
                    f"Late phase: t ≥ {float(ds['time'][-1]) / 2:g}; ηλ/2 = η·λ_max/2 (1 at the edge).", "",
                    md_table(rows, columns), "", "Figure: `figures/edge_of_stability.png`.", ""])
    key_numbers = {"worst_median_deviation": max(abs(r["late_median"] - 1) for r in rows),
                   "largest_half_range": max(r["late_half_range"] for r in rows), "runs": rows}
    table = write_tables(out, {"paper": PAPER, "quick": quick, "key_numbers": key_numbers}, md)
    medians = ", ".join(f"{r['late_median']:.3f}" for r in rows)
    return {"out": str(out), "figures": [figure], "key_numbers": table["key_numbers"],
            "table": f"late median of η·λ_max/2 for η = {', '.join(f'{s:g}' for s in steps)}: {medians}"}
