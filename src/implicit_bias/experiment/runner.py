"""Execute a spec: build each run's components, group runs of one shape, run each group as
one compiled ensemble computation, hand results to the store.
"""

from collections import defaultdict
from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import PRNGKeyArray

from ..dynamics import AbstractDynamics, Objective
from ..ensemble import AbstractEnsemble, default_ensemble
from ..initializations import AbstractInitialization
from ..models import AbstractModel
from ..observables import make_observer
from ..problems import AbstractProblem
from ..spec import RunPoint, check_observables


class RunInputs(eqx.Module):
    """Everything one run needs that may differ between members of an ensemble (all arrays)."""

    problem: AbstractProblem
    init: AbstractInitialization
    dynamics: AbstractDynamics
    key: PRNGKeyArray


class BuiltRun(eqx.Module):
    point: RunPoint = eqx.field(static=True)
    model: AbstractModel
    inputs: RunInputs


def build(point: RunPoint, base_dir: Path) -> BuiltRun:
    s = point.spec
    problem = s.problem.build(base_dir)
    model = s.model.build(problem)
    check_observables(s, model, problem)
    init = s.init.build(model, problem)
    return BuiltRun(point, model, RunInputs(problem, init, s.dynamics.build(), jax.random.key(s.seed)))


def group_key(run: BuiltRun):
    """Runs with equal keys share one compiled computation: same model, same pytree
    structure (static fields included) and same leaf shapes."""
    leaves, treedef = jax.tree.flatten(run.inputs)
    return run.model, treedef, tuple((leaf.shape, str(leaf.dtype)) for leaf in leaves)


def group_runs(runs: list[BuiltRun]) -> list[list[BuiltRun]]:
    groups: dict = defaultdict(list)
    for run in runs:
        groups[group_key(run)].append(run)
    return list(groups.values())


def initial_params(model: AbstractModel, inputs: RunInputs, key: PRNGKeyArray | None = None):
    """The parameters a run starts from (with ``key``: those another seed would start from).

    The run's key splits into (init key, dynamics key); this is the one place that says so."""
    init_key, _ = jax.random.split(inputs.key if key is None else key)
    return inputs.init(init_key, model, inputs.problem)


@eqx.filter_jit
def _run_ensemble(model: AbstractModel, observables: tuple[str, ...], ensemble: AbstractEnsemble,
                  batch: RunInputs, times: jax.Array) -> dict:
    def one(inputs: RunInputs) -> dict:
        _, dynamics_key = jax.random.split(inputs.key)
        objective = Objective(model, inputs.problem)
        params0 = initial_params(model, inputs)
        observe = make_observer(observables, objective, params0, inputs.dynamics)
        traj = inputs.dynamics.solve(objective, params0, dynamics_key, times, observe)
        return {
            "observed": traj.observed,
            "final": observe(traj.final_params, traj.t_final),
            "predictor": model.end_to_end(traj.final_params),
            "t_final": traj.t_final, "n_steps": traj.n_steps,
            "status": traj.status, "diverged_at": traj.diverged_at,
        }
    return ensemble.map(one, batch)


def run_group(group: list[BuiltRun], times: np.ndarray, ensemble: AbstractEnsemble | None = None) -> list[dict]:
    """Run a group as one compiled computation; one result dict (NumPy) per run, in order."""
    ensemble = default_ensemble() if ensemble is None else ensemble
    batch = jax.tree.map(lambda *xs: jnp.stack(xs), *(r.inputs for r in group))
    observables = tuple(group[0].point.spec.observe.quantities)
    out = jax.device_get(_run_ensemble(group[0].model, observables, ensemble, batch, jnp.asarray(times)))
    return [jax.tree.map(lambda a: np.asarray(a[i]), out) for i in range(len(group))]

