"""``run(spec)``: the one entry point the CLI, the claims and notebooks share."""

import dataclasses
from pathlib import Path

import jax
import numpy as np
import xarray as xr

from ..dynamics import STATUSES
from ..ensemble import AbstractEnsemble
from ..spec import Spec, expand, load_spec, observation_times, validate_spec
from .executor import AbstractExecutor, LocalExecutor
from .plan import plan_chunks
from .progress import Progress, progress_bar
from .runner import BuiltRun, build
from .store import ResultStore, arrange, summarize

#: ``progress(done, total, diverged)``: runs finished so far (found in the store included),
#: runs in the sweep, and how many of the finished ones diverged (see :mod:`.progress`).
DIVERGED = STATUSES.index("diverged")


def coerce_spec(spec: Spec | dict | str | Path, base_dir: str | Path | None = None) -> tuple[Spec, Path]:
    """A :class:`Spec` from a Spec, a dict (parsed TOML) or a path to a TOML file."""
    if isinstance(spec, Spec):
        return spec, Path(base_dir or ".")
    if isinstance(spec, dict):
        return validate_spec(spec), Path(base_dir or ".")
    loaded, spec_dir = load_spec(spec)
    return loaded, Path(base_dir) if base_dir else spec_dir


def problem_data(spec: Spec | dict | str | Path, base_dir: str | Path | None = None) -> dict[str, np.ndarray]:
    """The arrays of a spec's problem, as its runs see them (a data set: ``X``, ``Y`` and any held-out
    set; matrix sensing: its measurements; online teacher–student: the teacher), by field name."""
    spec, base_dir = coerce_spec(spec, base_dir)
    problem = spec.problem.build(base_dir)
    return {f.name: np.asarray(getattr(problem, f.name)) for f in dataclasses.fields(problem)
            if isinstance(getattr(problem, f.name), jax.Array)}


def run_points(
    built: list[BuiltRun], times: np.ndarray, *, base_dir: str | Path = ".", ensemble: AbstractEnsemble | None = None,
    executor: AbstractExecutor | None = None, store: ResultStore | None = None,
    progress: Progress | None = None, memory_limit: int | None = None,
) -> xr.Dataset:
    """Run built runs (grouped by shape into compiled tasks, see :mod:`.plan`) on ``times``;
    a Dataset over ``run`` in the order given. ``base_dir`` resolves data files where
    runs are rebuilt (Dask workers).

    With ``store``, runs already in it are not recomputed and each task's results are written
    to it as they arrive, so an interrupted call loses only the tasks in flight.
    """
    done = store.finished() if store else {}
    pending = [b for b in built if b.point.run_id not in done]
    tasks = plan_chunks(pending, times, memory_limit)  # refuses what cannot fit, before any run
    finished = len(built) - len(pending)
    diverged = sum(done[b.point.run_id] == DIVERGED for b in built if b.point.run_id in done)
    if progress:
        progress(finished, len(built), diverged)
    parts = []
    executor = executor or LocalExecutor()
    for part in executor.map(tasks, times, ensemble, Path(base_dir)):
        if store:
            store.write_part(part)
        else:
            parts.append(part)
        finished += part.sizes["run"]
        diverged += int((part["status"] == DIVERGED).sum())
        if progress:
            progress(finished, len(built), diverged)
    runs = store.load_runs() if store else (xr.concat(parts, dim="run", join="outer") if len(parts) > 1 else parts[0])
    return runs.sel(run=[b.point.run_id for b in built])


def run(
    spec: Spec | dict | str | Path, out: str | Path | None = None, *, base_dir: str | Path | None = None,
    ensemble: AbstractEnsemble | None = None, executor: AbstractExecutor | None = None,
    progress: Progress | bool | None = None, memory_limit: int | None = None, report: bool = True,
) -> xr.Dataset:
    """Run every point of ``spec``'s sweep and return the results as an xarray Dataset.

    With ``out``, results go to that directory (see :mod:`implicit_bias.experiment.store`):
    finished runs found there are not recomputed, and ``report`` adds figures and
    ``report.html``. All inputs (data files included) are validated, and every task's memory
    estimated, before anything is written. ``executor`` defaults to this process
    (:mod:`.executor`); ``progress`` is called after each task (:data:`Progress`), or with
    ``progress=True`` a live bar is shown (a terminal or a notebook).
    """
    if progress is True:
        with progress_bar() as bar:
            return run(spec, out, base_dir=base_dir, ensemble=ensemble, executor=executor, progress=bar,
                       memory_limit=memory_limit, report=report)
    spec, base_dir = coerce_spec(spec, base_dir)
    points = expand(spec)
    times = observation_times(points)
    built = [build(p, base_dir) for p in points]  # raises SpecError before any write
    options = dict(base_dir=base_dir, ensemble=ensemble, executor=executor, progress=progress,
                   memory_limit=memory_limit)
    if out is None:
        return _finish(run_points(built, times, **options), points, spec)
    plan_chunks(built, times, memory_limit)  # refuse before creating the directory
    with ResultStore(out, spec) as store:
        runs = run_points(built, times, store=store, **options)
        ds = _finish(runs, points, spec)
        summary = summarize(runs, points, spec)
        notes = sorted({note for b in built for note in b.inputs.problem.notes(b.model)})
        if notes:
            summary["notes"] = notes
        store.finalize(ds, summary)
        if report:
            from ..report import write_report
            write_report(Path(out), ds, summary, spec)
    return ds


def _finish(runs: xr.Dataset, points, spec: Spec) -> xr.Dataset:
    ds = arrange(runs, points, spec)
    ds.attrs.update({"name": spec.name, "spec_hash": spec.hash})
    return ds
