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
from ..errors import SpecError
from ..spec import RunPoint, build_init, build_model, check_observables


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
    if getattr(s.dynamics, "n_steps", None) is not None and s.dynamics.kind == "sgd" and \
            problem.sgd_time_step(1.0) != 1.0:
        raise SpecError("dynamics.n_steps", f"online SGD on '{s.problem.kind}' counts time as α = steps/N, not "
                        "steps × lr", "give t_max = α (the number of samples per input dimension) instead")
    model = build_model(s, problem)
    check_observables(s, model, problem)
    init = build_init(s.init, model, problem, base_dir)
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


def _same(a: jax.Array, b: jax.Array) -> bool:
    return a is b or (a.shape == b.shape and a.dtype == b.dtype and bool(np.array_equal(a, b)))


def split_shared(group: list[BuiltRun]) -> tuple[list, list]:
    """The group's input leaves as (per member, stacked; shared, once), ``None`` where a leaf
    lives in the other list.

    A leaf equal in every member (the data of a seed ensemble, a setting the sweep does not
    vary) is passed once instead of stacked: members share one copy (B× less memory, and no
    copying of large data into a batch). Keys are always per member (they give the ensemble
    its size)."""
    per_run = [jax.tree.leaves(r.inputs) for r in group]
    per_member, shared = [], []
    for i, leaf in enumerate(per_run[0]):
        is_key = jax.dtypes.issubdtype(leaf.dtype, jax.dtypes.prng_key)
        if not is_key and all(_same(leaf, leaves[i]) for leaves in per_run[1:]):
            per_member.append(None)
            shared.append(leaf)
        else:
            per_member.append(jnp.stack([leaves[i] for leaves in per_run]))
            shared.append(None)
    return per_member, shared


@eqx.filter_jit
def _run_ensemble(model: AbstractModel, observables: tuple[str, ...], ensemble: AbstractEnsemble,
                  treedef, per_member: list, shared: list, times: jax.Array) -> dict:
    def one(member: list, shared: list) -> dict:
        inputs: RunInputs = jax.tree.unflatten(treedef, [s if m is None else m for m, s in zip(member, shared)])
        _, dynamics_key = jax.random.split(inputs.key)
        objective = Objective(model, inputs.problem)
        params0 = initial_params(model, inputs)
        observe = make_observer(observables, objective, params0, inputs.dynamics)
        traj = inputs.dynamics.solve(objective, params0, dynamics_key, times, observe)
        return {
            "observed": traj.observed,
            "final": observe(traj.final_params, traj.t_final),
            "predictor": model.end_to_end(traj.final_params),
            "initial_predictor": model.end_to_end(params0),
            "t_final": traj.t_final, "n_steps": traj.n_steps,
            "status": traj.status, "diverged_at": traj.diverged_at,
        }
    return ensemble.map(one, per_member, shared)


def run_group(group: list[BuiltRun], times: np.ndarray, ensemble: AbstractEnsemble | None = None) -> list[dict]:
    """Run a group as one compiled computation; one result dict (NumPy) per run, in order."""
    ensemble = default_ensemble() if ensemble is None else ensemble
    per_member, shared = split_shared(group)
    observables = tuple(group[0].point.spec.observe.quantities)
    out = jax.device_get(_run_ensemble(group[0].model, observables, ensemble, jax.tree.structure(group[0].inputs),
                                       per_member, shared, jnp.asarray(times)))
    return [jax.tree.map(lambda a: np.asarray(a[i]), out) for i in range(len(group))]
