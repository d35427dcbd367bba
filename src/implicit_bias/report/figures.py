"""Figures from a results Dataset: trajectories on log axes (median and quantile band over
seeds) with theory overlaid, final values against each swept axis, and phase diagrams
(a final value as a heatmap over two swept axes).

Swept axes are never pooled: seeds are the only axis summarized (median and band, or mean);
every other swept axis is a colour, a panel or a line of its own. Runs that did not converge
are marked, and slopes are fitted only where a curve is straight or over a range asked for."""

import contextlib
import itertools
import textwrap
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never needs a display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from ..analysis import power_law_fit  # noqa: E402
from ..dynamics import CONVERGED, DIVERGED, MAX_STEPS, MAX_TIME, STATUSES  # noqa: E402
from ..observables import REGISTRY  # noqa: E402

#: The band drawn around the median over seeds: the 10 % and 90 % quantiles.
BAND = (0.1, 0.9)


#: A curve gets a fitted log–log slope only where it is straight: its local slopes (between
#: neighbouring points) all within this of the fitted one. A curve that is not a power law (a
#: crossover, a plateau) gets none rather than one misleading global exponent.
STRAIGHT = 0.1


def _swept(ds: xr.Dataset, axes: list[str]) -> list[str]:
    """The swept axes that vary (size > 1), seeds excluded: each is split, never pooled."""
    return [a for a in axes if a != "seed" and a in ds.dims and ds.sizes[a] > 1]


def _squeeze(ds: xr.Dataset, axes: list[str]) -> xr.Dataset:
    """Drop swept axes with one value (nothing to split), keeping seeds."""
    return ds.squeeze([a for a in axes if a != "seed" and a in ds.dims and ds.sizes[a] == 1], drop=False)


def _label(coords: dict) -> str:
    return ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}" for k, v in coords.items())


def _points(ds: xr.Dataset, axes: list[str]):
    """Yield (coords, selection) for every combination of ``axes`` (one empty one without)."""
    for combo in itertools.product(*(ds[a].values.tolist() for a in axes)):
        coords = dict(zip(axes, combo))
        yield coords, ds.sel(coords)


def _runs(da: xr.DataArray) -> np.ndarray:
    """A point's runs as (seed, time) rows (one row without a seed axis)."""
    return (da.transpose("seed", "time") if "seed" in da.dims else da.expand_dims(seed=[0])).values


def _log_safe(values: np.ndarray) -> np.ndarray:
    return np.where(values > 0, values, np.nan)


@contextlib.contextmanager
def _nan_quiet():
    """Statistics of all-NaN slices (runs that diverged) are NaN, drawn as gaps: no warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _statuses(point: xr.Dataset) -> np.ndarray:
    return np.atleast_1d(point["status"].values).ravel() if "status" in point else np.zeros(1, int)


#: How a run that did not converge is marked: diverged (×), or stopped by its time or step cap (▷).
_MARKS = {DIVERGED: ("x", "C3", "diverged"), MAX_TIME: (">", "0.35", "stopped at t_max"),
          MAX_STEPS: (">", "0.35", "stopped at max_steps")}


def _facet_grid(n: int, size=(4.6, 3.4)):
    cols = min(n, 3)
    rows = -(-n // cols)
    fig, grid = plt.subplots(rows, cols, figsize=(size[0] * cols, size[1] * rows + 0.6), squeeze=False,
                             constrained_layout=True)
    for ax in grid.ravel()[n:]:
        ax.set_visible(False)
    return fig, grid.ravel()[:n]


def trajectory_figure(ds: xr.Dataset, name: str, axes: list[str], path: Path, discrete: bool = False) -> dict:
    """``name`` over time (log–log): per point of the swept axes the median over seeds and a
    10–90 % band, coloured by the first swept axis, one panel per combination of the others;
    theory observables that overlay it dashed in the same colour. Discrete dynamics (GD, SGD)
    are drawn as steps: a record at time t holds the last iterate at or before t, and nothing
    happens between steps. A run that did not converge is marked where its curve ends.

    Returns what it drew: ``{"panels": [labels], "not_converged": {label: [status names]}}``."""
    ds = _squeeze(ds, axes)
    overlays = [o for o, obs in REGISTRY.items() if obs.overlay_on == name and o in ds]
    swept = _swept(ds, axes)
    colour_axis, facet_axes = (swept[0], swept[1:]) if swept else (None, [])
    levels = ds[colour_axis].values.tolist() if colour_axis else [None]
    cmap = plt.get_cmap("viridis", max(len(levels), 2))
    facets = list(_points(ds, facet_axes))
    fig, panels = _facet_grid(len(facets))
    t = ds["time"].values[1:]
    line = {"drawstyle": "steps-post"} if discrete else {}
    drawn = {"panels": [], "not_converged": {}}
    marks_used = set()
    for ax, (facet, sub) in zip(panels, facets):
        for level in levels:
            point = sub.sel({colour_axis: level}) if colour_axis else sub
            colour = cmap(levels.index(level)) if colour_axis else "C0"
            runs = _runs(_log_safe_da(point[name]))[:, 1:]
            _band(ax, t, runs, colour, lw=1.3, label=_label({colour_axis: level}) if colour_axis else None, **line)
            for overlay in overlays:
                with _nan_quiet():
                    ax.plot(t, np.nanmedian(_runs(_log_safe_da(point[overlay]))[:, 1:], axis=0), color=colour,
                            lw=1.0, ls="--", alpha=0.9, **line)
            statuses = _statuses(point)  # one per row of runs (per seed)
            bad = [STATUSES[s] for s in statuses if s != CONVERGED]
            if bad:
                drawn["not_converged"][_label({**({colour_axis: level} if colour_axis else {}), **facet})] = bad
            for status in {int(s) for s in statuses if s != CONVERGED}:
                marker, mark_colour, _ = _MARKS[status]
                for row in runs[statuses == status]:
                    last = np.flatnonzero(np.isfinite(row))
                    if last.size:
                        ax.plot(t[last[-1]], row[last[-1]], marker, color=mark_colour, ms=7, mew=1.5)
                marks_used.add(status)
        ax.set_xscale("log")
        # Only the plotted times (t > 0) count: a run that diverged at once has just its t = 0 value.
        if np.any(np.isfinite(_log_safe(sub[name].isel(time=slice(1, None)).values))):
            ax.set_yscale("log")
        ax.set_xlabel("time t (gradient-flow units" + (", steps × lr)" if discrete else ")"))
        ax.set_ylabel(name.replace("_", " "))
        ax.grid(True, which="both", alpha=0.25)
        if facet:
            ax.set_title(_label(facet), fontsize=8)
        drawn["panels"].append(_label(facet))
    title = REGISTRY[name].description
    if "seed" in axes and ds.sizes.get("seed", 1) > 1:
        title += f" — median over {ds.sizes['seed']} seeds, band {BAND[0]:.0%}–{BAND[1]:.0%}"
    if overlays:
        title += "\n(dashed: " + ", ".join(REGISTRY[o].description for o in overlays) + ")"
    fig.suptitle(textwrap.fill(title, 90), fontsize=9)
    handles, labels = panels[0].get_legend_handles_labels()
    if overlays:
        handles.append(plt.Line2D([], [], color="k", ls="--"))
        labels.append("theory")
    for status in sorted(marks_used):
        marker, mark_colour, meaning = _MARKS[status]
        handles.append(plt.Line2D([], [], ls="", marker=marker, color=mark_colour))
        labels.append(meaning)
    if handles:
        panels[0].legend(handles, labels, fontsize=7)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return drawn


def _band(ax, t, runs: np.ndarray, colour, **line) -> None:
    """Median over seeds as a line, the :data:`BAND` quantiles shaded (when there are seeds)."""
    step = {"step": "post"} if line.get("drawstyle") == "steps-post" else {}
    with _nan_quiet():
        ax.plot(t, np.nanmedian(runs, axis=0), color=colour, **line)
        if runs.shape[0] > 1:
            low, high = np.nanquantile(runs, BAND, axis=0)
            ax.fill_between(t, low, high, color=colour, alpha=0.18, lw=0, **step)


def _log_safe_da(da: xr.DataArray) -> xr.DataArray:
    return da.where(da > 0)


def straight_slope(x: np.ndarray, y: np.ndarray, fit_range: tuple[float, float] | None = None) -> float | None:
    """The log–log slope of y(x) over ``fit_range`` (inclusive; ≥ 2 points), or, without one,
    over all positive points if there are ≥ 3 and the curve is straight (every local slope
    within :data:`STRAIGHT` of the fit); else None."""
    keep = (x > 0) & (y > 0) & np.isfinite(y)
    if fit_range is not None:
        keep &= (x >= fit_range[0]) & (x <= fit_range[1])
    if keep.sum() < (2 if fit_range is not None else 3):
        return None
    slope = power_law_fit(x[keep], y[keep]).slope
    local = np.diff(np.log(y[keep])) / np.diff(np.log(x[keep]))
    if fit_range is None and np.max(np.abs(local - slope)) > STRAIGHT:
        return None
    return float(slope)


def final_vs_axis_figure(ds: xr.Dataset, name: str, axis: str, path: Path, axes: list[str] | None = None,
                         fit_range: tuple[float, float] | None = None) -> dict:
    """Final value of ``name`` against a swept numeric axis: every run as a dot, one line per
    combination of the other swept axes (the mean over seeds of the runs that converged), each
    with its log–log slope where :func:`straight_slope` gives one (over ``fit_range`` if given).
    Runs that did not converge are marked (× diverged, ▷ stopped by a cap) and left out of the
    means and fits.

    Returns ``{"slopes": {line label: slope or None}}``."""
    axes = list(ds[f"final_{name}"].dims) if axes is None else axes
    ds = _squeeze(ds, axes)
    others = [a for a in _swept(ds, axes) if a != axis]
    x = ds[axis].values.astype(float)
    lines = list(_points(ds, others))
    cmap = plt.get_cmap("viridis" if len(lines) > 1 else "tab10", max(len(lines), 2))
    fig, ax = plt.subplots(figsize=(6.4, 4.4), constrained_layout=True)
    slopes, marks_used, positive = {}, set(), True
    for k, (coords, point) in enumerate(lines):
        colour = cmap(k) if len(lines) > 1 else "C0"
        rest = [d for d in point[f"final_{name}"].dims if d != axis]
        values = point[f"final_{name}"].transpose(axis, *rest).values.reshape(len(x), -1)
        status = (point["status"].transpose(axis, *rest).values.reshape(len(x), -1) if "status" in point
                  else np.zeros_like(values, int))
        converged = np.where(status == CONVERGED, values, np.nan)
        for j in range(values.shape[1]):
            ax.plot(x, converged[:, j], "o", color=colour, alpha=0.35, ms=4)
        for code in set(np.unique(status)) - {CONVERGED}:
            marker, mark_colour, _ = _MARKS[int(code)]
            hit = status == code
            ax.plot(np.broadcast_to(x[:, None], values.shape)[hit], values[hit], marker, color=mark_colour, ms=6)
            marks_used.add(int(code))
        with _nan_quiet():
            mean = np.nanmean(converged, axis=1)
        positive &= bool(np.all(mean[np.isfinite(mean)] > 0))
        slope = straight_slope(x, mean, fit_range)
        label = _label(coords) or "mean over seeds"
        slopes[label] = slope
        if slope is not None:
            label += f" (slope {slope:+.3f}" + (f" over {fit_range[0]:g}–{fit_range[1]:g})" if fit_range else ")")
        ax.plot(x, mean, "-", color=colour, lw=2, label=label)
    if positive and np.all(x > 0):
        ax.set_xscale("log")
        ax.set_yscale("log")
    for overlay in (o for o, obs in REGISTRY.items() if obs.overlay_on == name and f"final_{o}" in ds):
        for k, (coords, point) in enumerate(lines):
            ov = point[f"final_{overlay}"]
            ov = ov.transpose(axis, *[d for d in ov.dims if d != axis]).values.reshape(len(x), -1)
            with _nan_quiet():
                ax.plot(x, np.nanmean(ov, axis=1), "--", color=cmap(k) if len(lines) > 1 else "C3", lw=1.5,
                        label=REGISTRY[overlay].description if k == 0 else None)
    for code in sorted(marks_used):
        marker, mark_colour, meaning = _MARKS[code]
        ax.plot([], [], marker, color=mark_colour, ls="", label=meaning)
    ax.set_xlabel(axis)
    ax.set_ylabel(f"final {name.replace('_', ' ')}")
    ax.set_title(textwrap.fill(f"{REGISTRY[name].description}, at the end of each run; slopes only where "
                               "the curve is straight", 80), fontsize=9)
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(fontsize=7)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return {"slopes": slopes}


def phase_diagram(ds: xr.Dataset, name: str, x: str, y: str, path: Path) -> None:
    """Heatmap of the final value of ``name`` over swept axes ``x`` × ``y``: the median over
    every other axis (seeds), on a log colour scale when all values are positive."""
    final = ds[f"final_{name}"]
    rest = [d for d in final.dims if d not in (x, y)]
    with _nan_quiet():
        grid = final.median(rest).transpose(y, x).values
    # A cell with any run that did not converge is marked † (its median may mix in unfinished runs).
    unfinished = ((ds["status"] != CONVERGED).any([d for d in ds["status"].dims if d not in (x, y)]).transpose(y, x)
                  .values if "status" in ds else np.zeros(grid.shape, bool))
    positive = np.isfinite(grid) & (grid > 0)
    norm = (matplotlib.colors.LogNorm(np.nanmin(grid[positive]), np.nanmax(grid[positive]))
            if positive.any() and positive.sum() == np.isfinite(grid).sum() else None)
    fig, ax = plt.subplots(figsize=(6.4, 4.8), constrained_layout=True)
    image = ax.imshow(grid, origin="lower", aspect="auto", cmap="magma", norm=norm)
    fig.colorbar(image, ax=ax, label=f"final {name.replace('_', ' ')} (median)")
    for axis, values, set_ticks, set_labels in ((x, ds[x].values, ax.set_xticks, ax.set_xticklabels),
                                                (y, ds[y].values, ax.set_yticks, ax.set_yticklabels)):
        step = max(1, len(values) // 10)
        set_ticks(range(0, len(values), step))
        set_labels([f"{v:g}" if isinstance(v, float) else str(v) for v in values[::step]])
    if grid.size <= 64:
        for (i, j), v in np.ndenumerate(grid):
            bright = np.isfinite(v) and image.norm(v) > 0.6  # magma is light at its top end
            ax.text(j, i, f"{v:.2g}" + ("†" if unfinished[i, j] else ""), ha="center", va="center", fontsize=7,
                    color="k" if bright else "w")
    else:
        for i, j in zip(*np.nonzero(unfinished)):
            ax.text(j, i, "†", ha="center", va="center", fontsize=7, color="C2")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    note = "; † a run in the cell did not converge" if unfinished.any() else ""
    ax.set_title(textwrap.fill(f"phase diagram: {REGISTRY[name].description}, at the end of each run{note}", 80),
                 fontsize=9)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_figures(ds: xr.Dataset, axes: list[str], folder: Path, discrete: bool = False,
                  fit_ranges: dict[str, tuple[float, float]] | None = None) -> list[Path]:
    """Every figure of a results Dataset over the swept ``axes``. ``discrete``: the runs are GD
    or SGD (drawn as steps). ``fit_ranges``: per swept axis, the (low, high) range to fit slopes
    over (else only straight curves get one)."""
    fit_ranges = fit_ranges or {}
    folder.mkdir(parents=True, exist_ok=True)
    overlay_only = {o for o, obs in REGISTRY.items() if obs.overlay_on in ds}
    names = [v for v in ds.data_vars if v in REGISTRY and v not in overlay_only and "time" in ds[v].dims]
    paths = []
    for name in names:
        paths.append(folder / f"{name}.png")
        trajectory_figure(ds, name, axes, paths[-1], discrete)
    numeric = [a for a in axes if a != "seed" and np.issubdtype(ds[a].dtype, np.number) and ds.sizes[a] > 1]
    for axis in numeric:
        for name in names:
            paths.append(folder / f"final_{name}_vs_{axis}.png")
            final_vs_axis_figure(ds, name, axis, paths[-1], axes, fit_ranges.get(axis))
    for x, y in itertools.combinations([a for a in axes if a != "seed" and ds.sizes[a] > 1], 2):
        for name in names:
            paths.append(folder / f"phase_{name}_{x}_x_{y}.png")
            phase_diagram(ds, name, x, y, paths[-1])
    return paths
