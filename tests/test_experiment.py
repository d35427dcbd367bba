"""run(): the ensemble is exact, results are reproducible, the store resumes, divergence is
reported per run."""

import json

import numpy as np
import pytest
import xarray as xr

import implicit_bias as ib
from implicit_bias.ensemble import STRATEGIES
from implicit_bias.experiment import run_group
from implicit_bias.experiment.runner import build
from implicit_bias.spec import expand, observation_times, validate_spec


def test_sweep_dataset_layout(small_spec):
    ds = ib.run(small_spec)
    assert dict(ds.sizes) == {"seed": 2, "model.width": 2, "time": 12, "input": 12, "output": 1}
    assert ds["loss"].dims == ("seed", "model.width", "time")
    assert ds["predictor"].dims == ("seed", "model.width", "input", "output")
    assert (ds["status"] == 0).all()  # all converged
    assert float(ds["final_loss"].max()) < 1e-10


def test_same_spec_same_numbers_with_or_without_a_progress_bar(small_spec, capsys):
    a, b = ib.run(small_spec), ib.run(small_spec, progress=True)
    xr.testing.assert_identical(a, b)
    assert "4/4" in capsys.readouterr().out  # the bar's last state: runs done of total


@pytest.mark.parametrize("strategy", sorted(STRATEGIES))
def test_ensemble_equals_single_runs(small_spec, strategy):
    """Bit for bit: each member of a compiled ensemble equals that run alone."""
    spec = validate_spec({**small_spec, "sweep": {"seed": [0, 1, 2]}})
    points = expand(spec)
    times = observation_times(points)
    runs = [build(p, ".") for p in points]
    together = run_group(runs, times, STRATEGIES[strategy]())
    for run, member in zip(runs, together):
        alone = run_group([run], times, STRATEGIES["map"]())[0]
        np.testing.assert_array_equal(member["predictor"], alone["predictor"])
        np.testing.assert_array_equal(member["observed"]["loss"], alone["observed"]["loss"])


def test_outputs_and_resume(small_spec, tmp_path):
    out = tmp_path / "out"
    calls = []
    ds = ib.run(small_spec, out, progress=lambda done, total, diverged: calls.append((done, total)))
    for name in ("results.zarr", "summary.json", "report.html", "figures/loss.png"):
        assert (out / name).exists(), name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["spec_hash"] == ib.validate_spec(small_spec).hash
    assert {tuple(r["coords"].values()) for r in summary["runs"]} == {(s, w) for s in (0, 1) for w in (10, 20)}
    assert set(summary["runs"][0]["final"]) == {"loss", "imbalance_drift", "distance_to_min_norm"}
    stored = xr.open_zarr(out / "results.zarr").load()
    xr.testing.assert_allclose(stored.drop_vars("run_id"), ds.drop_vars("run_id"))
    parts = sorted(p.name for p in (out / "parts").iterdir())
    # Rerun: every run is found finished, nothing is recomputed, the results are the same.
    calls.clear()
    again = ib.run(small_spec, out, progress=lambda done, total, diverged: calls.append((done, total)), report=False)
    assert calls == [(4, 4)]
    assert sorted(p.name for p in (out / "parts").iterdir()) == parts
    xr.testing.assert_identical(again, ds)


def test_interrupted_sweep_resumes(small_spec, tmp_path):
    """A part written before a kill is reused; only the missing group is computed."""
    out = tmp_path / "out"
    ib.run(small_spec, out, report=False)  # the figures are tested above; here only the store
    parts = sorted((out / "parts").iterdir())
    assert len(parts) == 2  # one compiled group per width
    import shutil
    shutil.rmtree(parts[0])  # as if the run died before this group finished
    (out / "summary.json").unlink()
    calls = []
    ib.run(small_spec, out, progress=lambda done, total, diverged: calls.append((done, total)), report=False)
    assert calls == [(2, 4), (4, 4)]
    assert len(json.loads((out / "summary.json").read_text())["runs"]) == 4


def test_other_spec_into_same_dir_is_refused(small_spec, tmp_path):
    ib.run(small_spec, tmp_path / "out", report=False)
    with pytest.raises(ib.SpecError, match="another spec"):
        ib.run({**small_spec, "seed": 5}, tmp_path / "out")


def test_gd_divergence_reported_and_sweep_finishes(small_spec):
    spec = {**small_spec, "dynamics": {"kind": "gradient_descent", "lr": 0.05, "t_max": 20.0},
            "sweep": {"dynamics.lr": [0.05, 5.0]}}
    ds = ib.run(spec)
    status = ds["status"].values
    assert status[0] != 2 and status[1] == 2
    assert int(ds["diverged_at"].values[1]) >= 0
    assert float(ds["final_loss"].values[0]) < float(ds["loss"].values[0, 0])


def test_sgd_and_gd_run_on_one_time_axis(small_spec):
    base = {**small_spec, "sweep": {"seed": [0]}}
    gd = ib.run({**base, "dynamics": {"kind": "gradient_descent", "lr": 0.01, "t_max": 50.0, "stop_loss": 1e-8}})
    sgd = ib.run({**base, "dynamics": {"kind": "sgd", "lr": 0.01, "batch_size": 2, "t_max": 50.0, "stop_loss": 1e-8}})
    np.testing.assert_array_equal(gd["time"], sgd["time"])
    assert float(sgd["final_loss"].squeeze()) < 1e-6
    assert float(gd["final_loss"].squeeze()) < 1e-8


def test_two_record_times_are_start_and_end(small_spec):
    spec = validate_spec({**small_spec, "observe": {"quantities": ["loss"], "n_times": 2}})
    np.testing.assert_array_equal(observation_times(expand(spec)), [0.0, 100.0])


@pytest.fixture
def registry_restored():
    """Kinds a test registers are gone after it (the spec reference lists every registered kind)."""
    from implicit_bias import components

    saved = {section: dict(kinds) for section, kinds in components._REGISTRY.items()}
    yield
    components._REGISTRY.clear()
    components._REGISTRY.update(saved)


def test_component_objects_go_straight_to_run(small_spec, registry_restored):
    """A spec may hold component objects, of a class nobody registered: the sweep re-validates
    its fields by kind, so its class is registered on first use, and the numbers are those of
    the registered class it extends."""
    from typing import Literal

    from implicit_bias.initializations.gaussian import GaussianSpec
    from implicit_bias.models.two_layer_linear import TwoLayerLinearSpec

    class Unregistered(TwoLayerLinearSpec):
        """A user's subclass."""

        kind: Literal["user_two_layer_linear"] = "user_two_layer_linear"

    spec = {**small_spec, "model": Unregistered(width=small_spec["model"]["width"])}
    np.testing.assert_array_equal(ib.run(spec)["loss"].values, ib.run(small_spec)["loss"].values)
    with pytest.raises(ib.SpecError, match=r"model: GaussianSpec is a component of \[init\]"):
        validate_spec({**small_spec, "model": GaussianSpec(kind="gaussian", scale=0.1)})

    class Clash(TwoLayerLinearSpec):
        """Takes a kind that is already registered."""

        kind: Literal["two_layer_linear"] = "two_layer_linear"

    with pytest.raises(ib.SpecError, match="already registered"):
        validate_spec({**small_spec, "model": Clash(width=3)})


def test_problem_data_and_the_initial_predictor(small_spec):
    """``ib.problem_data`` gives the arrays the runs trained on; results keep the predictor at
    the init beside the final one."""
    from implicit_bias.experiment.runner import initial_params

    data = ib.problem_data(small_spec)
    assert data["X"].shape == (6, 12) and data["Y"].shape == (6, 1)
    spec = {**small_spec, "sweep": {}}
    run = build(expand(validate_spec(spec))[0], ".")
    np.testing.assert_array_equal(data["X"], np.asarray(run.inputs.problem.X))
    ds = ib.run(spec)
    expected = np.asarray(run.model.end_to_end(initial_params(run.model, run.inputs)))
    # Compiled in the run, eager here: the same product to the last bits or so.
    np.testing.assert_allclose(ds["initial_predictor"].values, expected, rtol=1e-14, atol=1e-16)
    assert ds["initial_predictor"].dims == ds["predictor"].dims
