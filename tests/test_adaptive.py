"""Gradient flow's loop (``dynamics._adaptive.integrate``: diffrax's solver step and PID controller
in a loop of ours) takes the same steps as ``diffrax.diffeqsolve``, the reference path: same
records, final parameters, step counts and statuses, bit for bit, over the clocks, a mirror map,
a solver other than Tsit5, the stop event and the step limit."""

import dataclasses
from pathlib import Path

import equinox as eqx
import jax
import numpy as np
import pytest

from implicit_bias.dynamics import CONVERGED, MAX_STEPS, MAX_TIME
from implicit_bias.experiment.runner import build, run_group
from implicit_bias.spec import expand, validate_spec

REGRESSION = {"kind": "regression", "n_samples": 6, "input_dim": 12, "output_dim": 1}
CASES = {
    # linear clock, the loss event reached mid-run
    "stop_event": ({"problem": REGRESSION, "model": {"kind": "two_layer_linear", "width": 4},
                    "init": {"kind": "gaussian", "scale": 0.5},
                    "dynamics": {"kind": "gradient_flow", "t_max": 200.0, "stop_loss": 1e-8},
                    "observe": {"quantities": ["loss", "imbalance_drift"], "n_times": 12}}, CONVERGED),
    # Dopri8 in the log clock on separable data, stopped by the step limit
    "step_limit": ({"problem": {"kind": "classification", "n_samples": 6, "input_dim": 3},
                    "model": {"kind": "linear"}, "init": {"kind": "gaussian", "scale": 0.1},
                    "dynamics": {"kind": "gradient_flow", "t_max": 1e6, "clock": "log", "solver": "dopri8",
                                 "max_steps": 40},
                    "observe": {"quantities": ["loss"], "n_times": 8}}, MAX_STEPS),
    # loss clock in the hyperbolic-entropy geometry, to t_max
    "mirror_loss_clock": ({"problem": REGRESSION, "model": {"kind": "linear"}, "init": {"kind": "gaussian", "scale": 0.1},
                           "dynamics": {"kind": "gradient_flow", "t_max": 8.0, "clock": "loss",
                                        "mirror": {"kind": "hyperbolic_entropy", "beta": 0.1}},
                           "observe": {"quantities": ["loss"], "n_times": 8}}, MAX_TIME),
}


@pytest.mark.parametrize("case", CASES)
def test_loop_takes_diffeqsolves_steps(case):
    spec, status = CASES[case]
    built = build(expand(validate_spec({"seed": 0, **spec}))[0], Path("."))
    reference = eqx.tree_at(lambda b: b.inputs.dynamics, built,
                            dataclasses.replace(built.inputs.dynamics, reference=True))
    times = np.geomspace(1e-2, spec["dynamics"]["t_max"], spec["observe"]["n_times"])
    times[0] = 0.0
    (ours,), (theirs,) = run_group([built], times), run_group([reference], times)
    assert int(ours["status"]) == status
    assert jax.tree.structure(ours) == jax.tree.structure(theirs)
    for (path, a), b in zip(jax.tree_util.tree_leaves_with_path(ours), jax.tree.leaves(theirs)):
        np.testing.assert_array_equal(a, b, err_msg=jax.tree_util.keystr(path))
