r"""Soudry, Hoffer, Nacson, Gunasekar, Srebro (2018), *The implicit bias of gradient descent on
separable data* (arXiv:1710.10345), Fig. 1 and Thm. 3, rerun through the package.

A linear model on 12 asymmetric separable points in 2-D (two support vectors with unequal
dual variables, so the correction :math:`\tilde w` is visible): GD on the logistic loss
(η = 0.5, as the paper's figure) and log-time gradient flow on the exponential loss up to
t = 10⁴⁰. Plotted against log t: the angle to the SVM direction with the finite-t prediction
(angle of :math:`\hat w\log t + \tilde w`), the normalized margin with the SVM margin, t·L(t)
with :math:`\lVert\hat w\rVert^2`, and the residual :math:`\lVert w - \hat w\log t - \tilde w\rVert`
with its predicted rate :math:`t^{-\mu}`.

Panels (e)–(f) add GD on log L (steps η/L, Nacson et al. 2019; η = 1 on the exponential loss):
against the loss it reaches in a given number of steps it leaves constant-step GD far behind
(10⁻⁵⁶⁷⁸ in 10⁵ steps on these data), and s·(γ* − γ) settles on the derived constant Σ_S aₙ log(a_max/aₙ)/‖ŵ‖
(claim ``normalized_gd_margin_rate``).

Choices: GF time on the axes of (b)–(d) (GD's t = kη); the paper's data are not given, so ours
are generated (``problem.data = "separable"``, margin 0.2, data seed 0).
"""

from pathlib import Path

import numpy as np

from ..claims import max_margin as claims
from ..experiment import run
from ..theory import max_margin as mm
from ._output import finish_panel, fmt, plt, save_figure, start, write_tables

PAPER = "Soudry, Hoffer, Nacson, Gunasekar, Srebro (2018), The Implicit Bias of Gradient Descent on Separable Data"
QUANTITIES = ["loss", "log_loss", "t_times_loss", "normalized_margin", "angle_to_max_margin",
              "predicted_angle_to_max_margin", "distance_to_max_margin_path"]
NORMALIZED_GD_QUANTITIES = ["loss", "log_loss", "normalized_margin", "angle_to_max_margin"]
DATA = claims.THETA_BRANCH


def _specs(quick: bool) -> dict:
    gd_t = 1e3 if quick else 1e5
    observe = {"quantities": QUANTITIES, "n_times": 41, "t_min": 0.5}
    base = claims.classification_spec(DATA, claims.LINEAR, claims.log_time_gf(1e40), QUANTITIES)
    return {
        "gd_logistic": {**base, "problem": {**base["problem"], "loss": "logistic"}, "observe": observe,
                        "dynamics": {"kind": "gradient_descent", "lr": 0.5, "t_max": gd_t}},
        "gf_exponential": {**base, "observe": observe},
        # t_times_loss and the ŵ log t + w̃ observables read GF time, which this run's clock is not
        "gd_log_loss": {**base, "observe": {**observe, "t_min": 1.0, "quantities": NORMALIZED_GD_QUANTITIES},
                        "dynamics": {**claims.NORMALIZED_GD, "t_max": gd_t}},
    }


def _figure(path: Path, results: dict, Z: np.ndarray, svm: mm.MaxMargin, mu: float) -> str:
    fig, axes = plt.subplots(2, 3, figsize=(16, 8), constrained_layout=True)
    ax = axes[0, 0]
    ax.scatter(*Z[~svm.support].T, c="C0", s=20, label="z_n = y_n x_n")
    ax.scatter(*Z[svm.support].T, c="C3", s=40, label="support vectors")
    line = np.array([-svm.w[1], svm.w[0]]) / np.linalg.norm(svm.w)
    for offset in (0.0, 1.0):
        base = offset * svm.w / (svm.w @ svm.w)
        ax.plot(*(base[:, None] + np.outer(line, [-3, 3])), "k--" if offset else "k-", lw=0.8)
    ax.arrow(0, 0, *(svm.w / np.linalg.norm(svm.w)), width=0.01, color="C2", label="ŵ/‖ŵ‖")
    ax.set_aspect("equal")
    ax.set_title(f"(a) folded data, SVM margin {svm.margin:.3f}; a_S = {np.round(svm.dual[svm.support], 2)}",
                 fontsize=9)
    ax.legend(fontsize=7)
    colours = {"gd_logistic": "C0", "gf_exponential": "C1", "gd_log_loss": "C2"}
    for name, ds in results.items():
        t = ds["time"].values
        keep = t > 0
        colour = colours[name]
        axes[0, 2].loglog(-ds["log_loss"].values[keep] / np.log(10), ds["angle_to_max_margin"].values[keep],
                          color=colour, label=name)
        if name == "gd_log_loss":
            continue  # its time is s = kη in the clock ds = L dt: not on the GF-time axes
        axes[0, 1].loglog(t[keep], ds["angle_to_max_margin"].values[keep], color=colour, label=f"{name}: angle")
        axes[1, 0].semilogx(t[keep], ds["normalized_margin"].values[keep], color=colour, label=name)
        axes[1, 1].loglog(t[keep], np.abs(ds["t_times_loss"].values[keep] / (svm.w @ svm.w) - 1), color=colour,
                          label=f"{name}: |t·L/‖ŵ‖² − 1|")
        axes[1, 1].loglog(t[keep], ds["distance_to_max_margin_path"].values[keep], "--", color=colour,
                          label=f"{name}: ‖w − ŵ log t − w̃‖")
    ds = results["gf_exponential"]
    t = ds["time"].values[1:]
    axes[0, 1].loglog(t, ds["predicted_angle_to_max_margin"].values[1:], "k:", label="angle(ŵ log t + w̃, ŵ)")
    axes[0, 1].set_title("(b) angle to the SVM direction, with the finite-t prediction", fontsize=9)
    axes[1, 0].axhline(svm.margin, color="k", ls=":", label="SVM margin 1/‖ŵ‖")
    axes[1, 0].set_title("(c) normalized margin min_n z_nᵀw/‖w‖", fontsize=9)
    axes[1, 0].set_ylim(0, 1.3 * svm.margin)
    r = ds["distance_to_max_margin_path"].values[1:]
    ref = t > 1e10
    axes[1, 1].loglog(t[ref], r[ref][0] * (t[ref] / t[ref][0]) ** -mu, "k:", label=f"t^(−μ), μ = {mu:.3f}")
    axes[1, 1].set_title("(d) t·L(t) → ‖ŵ‖² and the residual of w(t) = ŵ log t + w̃", fontsize=9)
    axes[0, 2].set_xlabel("−log₁₀ L")
    ds = results["gd_log_loss"]
    axes[0, 2].set_title(f"(e) angle to ŵ against the loss reached (GD on log L, as many steps as GD: "
                         f"L = 10^{ds['log_loss'].values[-1] / np.log(10):.0f})", fontsize=9)
    s_ = ds["time"].values[1:]
    axes[1, 2].semilogx(s_, s_ * (svm.margin - ds["normalized_margin"].values[1:]), color="C2",
                        label="GD on log L: s·(γ* − γ(w))")
    axes[1, 2].axhline(claims.normalized_gd_margin_constant(svm), color="k", ls=":",
                       label="Σ_S aₙ log(a_max/aₙ)/‖ŵ‖ (derived)")
    axes[1, 2].set_xlabel("s = kη (clock ds = L dt)")
    axes[1, 2].set_title("(f) GD on log L: the margin error is a constant over s", fontsize=9)
    for ax in axes.flat[1:]:
        finish_panel(ax, fontsize=7)
    for ax in (axes[0, 1], axes[1, 0], axes[1, 1]):
        ax.set_xlabel("gradient-flow time t (GD: t = kη)")
    fig.suptitle("Soudry et al. (2018): linear model on separable data, GD (logistic), GF (exponential, log clock) "
                 "and GD on log L (exponential)",
                 fontsize=10)
    return save_figure(fig, path)


def reproduce(out: Path, quick: bool = False) -> dict:
    """Run GD, GF and GD on log L; write ``figures/soudry_fig1.png``, ``table.md``, ``table.json``."""
    out, elapsed = start(out)
    specs = _specs(quick)
    results = {name: run(spec) for name, spec in specs.items()}
    Z = claims.folded_data(specs["gf_exponential"])
    svm = mm.hard_margin_svm(Z)
    w_tilde = mm.finite_time_correction(Z, svm)
    mu = mm.residual_decay_exponent(Z, svm)
    figure = _figure(out / "figures" / "soudry_fig1.png", results, Z, svm, mu)
    rows = []
    for name, ds in results.items():
        end = lambda q: float(ds[q][-1]) if q in ds else None  # noqa: E731
        angle, predicted = end("angle_to_max_margin"), end("predicted_angle_to_max_margin")
        rows.append({"run": name, "t_end": end("time"), "loss_end": end("loss"), "log_loss_end": end("log_loss"),
                     "angle_end": angle, "predicted_angle_end": predicted,
                     "angle_rel_error_end": abs(angle / predicted - 1) if predicted else None,
                     "t_L_end": end("t_times_loss"), "normalized_margin_end": end("normalized_margin"),
                     "residual_end": end("distance_to_max_margin_path"), "status": int(ds["status"])})
    key_numbers = {"svm_margin": svm.margin, "w_hat_sq": float(svm.w @ svm.w), "mu": mu,
                   "dual": svm.dual[svm.support], "w_tilde": w_tilde, "runs": rows}
    columns = ["run", "t_end", "log_loss_end", "angle_end", "predicted_angle_end", "angle_rel_error_end", "t_L_end",
               "normalized_margin_end", "residual_end"]
    md = "\n".join([
        f"# Reproduction: {PAPER}", "",
        f"Mode: {'quick' if quick else 'full'}; {elapsed():.0f} s. Data: {DATA}.", "",
        f"SVM: ŵ = {np.round(svm.w, 6).tolist()}, margin {svm.margin:.6f}, ‖ŵ‖² = {svm.w @ svm.w:.6f}, "
        f"duals on S {np.round(svm.dual[svm.support], 6).tolist()}; w̃ = {np.round(w_tilde, 6).tolist()}; "
        f"residual exponent μ = {mu:.4f}.", "",
        "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns),
        *["| " + " | ".join(r[c] if isinstance(r[c], str) else fmt(r[c], 6) for c in columns) + " |" for r in rows],
        "", "Figure: `figures/soudry_fig1.png`.", ""])
    table = write_tables(out, {"paper": PAPER, "quick": quick, "key_numbers": key_numbers}, md)
    gf = next(r for r in rows if r["run"] == "gf_exponential")
    return {"out": str(out), "figures": [figure], "key_numbers": table["key_numbers"],
            "table": f"GF to t = {gf['t_end']:.0e}: loss {gf['loss_end']:.3g}, angle {gf['angle_end']:.4g} "
                     f"(finite-t prediction {gf['predicted_angle_end']:.4g}), t·L = {gf['t_L_end']:.6g} "
                     f"(‖ŵ‖² = {svm.w @ svm.w:.6g})"}
