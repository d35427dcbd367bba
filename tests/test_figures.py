"""Figures respect the sweep: every swept axis split (never pooled into one line or one slope),
slopes only where a curve is straight or over the range asked for, runs that did not converge
marked and kept out of means. On synthetic Datasets shaped as the store writes them (no runs)."""

import numpy as np
import pytest
import xarray as xr

from implicit_bias.dynamics import CONVERGED, DIVERGED, MAX_STEPS
from implicit_bias.report.figures import final_vs_axis_figure, straight_slope, trajectory_figure, write_figures


def _sweep(final, status=None, times=np.geomspace(1e-2, 10, 6)) -> xr.Dataset:
    """A depth × width × seed sweep whose final loss is ``final(depth, width)`` for every seed."""
    depth, width, seed = [2, 3], [10.0, 20.0, 40.0, 80.0], [0, 1]
    values = np.array([[[final(d, w)] * len(seed) for w in width] for d in depth])
    t = np.concatenate([[0.0], times])
    loss = values[..., None] * (1 + 1 / (1 + t))  # decreasing towards the final value
    coords = {"model.depth": depth, "model.width": width, "seed": seed, "time": t}
    status = np.full(values.shape, CONVERGED) if status is None else status
    return xr.Dataset({"loss": (("model.depth", "model.width", "seed", "time"), loss),
                       "final_loss": (("model.depth", "model.width", "seed"), values),
                       "status": (("model.depth", "model.width", "seed"), status)}, coords=coords)


AXES = ["model.depth", "model.width", "seed"]


def test_one_slope_per_depth_never_a_pooled_one(tmp_path):
    ds = _sweep(lambda d, w: w ** (-float(d)))  # slope −2 at depth 2, −3 at depth 3
    drawn = final_vs_axis_figure(ds, "loss", "model.width", tmp_path / "f.png", AXES)
    assert drawn["slopes"] == pytest.approx({"model.depth = 2": -2.0, "model.depth = 3": -3.0})


def test_a_curve_that_is_not_a_power_law_gets_no_slope_unless_a_range_is_asked():
    width = np.array([10.0, 20.0, 40.0, 80.0, 160.0])
    crossover = 1 / width + 1e-2  # slope −1 at small width, flat at large
    assert straight_slope(width, crossover) is None
    assert straight_slope(width, 3 * width ** -0.5) == pytest.approx(-0.5)
    assert straight_slope(width, crossover, (10.0, 20.0)) == pytest.approx(np.log(0.06 / 0.11) / np.log(2))


def test_runs_that_did_not_converge_are_marked_and_left_out_of_the_mean(tmp_path):
    status = np.full((2, 4, 2), CONVERGED)
    status[0, 3, 1] = DIVERGED
    status[1, 0, 0] = MAX_STEPS
    ds = _sweep(lambda d, w: w ** -1.0, status)
    ds["final_loss"][0, 3, 1] = 1e6  # a diverged run's value would wreck the mean and the slope
    drawn = final_vs_axis_figure(ds, "loss", "model.width", tmp_path / "f.png", AXES)
    assert drawn["slopes"]["model.depth = 2"] == pytest.approx(-1.0)
    traj = trajectory_figure(ds, "loss", AXES, tmp_path / "t.png")
    assert traj["not_converged"] == {"model.depth = 2, model.width = 80": ["diverged"],
                                     "model.depth = 3, model.width = 10": ["max_steps"]}


def test_every_other_swept_axis_is_a_panel_and_gd_draws_steps(tmp_path):
    ds = _sweep(lambda d, w: 1 / w).expand_dims({"init.scale": [0.1, 1.0]}).isel({"model.width": [0, 1, 2]})
    axes = ["model.depth", "model.width", "init.scale", "seed"]
    drawn = trajectory_figure(ds, "loss", axes, tmp_path / "t.png", discrete=True)
    assert drawn["panels"] == [f"model.width = {w:g}, init.scale = {s:g}" for w in (10, 20, 40) for s in (0.1, 1)]
    paths = write_figures(ds.isel({"init.scale": [0]}), axes, tmp_path / "figures", discrete=True,
                          fit_ranges={"model.width": (10, 20)})
    assert {p.name for p in paths} == {"loss.png", "final_loss_vs_model.width.png", "final_loss_vs_model.depth.png",
                                       "phase_loss_model.depth_x_model.width.png"}
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in paths)
