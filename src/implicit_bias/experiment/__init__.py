"""Experiments: specs executed as compiled ensembles, results in an xarray/zarr store."""

from .run import coerce_spec, run
from .runner import build, group_runs, run_group
from .store import ResultStore

__all__ = ["ResultStore", "build", "coerce_spec", "group_runs", "run", "run_group"]
