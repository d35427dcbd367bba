"""Figures from a results Dataset: trajectories on log axes (median and quantile band over
seeds) with theory overlaid, final values against each swept axis, and phase diagrams
(a final value as a heatmap over two swept axes)."""

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

from ..analysis import power_law_fit
from ..observables import REGISTRY  # noqa: E402

#: The band drawn around the median over seeds: the 10 % and 90 % quantiles.
BAND = (0.1, 0.9)


def _curves(ds: xr.DataArray, axes: list[str]):
    """Yield (coords, runs) per point of the non-seed axes; ``runs`` is 2-D (seed, time),
    one row when there is no seed axis."""
    rest = [a for a in axes if a != "seed"]
    per_point = ds.stack(_point=rest) if rest else ds.expand_dims(_point=[0])
    for i in range(per_point.sizes["_point"]):
        point = per_point.isel(_point=i)
        runs = point.transpose("seed", "time") if "seed" in point.dims else point.expand_dims(seed=[0])
        yield {a: point[a].item() for a in rest}, runs.transpose("seed", "time").values


def _colour_axis(axes: list[str]) -> str | None:
    rest = [a for a in axes if a != "seed"]
    return rest[0] if rest else None


def _log_safe(values: np.ndarray) -> np.ndarray:
    return np.where(values > 0, values, np.nan)


@contextlib.contextmanager
def _nan_quiet():
    """Statistics of all-NaN slices (runs that diverged) are NaN, drawn as gaps: no warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _band(ax, t, runs: np.ndarray, colour, **line) -> None:
    """Median over seeds as a line, the :data:`BAND` quantiles shaded (when there are seeds)."""
    with _nan_quiet():
        ax.plot(t, np.nanmedian(runs, axis=0), color=colour, **line)
        if runs.shape[0] > 1:
            low, high = np.nanquantile(runs, BAND, axis=0)
            ax.fill_between(t, low, high, color=colour, alpha=0.18, lw=0)


def trajectory_figure(ds: xr.Dataset, name: str, axes: list[str], path: Path) -> None:
    """``name`` over time (log–log): per point of the non-seed axes, the median over seeds and
    a 10–90 % band, coloured by the first non-seed axis; theory observables that overlay it
    drawn dashed in the same colour."""
    overlays = [o for o, obs in REGISTRY.items() if obs.overlay_on == name and o in ds]
    colour_axis = _colour_axis(axes)
    levels = list(np.unique(ds[colour_axis].values)) if colour_axis else [None]
    cmap = plt.get_cmap("viridis", max(len(levels), 2))
    fig, ax = plt.subplots(figsize=(6.4, 4.4), constrained_layout=True)
    t = ds["time"].values[1:]
    labelled = set()
    for coords, runs in _curves(_log_safe_da(ds[name]), axes):
        level = coords.get(colour_axis)
        colour = cmap(levels.index(level)) if colour_axis else "C0"
        label = f"{colour_axis} = {level}" if colour_axis and level not in labelled else None
        labelled.add(level)
        _band(ax, t, runs[:, 1:], colour, lw=1.3, label=label)
    for overlay in overlays:
        for coords, runs in _curves(_log_safe_da(ds[overlay]), axes):
            colour = cmap(levels.index(coords.get(colour_axis))) if colour_axis else "C0"
            with _nan_quiet():
                ax.plot(t, np.nanmedian(runs[:, 1:], axis=0), color=colour, lw=1.0, ls="--", alpha=0.9)
    ax.set_xscale("log")
    # Only the plotted times (t > 0) count: a run that diverged at once has just its t = 0 value.
    if np.any(np.isfinite(_log_safe(ds[name].isel(time=slice(1, None)).values))):
        ax.set_yscale("log")
    ax.set_xlabel("time t (gradient-flow units)")
    ax.set_ylabel(name.replace("_", " "))
    title = REGISTRY[name].description
    if "seed" in axes and ds.sizes["seed"] > 1:
        title += f" — median over {ds.sizes['seed']} seeds, band {BAND[0]:.0%}–{BAND[1]:.0%}"
    if overlays:
        title += "\n(dashed: " + ", ".join(REGISTRY[o].description for o in overlays) + ")"
    ax.set_title(textwrap.fill(title, 80), fontsize=9)
    ax.grid(True, which="both", alpha=0.25)
    if colour_axis or overlays:
        handles, labels = ax.get_legend_handles_labels()
        if overlays:
            handles.append(plt.Line2D([], [], color="k", ls="--"))
            labels.append("theory")
        ax.legend(handles, labels, fontsize=8)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _log_safe_da(da: xr.DataArray) -> xr.DataArray:
    return da.where(da > 0)


def final_vs_axis_figure(ds: xr.Dataset, name: str, axis: str, path: Path) -> None:
    """Final value of ``name`` against a swept numeric axis: every run as a dot, the mean over
    the other axes as a line, and a log–log slope fit in the legend."""
    final = ds[f"final_{name}"]
    x = ds[axis].values.astype(float)
    others = [d for d in final.dims if d != axis]
    values = final.transpose(axis, *others).values.reshape(len(x), -1)
    fig, ax = plt.subplots(figsize=(6.4, 4.4), constrained_layout=True)
    for j in range(values.shape[1]):
        ax.plot(x, values[:, j], "o", color="C0", alpha=0.35, ms=4)
    mean = np.nanmean(values, axis=1)
    label = "mean"
    positive = (x > 0) & (mean > 0) & np.isfinite(mean)
    if positive.sum() >= 2:
        slope = power_law_fit(x[positive], mean[positive]).slope
        label += f" (log–log slope {slope:+.3f})"
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.plot(x, mean, "-", color="C0", lw=2, label=label)
    for overlay in (o for o, obs in REGISTRY.items() if obs.overlay_on == name and f"final_{o}" in ds):
        ov = ds[f"final_{overlay}"].transpose(axis, *others).values.reshape(len(x), -1)
        ax.plot(x, np.nanmean(ov, axis=1), "--", color="C3", lw=1.5, label=REGISTRY[overlay].description)
    ax.set_xlabel(axis)
    ax.set_ylabel(f"final {name.replace('_', ' ')}")
    ax.set_title(textwrap.fill(f"{REGISTRY[name].description}, at the end of each run", 80), fontsize=9)
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(fontsize=8)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def phase_diagram(ds: xr.Dataset, name: str, x: str, y: str, path: Path) -> None:
    """Heatmap of the final value of ``name`` over swept axes ``x`` × ``y``: the median over
    every other axis (seeds), on a log colour scale when all values are positive."""
    final = ds[f"final_{name}"]
    with _nan_quiet():
        grid = final.median([d for d in final.dims if d not in (x, y)]).transpose(y, x).values
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
            ax.text(j, i, f"{v:.2g}", ha="center", va="center", fontsize=7, color="k" if bright else "w")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(textwrap.fill(f"phase diagram: {REGISTRY[name].description}, at the end of each run", 80),
                 fontsize=9)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_figures(ds: xr.Dataset, axes: list[str], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    overlay_only = {o for o, obs in REGISTRY.items() if obs.overlay_on in ds}
    names = [v for v in ds.data_vars if v in REGISTRY and v not in overlay_only and "time" in ds[v].dims]
    paths = []
    for name in names:
        paths.append(folder / f"{name}.png")
        trajectory_figure(ds, name, axes, paths[-1])
    numeric = [a for a in axes if a != "seed" and np.issubdtype(ds[a].dtype, np.number) and ds.sizes[a] > 1]
    for axis in numeric:
        for name in names:
            paths.append(folder / f"final_{name}_vs_{axis}.png")
            final_vs_axis_figure(ds, name, axis, paths[-1])
    for x, y in itertools.combinations([a for a in axes if a != "seed" and ds.sizes[a] > 1], 2):
        for name in names:
            paths.append(folder / f"phase_{name}_{x}_x_{y}.png")
            phase_diagram(ds, name, x, y, paths[-1])
    return paths
