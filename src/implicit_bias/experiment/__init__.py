"""Experiments: specs executed as compiled ensembles, results in an xarray/zarr store."""

from .executor import DaskExecutor, LocalExecutor, executor_named
from .run import coerce_spec, problem_data, run, run_points
from .runner import build, group_runs, run_group
from .store import ResultStore

__all__ = ["DaskExecutor", "LocalExecutor", "ResultStore", "build", "coerce_spec", "executor_named", "group_runs",
           "problem_data", "run", "run_group", "run_points"]
