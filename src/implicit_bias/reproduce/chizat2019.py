r"""Chizat, Oyallon & Bach (2019), *On lazy training in differentiable programming*
(arXiv:1812.07956), Thm. 2.3: the gap between a model scaled by α (trained on L/α²) and its
linearization at the init, against α on log axes, for a centred Gaussian init (slope −1) and a
paired init with f(w₀) = 0 (slope −2).

The model is the diagonal network β = u² − v² on 6 Gaussian samples in 12 dimensions (the claims'
setting, :mod:`implicit_bias.claims.lazy`), gradient flow to T = 5 in the L/α² clock. Choices: a
smooth f, because with the ReLU net the gap comes from neurons crossing their kink (discrete
events; README, "What we found") and the adaptive solver stalls at the kinks.
"""

from pathlib import Path

import numpy as np

from ..claims import lazy as claims
from ..experiment import run
from ._output import finish_panel, header, md_table, plt, save_figure, start, write_tables

PAPER = "Chizat, Oyallon, Bach (2019), On Lazy Training in Differentiable Programming"
EXPONENTS = {"gaussian": 1.0, "paired": 2.0}
FULL_ALPHAS = (2.0, 4.0, 8.0, 16.0, 32.0, 64.0)


def _gaps(alphas, init: str, quick: bool) -> np.ndarray:
    """The gap at each α. Full: a model (and its linearization) per α. Quick: the claims' test
    size, every α run by the one model at α = alphas[0] from its init rescaled by √(α/alphas[0])
    (f is 2-homogeneous, :func:`claims.rescaled_runs`): two compiled programs per init instead of
    two per α, and the very programs the claims' tests compile."""
    if quick:
        runs, pairs = claims.rescaled_runs(alphas, alphas[0], init)
        return claims.pair_gaps(runs, {name: run(spec) for name, spec in runs.items()}, pairs.values())
    runs = claims.lazy_runs(alphas, init)
    return claims.lazy_gaps(runs, {name: run(spec) for name, spec in runs.items()}, alphas, init)


def _figure(path: Path, alphas: np.ndarray, gaps: dict) -> str:
    fig, ax = plt.subplots(figsize=(6, 4.5), constrained_layout=True)
    for colour, (init, gap) in zip(("C0", "C3"), gaps.items()):
        p = EXPONENTS[init]
        ax.loglog(alphas, gap, "o-", color=colour,
                  label=f"{init} init: slope {claims.fitted_slope(alphas, gap):.3f}")
        ax.loglog(alphas, gap[-1] * (alphas / alphas[-1]) ** -p, ":", color=colour, label=f"α^(−{p:g})")
    ax.set_xlabel("scale α")
    ax.set_ylabel("RMS gap, trained model vs trained linearization")
    finish_panel(ax)
    ax.set_title("Chizat et al. (2019): lazy training, diagonal net u² − v², GF to T = 5 (L/α² clock)", fontsize=9)
    return save_figure(fig, path)


def reproduce(out: Path, quick: bool = False) -> dict:
    """Run both inits over α, write ``figures/chizat_gap.png``, ``table.md``, ``table.json``."""
    out, elapsed = start(out)
    grid = claims.QUICK_ALPHAS if quick else FULL_ALPHAS
    gaps = {init: _gaps(grid, init, quick) for init in EXPONENTS}
    alphas = np.array(grid)
    figure = _figure(out / "figures" / "chizat_gap.png", alphas, gaps)
    slopes = {init: claims.fitted_slope(alphas, gap) for init, gap in gaps.items()}
    rows = [{"alpha": float(a), **{init: float(gap[i]) for init, gap in gaps.items()}} for i, a in enumerate(alphas)]
    md = "\n".join([
        *header(PAPER, quick, elapsed()),
        f"Problem: {claims.PROBLEM}; GF to T = {claims.T} in the L/α² clock.", "",
        md_table(rows, [("α", "alpha"), *((f"gap ({init})", init) for init in gaps)]),
        "", "Fitted log–log slopes: " + ", ".join(f"{init} {s:.4f} (predicted −{EXPONENTS[init]:g})"
                                                  for init, s in slopes.items()) + ".",
        "", "Figure: `figures/chizat_gap.png`.", ""])
    table = write_tables(out, {"paper": PAPER, "quick": quick, "key_numbers": {
        "alphas": alphas, "gaps": gaps, "slopes": slopes}}, md)
    return {"out": str(out), "figures": [figure], "key_numbers": table["key_numbers"],
            "table": "; ".join(f"{init}: slope {s:.3f} (predicted −{EXPONENTS[init]:g})" for init, s in slopes.items())}
