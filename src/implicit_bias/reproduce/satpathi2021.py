r"""Satpathi & Srikant (2021): distance of GD's weights to the linearized min-norm solution.

*The Dynamics of Gradient Descent for Overparametrized Neural Networks* (L4DC 2021, PMLR 144;
arXiv:2105.06569), notation of ``shared/papers/ntk-relu.md``. The experiment: n = 100 points
uniform in :math:`[-1, 1]^5` scaled to unit norm, :math:`y = (x^\top\beta)^2` (β uniform in
:math:`[-1, 1]^5`), y standardized; a two-layer ReLU net with fixed ±1 output weights; widths
m ∈ {1000, 2000, 5000, 10000}; full-batch GD, step 0.01, 10⁴ epochs, 5 repetitions. Plotted
against epochs: :math:`V_\perp = \lVert P_0^\perp(w - w_L^*)\rVert^2`,
:math:`\lVert w - w_L^*\rVert^2` and :math:`\lVert w - w(0)\rVert^2`.

Everything runs through the package: one spec sweeping width and seed (``quadratic_teacher``
data, ``two_layer_relu`` model, ``ntk_gaussian`` init, ``gradient_descent``) and the
observables ``perp_distance_to_linearized_min_norm``, ``distance_to_linearized_min_norm``,
``distance_from_init`` (squared here, as the paper plots them).
"""

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ..claims.ntk import loglog_slope  # noqa: E402
from ..experiment import run  # noqa: E402
from ._output import colours, jsonable, md_table, save_figure, start  # noqa: E402

PAPER = ("Satpathi & Srikant (2021), The Dynamics of Gradient Descent for Overparametrized Neural "
         "Networks, L4DC 2021 (PMLR 144), arXiv:2105.06569")

FULL = {"n_samples": 100, "widths": [1000, 2000, 5000, 10000], "seeds": 5, "epochs": 10_000}
# Quick: each width is a compiled program and compiling is nearly all of the cost (2000 epochs
# run in well under a second), so two widths a factor 4 apart, with 4 seeds each (an ensemble:
# the seeds share the program) to steady the two-point slopes.
QUICK = {"n_samples": 30, "widths": [200, 800], "seeds": 4, "epochs": 2_000}
LR = 0.01

CHOICES = [
    "Loss ½Σᵢ(yᵢ − f(xᵢ))², so GD's step is the paper's half-gradient update w ← w − η∇f(f − Y) with η = 0.01; "
    "one epoch = one full-batch step, GF time t = 0.01 × epochs.",
    "Bias as an input: x̃ = (x, 1), the paper's model (inputs normalized to unit norm, as the experiment says, not "
    "to √d as the theory assumes).",
    "Init w_k(0) ~ N(0, κ²I) with κ = 1 (the scale is not stated; κ = 1 is the setting of the GD theorem, whose "
    "small-κ variant is needed only for the generalization result), a_k = ±1 fair coins, fixed.",
    "One data set (data seed 0: β and the inputs) for all widths and repetitions; repetitions differ in the init.",
    "w_L* and P₀ are computed exactly at each run's own init (H₀ = ∇f₀ᵀ∇f₀ by Cholesky), without forming ∇f₀.",
    "10⁴ epochs reach t = 100 (λ_min(H∞) ≈ 0.017 for these 100 points, so the slowest kernel direction has decayed "
    "only by e^(−1.7)); the labels have little weight there, and the loss falls from ≈ 50 to ≈ 2–4·10⁻⁵ (table).",
]


def _spec(sizes: dict) -> dict:
    return {
        "name": "satpathi2021",
        "problem": {"kind": "regression", "n_samples": sizes["n_samples"], "input_dim": 5, "data": "quadratic_teacher"},
        "model": {"kind": "two_layer_relu", "width": sizes["widths"][0]},
        "init": {"kind": "ntk_gaussian", "kappa": 1.0},
        "dynamics": {"kind": "gradient_descent", "lr": LR, "t_max": LR * sizes["epochs"]},
        "observe": {"quantities": ["loss", "perp_distance_to_linearized_min_norm", "distance_to_linearized_min_norm",
                                   "distance_from_init", "kernel_norm", "max_neuron_movement"],
                    "n_times": 40, "t_min": LR},
        "sweep": {"model.width": sizes["widths"], "seed": list(range(sizes["seeds"]))},
    }


PANELS = [("perp_distance_to_linearized_min_norm", "‖P₀⊥(w − w_L*)‖²"),
          ("distance_to_linearized_min_norm", "‖w − w_L*‖²"),
          ("distance_from_init", "‖w − w(0)‖²")]


def _figure_curves(path: Path, ds, widths: list[int]) -> str:
    epochs = ds["time"].values / LR
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    for ax, (name, label) in zip(axes, PANELS):
        for width, colour in zip(widths, colours(len(widths))):
            sq = ds[name].sel({"model.width": width}).values ** 2  # seed × time
            mean = sq.mean(axis=0)
            ax.plot(epochs[1:], mean[1:], color=colour, label=f"m = {width}")
            ax.fill_between(epochs[1:], sq.min(axis=0)[1:], sq.max(axis=0)[1:], color=colour, alpha=0.2)
        ax.set(xscale="log", yscale="log", xlabel="epoch", title=label)
    axes[0].legend()
    fig.suptitle("Satpathi & Srikant (2021): GD on a two-layer ReLU net (mean and range over seeds)")
    fig.tight_layout()
    return save_figure(fig, path)


def _figure_widths(path: Path, rows: list[dict], fits: dict) -> str:
    widths = np.array([r["width"] for r in rows], float)
    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    for key, label in (("distance_to_w_star", "‖w(T) − w_L*‖"), ("perp_distance", "‖P₀⊥(w(T) − w_L*)‖"),
                       ("movement_minus_kernel_norm", "|‖w(T) − w(0)‖ − √(YᵀH∞⁻¹Y)|")):
        y = np.array([r[key] for r in rows])
        ax.plot(widths, y, "o-", label=f"{label}: slope {fits[key]['slope']:.2f}")
    ref = rows[0]["distance_to_w_star"] * (widths / widths[0]) ** -0.25
    ax.plot(widths, ref, "k--", lw=0.8, label="m^(−1/4) (Thm. 3, GF)")
    ax.plot(widths, rows[0]["distance_to_w_star"] * (widths / widths[0]) ** -0.125, "k:", lw=0.8,
            label="m^(−1/8) (Thm. 4, GD)")
    ax.set(xscale="log", yscale="log", xlabel="width m", title="end of training vs width (seed means)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return save_figure(fig, path)


def reproduce(out: Path, quick: bool = False) -> dict:
    """Run the experiment; write ``out/figures/*.png``, ``out/table.md``, ``out/table.json`` and
    the spec (``out/spec.json``); return the paths and key numbers. ``quick`` shrinks n, the
    widths, the seeds and the epochs (:data:`QUICK`) to run in seconds."""
    out, elapsed = start(out)
    sizes = QUICK if quick else FULL
    spec = _spec(sizes)
    (out / "spec.json").write_text(json.dumps(spec, indent=2))
    ds = run(spec)
    seconds = elapsed()
    widths = sizes["widths"]
    final = {name: ds[f"final_{name}"].transpose("model.width", "seed").values
             for name, _ in PANELS + [("kernel_norm", ""), ("loss", ""), ("max_neuron_movement", "")]}
    gap = np.abs(final["distance_from_init"] - final["kernel_norm"])
    columns = {"distance_to_w_star": final["distance_to_linearized_min_norm"],
               "perp_distance": final["perp_distance_to_linearized_min_norm"],
               "movement_minus_kernel_norm": gap, "max_neuron_movement": final["max_neuron_movement"]}
    fits = {k: dict(zip(("slope", "slope_se"), loglog_slope(widths, v))) for k, v in columns.items()}
    rows = [{"width": w, **{k: float(v[i].mean()) for k, v in columns.items()},
             "distance_to_w_star_sq_std": float((columns["distance_to_w_star"][i] ** 2).std()),
             "distance_from_init": float(final["distance_from_init"][i].mean()),
             "kernel_norm": float(final["kernel_norm"][i].mean()),
             "final_loss": float(final["loss"][i].mean()),
             "all_finished": bool((ds["status"].sel({"model.width": w}).values != 2).all())}
            for i, w in enumerate(widths)]
    figures = [_figure_curves(out / "figures" / "distances_vs_epoch.png", ds, widths),
               _figure_widths(out / "figures" / "distances_vs_width.png", rows, fits)]
    key = {"slope_distance_to_w_star": fits["distance_to_w_star"]["slope"],
           "slope_distance_to_w_star_se": fits["distance_to_w_star"]["slope_se"],
           "slope_perp_distance": fits["perp_distance"]["slope"],
           "slope_max_neuron_movement": fits["max_neuron_movement"]["slope"],
           "all_finished": all(r["all_finished"] for r in rows)}
    table_md = "\n".join([
        f"# Reproduction: {PAPER}", "",
        f"Mode: {'quick (shrunken sizes; not the paper numbers)' if quick else 'full (the paper sizes)'}; "
        f"n = {sizes['n_samples']}, {sizes['seeds']} seeds, {sizes['epochs']} epochs; {seconds:.0f} s.", "",
        "## Choices the paper leaves open", "", *[f"- {c}" for c in CHOICES], "",
        "## End of training, by width (means over seeds)", "",
        md_table(rows, [("m", "width"), ("‖w − w_L*‖", "distance_to_w_star"), ("‖P₀⊥(w − w_L*)‖", "perp_distance"),
                         ("‖w − w(0)‖", "distance_from_init"), ("√(YᵀH∞⁻¹Y)", "kernel_norm"),
                         ("max_k ‖w_k − w_k(0)‖", "max_neuron_movement"), ("loss", "final_loss")]), "",
        "## Log–log slopes against width (all seeds)", "",
        md_table([{"quantity": k, **v} for k, v in fits.items()],
                  [("quantity", "quantity"), ("slope", "slope"), ("std. error", "slope_se")]), "",
        "Theorems: ‖w − w_L*‖ ≤ decaying term + O(m^(−1/4)) (GF, Thm. 3) and O(m^(−1/8)) (GD, Thm. 4); "
        "each neuron moves O(m^(−1/2)) (Du et al.).", ""])
    (out / "table.md").write_text(table_md)
    table = {"paper": PAPER, "quick": quick, "sizes": sizes, "choices": CHOICES, "seconds": seconds,
             "rows": rows, "fits": fits, "key_numbers": key}
    (out / "table.json").write_text(json.dumps(jsonable(table), indent=2))
    summary = "\n".join([f"m = {r['width']}: ‖w − w_L*‖ = {r['distance_to_w_star']:.4g}, "
                         f"‖P₀⊥(w − w_L*)‖ = {r['perp_distance']:.4g}, loss = {r['final_loss']:.3g}" for r in rows]
                        + [f"slope of ‖w − w_L*‖ vs m: {key['slope_distance_to_w_star']:.3f} ± "
                           f"{key['slope_distance_to_w_star_se']:.3f} (theorems: −1/4 GF, −1/8 GD)"])
    return jsonable({"out": str(out), "figures": figures, "table": summary, "table_md": str(out / "table.md"),
                      "table_json": str(out / "table.json"), "key_numbers": key, "seconds": seconds})
