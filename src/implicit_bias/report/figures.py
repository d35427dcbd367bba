"""Figures from a results Dataset: trajectories on log axes with theory overlaid, and final
values against each swept axis."""

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never needs a display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from ..observables import REGISTRY  # noqa: E402


def _runs(ds: xr.Dataset, axes: list[str]):
    """Yield (coords, run Dataset) for each point of the sweep grid."""
    if not axes:
        yield {}, ds
        return
    stacked = ds.stack(_run=axes)
    for i in range(stacked.sizes["_run"]):
        run = stacked.isel(_run=i)
        yield {a: run[a].item() for a in axes}, run


def _colour_axis(axes: list[str]) -> str | None:
    rest = [a for a in axes if a != "seed"]
    return rest[0] if rest else None


def _log_safe(values: np.ndarray) -> np.ndarray:
    return np.where(values > 0, values, np.nan)


def trajectory_figure(ds: xr.Dataset, name: str, axes: list[str], path: Path) -> None:
    """``name`` over time (log–log), one line per run, coloured by the first non-seed axis;
    theory observables that overlay it drawn dashed in the same colour."""
    overlays = [o for o, obs in REGISTRY.items() if obs.overlay_on == name and o in ds]
    colour_axis = _colour_axis(axes)
    levels = list(np.unique(ds[colour_axis].values)) if colour_axis else [None]
    cmap = plt.get_cmap("viridis", max(len(levels), 2))
    fig, ax = plt.subplots(figsize=(6.4, 4.4), constrained_layout=True)
    t = ds["time"].values
    labelled = set()
    for coords, run in _runs(ds, axes):
        level = coords.get(colour_axis)
        colour = cmap(levels.index(level)) if colour_axis else "C0"
        label = f"{colour_axis} = {level}" if colour_axis and level not in labelled else None
        labelled.add(level)
        ax.plot(t[1:], _log_safe(run[name].values[1:]), color=colour, lw=1.2, alpha=0.8, label=label)
        for overlay in overlays:
            ax.plot(t[1:], _log_safe(run[overlay].values[1:]), color=colour, lw=1.0, ls="--", alpha=0.8)
    ax.set_xscale("log")
    # Only the plotted times (t > 0) count: a run that diverged at once has just its t = 0 value.
    if np.any(np.isfinite(_log_safe(ds[name].isel(time=slice(1, None)).values))):
        ax.set_yscale("log")
    ax.set_xlabel("time t (gradient-flow units)")
    ax.set_ylabel(name.replace("_", " "))
    title = REGISTRY[name].description
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
        slope = np.polyfit(np.log(x[positive]), np.log(mean[positive]), 1)[0]
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
    return paths
