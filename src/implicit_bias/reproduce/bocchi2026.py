r"""Bocchi, Regimbeau, Lucibello, Saglietti, Cammarota (2026): one-pass SGD on two-layer
quadratic networks, rerun through the package.

*Escape dynamics and implicit bias of one-pass SGD in overparameterized quadratic networks*
(arXiv:2604.03068). Only the abstract is public; the formulas are those of
``shared/papers/quadratic-teacher-student.md`` (``theory.quadratic_teacher_student``).
Figures:

1. ``loss_vs_alpha``: population loss of one-pass SGD (seed means, several N) from a random
   init (overlaps O(N^{-1/2})) against the overlap ODE started from each seed's own overlaps,
   with the noisy plateau value.
2. ``escape_time``: left, α_esc (‖M‖_F = 0.5) against ln N, SGD (seed means ± SE) and the ODE
   from the plateau with ‖M(0)‖ ∝ N^{-1/2}, with the predicted slope 1/(2r); right, α_esc at
   N = 10⁴ against p/p* (ODE, gradient-flow part, r fixed), a = 1 and a = 1/p.
3. ``conserved``: ‖polar M(α) − polar M(0)‖ along SGD (several N, init with M(0) = 0.3·Z, η = 0.05)
   and along the ODE, isotropic and anisotropic init.
4. ``hessian``: the population-loss Hessian spectrum at the plateau and on the zero-loss manifold.
5. ``erf_committee``: the same SGD-against-ODE comparison for the erf soft committee machine
   (Saad & Solla 1995; p = p* = 2, η = 0.5, init scale 0.1, from overlaps O(N^{-1/2})): the symmetric plateau and the
   specialization, a cross-check of the ODE machinery (``theory.erf_committee``).

Choices: p = 4, p* = 2 orthonormal teacher (T = I), a = b = 1 unless stated, η = 0.1,
init W = 0.5·G (Q(0) ≈ 0.25·I). ``quick`` shrinks N, seeds and α (checks the machinery only).
"""

import json
import math
from pathlib import Path

import jax
import jax.numpy as jnp
import matplotlib

matplotlib.use("Agg")  # files only
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ..analysis import power_law_fit  # noqa: E402
from ..claims.quadratic_teacher_student import (ERF_ALPHA, ERF_LR, ERF_SEEDS, P, P_STAR,  # noqa: E402
                                                POLAR_SCALES, TRACK_N, TRACK_OVERLAP, TRACK_SEEDS, T, _escape_from,
                                                _measure_hessian, ode_observables, polar_along_ode, sgd_spec)
from ..experiment import run  # noqa: E402
from ._output import start  # noqa: E402
from ..theory import quadratic_teacher_student as qt  # noqa: E402

PAPER = ("Bocchi, Regimbeau, Lucibello, Saglietti, Cammarota (2026), Escape dynamics and implicit bias of "
         "one-pass SGD in overparameterized quadratic networks, arXiv:2604.03068")
ETA = 0.1
FULL = dict(Ns=(250, 1000, 4000, 16000), seeds=8, alpha=30.0, n_times=121, warm_n_times=61, polar_points=121,
            ode_Ns=(1e2, 1e3, 1e4, 1e6, 1e8), ps=(1, 2, 3, 4, 6, 8),
            erf=dict(Ns=(250, 500, 1000), seeds=8, alpha=300.0, overlap=0.0, scale=0.1, n_times=121, t_min=2.5))
# Quick: compiling is nearly all the cost (every N, seed count, record grid, p and ODE variant is
# a program of its own; the runs take well under a second), so one N, one p, and every record
# grid the claims' 9 points. Each quick program is then one the claims' test sizes compile too
# (lr, overlap, α, a and η are array settings): the SGD runs, random init and O(1) overlap alike,
# are qts_sgd_tracks_ode's N = 100, 8-seed ensemble, their ODE and the polar ODE its 9-point ODE,
# the p panel qts_escape_time_log_n's p = 2 case, the erf panel erf_sgd_tracks_ode's N = 200,
# 32-seed run.
QUICK = dict(Ns=(TRACK_N[0],), seeds=TRACK_SEEDS, alpha=6.0, n_times=9, warm_n_times=9, polar_points=9,
             ode_Ns=(1e3, 1e6), ps=(2,),
             erf=dict(Ns=(200,), seeds=2 * ERF_SEEDS, alpha=ERF_ALPHA, overlap=TRACK_OVERLAP, scale=0.5, n_times=9,
                      t_min=0.5))


def _sgd(sizes) -> dict:
    return {N: run(sgd_spec(N, sizes["seeds"], lr=ETA, alpha=sizes["alpha"], overlap=0.0, n_times=sizes["n_times"],
                            t_min=sizes["alpha"] / 120)) for N in sizes["Ns"]}


def reproduce(out: Path, quick: bool = False) -> dict:
    """Write ``out/figures/*.png``, ``out/table.md``, ``out/table.json``; return paths and key numbers."""
    out, elapsed = start(out)
    sizes = QUICK if quick else FULL
    sgd = _sgd(sizes)
    pl = qt.plateau(T, P, 1.0, 1.0, ETA)
    r = qt.escape_rate(T, P, 1.0, 1.0, ETA)
    figures, numbers = [], {"plateau_loss": pl.loss, "noiseless_plateau_loss": qt.plateau(T, P, 1.0, 1.0).loss,
                            "escape_rate": r, "predicted_slope": 1 / (2 * r)}

    # 1. loss vs α
    fig, ax = plt.subplots(figsize=(6.4, 4.4), constrained_layout=True)
    sgd_esc = {}
    for i, (N, ds) in enumerate(sgd.items()):
        alphas = ds.time.values
        ode = ode_observables(sgd_spec(N, sizes["seeds"], lr=ETA, alpha=sizes["alpha"], overlap=0.0), alphas, ETA)
        ax.plot(alphas, ds.loss.mean("seed"), color=f"C{i}", label=f"SGD N = {N}")
        ax.plot(alphas, ode["loss"].mean(0), color=f"C{i}", ls="--", lw=1)
        esc = np.array([qt.escape_time(alphas, m, 0.5) for m in ds.overlap_m_norm.values])
        sgd_esc[N] = (float(np.nanmean(esc)), float(np.nanstd(esc, ddof=1) / math.sqrt(esc.size)) if esc.size > 1 else 0.0)
    ax.axhline(pl.loss, color="k", ls=":", lw=1, label="plateau (with noise)")
    ax.set(yscale="log", xlabel="α = steps/N", ylabel="population loss",
           title="one-pass SGD (solid) vs overlap ODE (dashed), p = 4, p* = 2, η = 0.1")
    ax.legend(fontsize=8)
    figures.append(_save(fig, out / "figures" / "loss_vs_alpha.png"))
    numbers["sgd_escape_time"] = {N: v[0] for N, v in sgd_esc.items()}

    # 2. escape time vs ln N and vs p/p*
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    ode_esc = {N: _escape_from(N, ETA, q0=None)[3] for N in sizes["ode_Ns"]}
    x = np.log(list(ode_esc))
    a1.plot(x, list(ode_esc.values()), "o-", label="ODE from the plateau, ‖M(0)‖ ∝ N^-1/2")
    a1.plot(x, ode_esc[sizes["ode_Ns"][0]] + (x - x[0]) / (2 * r), "k:", label=f"slope 1/(2r) = {1 / (2 * r):.3f}")
    a1.errorbar(np.log(list(sgd_esc)), [v[0] for v in sgd_esc.values()], [v[1] for v in sgd_esc.values()],
                fmt="s", label="SGD (seed mean ± SE), from Q = 0.25·I")
    a1.set(xlabel="ln N", ylabel="α_esc (‖M‖_F = 0.5)")
    a1.legend(fontsize=8)
    numbers["ode_escape_slope"] = float(power_law_fit(list(ode_esc), list(ode_esc.values()), log_y=False,
                                                       strict=True).slope)
    if len(sgd_esc) > 1:
        numbers["sgd_escape_slope"] = float(power_law_fit(list(sgd_esc), [v[0] for v in sgd_esc.values()], log_y=False,
                                                           strict=True).slope)
    by_p = {}
    for norm in ("a=1", "a=1/p"):
        ts = []
        for p in sizes["ps"]:
            a = 1.0 if norm == "a=1" else 1.0 / p
            ts.append(_escape_from(1e4, ETA / a, p, a, 1.0, noise=False, q0=None)[3])
        by_p[norm] = dict(zip(sizes["ps"], ts))
        a2.plot(np.array(sizes["ps"]) / P_STAR, ts, "o-", label=norm + " (η = 0.1/a)")
    a2.axhline(math.log(1e4) / (2 * 4 * ETA), color="k", ls=":", lw=1, label="ln N/(2r)")
    a2.set(xlabel="p/p*", ylabel="α_esc at N = 10⁴ (ODE, no noise, r = 0.4)")
    a2.legend(fontsize=8)
    figures.append(_save(fig, out / "figures" / "escape_time.png"))
    numbers["escape_time_vs_p"] = by_p

    # 3. conserved quantity, from an init with O(1) overlap (M(0) = 0.3·Z): from a random init the
    # SGD noise injects overlaps as large as M(0) ~ N^-1/2 during the plateau (README, "What we found").
    fig, ax = plt.subplots(figsize=(6.4, 4.4), constrained_layout=True)
    warm = {N: run(sgd_spec(N, sizes["seeds"], lr=0.05, alpha=sizes["alpha"] / 2, overlap=0.3,
                            n_times=sizes["warm_n_times"], t_min=sizes["alpha"] / 120)) for N in sizes["Ns"]}
    for i, (N, ds) in enumerate(warm.items()):
        ax.plot(ds.time.values[1:], ds.polar_m_drift.mean("seed")[1:], color=f"C{i}", label=f"SGD N = {N}")
    alphas = jnp.linspace(0.0, sizes["alpha"], sizes["polar_points"])
    drifts = {}
    for (name, scales), ls in zip(POLAR_SCALES.items(), ("--", "-.")):
        d, _ = polar_along_ode(scales, alphas, ETA)
        drifts[name] = float(d.max())
        ax.plot(np.asarray(alphas[1:]), np.maximum(d[1:], 1e-17), "k" + ls, lw=1, label=f"ODE, {name} Q⊥(0)")
    ax.set(yscale="log", xlabel="α", ylabel="‖polar M(α) − polar M(0)‖_F",
           title="conserved polar(M): SGD drift is O(N^-1/2); the ODE's is rounding")
    ax.legend(fontsize=8)
    figures.append(_save(fig, out / "figures" / "conserved.png"))
    numbers["ode_polar_drift"] = drifts
    numbers["sgd_final_polar_drift"] = {N: float(ds.polar_m_drift.isel(time=-1).mean()) for N, ds in warm.items()}
    numbers["sgd_final_polar_drift_random_init"] = {N: float(ds.polar_m_drift.isel(time=-1).mean())
                                                    for N, ds in sgd.items()}

    # 4. Hessian spectra
    from ..initializations import orthonormal_columns
    from ..problems import make_teacher

    fig, ax = plt.subplots(figsize=(6.4, 4.4), constrained_layout=True)
    n = 12
    teacher = jnp.asarray(make_teacher("orthonormal", P_STAR, n, 0))
    W_pl = qt.plateau_weights(jax.random.key(1), P, teacher, qt.plateau(T, P, 1.0, 1.0).q)
    W_mf = orthonormal_columns(jax.random.key(2), P, P_STAR) @ teacher
    for i, (name, W) in enumerate((("plateau", W_pl), ("zero-loss manifold", W_mf))):
        eigs = np.asarray(qt.hessian_spectrum(W, teacher, 1.0, 1.0))
        ax.plot(np.arange(eigs.size), eigs * n, "o", ms=3, color=f"C{i}",
                label=f"{name}: {qt.count_eigenvalues(eigs, 1e-8)}")
    ax.axhline(-4, color="k", ls=":", lw=1, label="−4ab")
    ax.set(xlabel="index", ylabel="N × eigenvalue", title=f"population-loss Hessian, p = {P}, p* = {P_STAR}, N = {n}")
    ax.legend(fontsize=7)
    figures.append(_save(fig, out / "figures" / "hessian.png"))
    mismatches, _, _, counts = _measure_hessian({})
    numbers["hessian_count_mismatches"] = mismatches

    # 5. erf soft committee machine: SGD against its closed-form overlap ODE
    fig, ax = plt.subplots(figsize=(6.4, 4.4), constrained_layout=True)
    numbers["erf_final_loss"] = {}
    erf = sizes["erf"]
    for i, N in enumerate(erf["Ns"]):
        spec = sgd_spec(N, erf["seeds"], lr=ERF_LR, alpha=erf["alpha"], overlap=erf["overlap"], scale=erf["scale"],
                        n_times=erf["n_times"], t_min=erf["t_min"], p=P_STAR, activation="erf")
        ds = run(spec)
        ode = ode_observables(spec, ds.time.values, ERF_LR)
        ax.plot(ds.time.values, ds.loss.mean("seed"), color=f"C{i}", label=f"SGD N = {N}")
        ax.plot(ds.time.values, ode["loss"].mean(0), color=f"C{i}", ls="--", lw=1)
        numbers["erf_final_loss"][N] = {"sgd": float(ds.loss.isel(time=-1).mean()), "ode": float(ode["loss"][:, -1].mean())}
    ax.set(yscale="log", xlabel="α = steps/N", ylabel="population loss",
           title=f"erf committee machine, p = p* = {P_STAR}, η = {ERF_LR}: SGD (solid) vs ODE (dashed)")
    ax.legend(fontsize=8)
    figures.append(_save(fig, out / "figures" / "erf_committee.png"))

    seconds = elapsed()
    table = {"paper": PAPER, "quick": quick, "sizes": sizes, "seconds": seconds, "key_numbers": numbers,
             "hessian_counts": counts}
    (out / "table.json").write_text(json.dumps(table, indent=2, default=float))
    lines = [f"# {PAPER}", "", f"quick = {quick}; {seconds:.0f} s", "", "| quantity | value |", "|---|---|"]
    lines += [f"| {k} | {json.dumps(v, default=float)} |" for k, v in numbers.items()]
    (out / "table.md").write_text("\n".join(lines) + "\n")
    return {"out": str(out), "figures": figures, "table_md": str(out / "table.md"),
            "table_json": str(out / "table.json"), "key_numbers": json.loads(json.dumps(numbers, default=float)),
            "seconds": seconds}


def _save(fig, path: Path) -> str:
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return str(path)
