"""``run(spec)``: the one entry point the CLI, the claims and notebooks share."""

from collections.abc import Callable
from pathlib import Path

import xarray as xr

from ..ensemble import AbstractEnsemble
from ..spec import Spec, expand, load_spec, observation_times, validate_spec
from .runner import build, group_runs, run_group
from .store import ResultStore, arrange, results_to_dataset, summarize

#: Runs per compiled call and per stored part: bounds memory and the work a kill can lose,
#: while keeping an ensemble large enough to amortize dispatch.
MAX_GROUP_SIZE = 64


def coerce_spec(spec: Spec | dict | str | Path, base_dir: str | Path | None = None) -> tuple[Spec, Path]:
    """A :class:`Spec` from a Spec, a dict (parsed TOML) or a path to a TOML file."""
    if isinstance(spec, Spec):
        return spec, Path(base_dir or ".")
    if isinstance(spec, dict):
        return validate_spec(spec), Path(base_dir or ".")
    loaded, spec_dir = load_spec(spec)
    return loaded, Path(base_dir) if base_dir else spec_dir


def run(
    spec: Spec | dict | str | Path, out: str | Path | None = None, *, base_dir: str | Path | None = None,
    ensemble: AbstractEnsemble | None = None, progress: Callable[[int, int], None] | None = None,
    report: bool = True,
) -> xr.Dataset:
    """Run every point of ``spec``'s sweep and return the results as an xarray Dataset.

    With ``out``, results go to that directory (see :mod:`implicit_bias.experiment.store`):
    finished runs found there are not recomputed, and ``report`` adds figures and
    ``report.html``. All inputs (data files included) are validated before anything is
    written. ``progress(done, total)`` is called after each compiled group.
    """
    spec, base_dir = coerce_spec(spec, base_dir)
    points = expand(spec)
    times = observation_times(points)
    built = [build(p, base_dir) for p in points]  # raises SpecError before any write
    store = ResultStore(out, spec) if out is not None else None
    done = store.finished() if store else set()
    pending = [b for b in built if b.point.run_id not in done]
    parts: list[xr.Dataset] = []
    finished = len(points) - len(pending)
    if progress:
        progress(finished, len(points))
    for group in group_runs(pending):
        for start in range(0, len(group), MAX_GROUP_SIZE):
            chunk = group[start:start + MAX_GROUP_SIZE]
            part = results_to_dataset([b.point for b in chunk], run_group(chunk, times, ensemble), times)
            if store:
                store.write_part(part)
            else:
                parts.append(part)
            finished += len(chunk)
            if progress:
                progress(finished, len(points))
    runs = store.load_runs() if store else (xr.concat(parts, dim="run", join="outer") if len(parts) > 1 else parts[0])
    runs = runs.sel(run=[p.run_id for p in points])
    summary = summarize(runs, points, spec)
    ds = arrange(runs, points, spec)
    ds.attrs.update({"name": spec.name, "spec_hash": spec.hash})
    if store:
        store.finalize(ds, summary)
        if report:
            from ..report import write_report
            write_report(Path(out), ds, summary, spec)
    return ds
