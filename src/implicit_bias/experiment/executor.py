"""Where tasks run: in this process (``local``) or on a Dask distributed cluster (``dask``).

A *task* (:class:`~implicit_bias.experiment.plan.Task`) is a chunk of one compiled group (runs
of equal shapes, see :func:`~implicit_bias.experiment.runner.group_runs`), at most
:data:`~implicit_bias.experiment.plan.MAX_GROUP_SIZE` runs and no more than fit in memory
(:mod:`~implicit_bias.experiment.plan`): a sweep of 10⁴ small runs is ~160 tasks, not 10⁴.
A task returns its runs' results as one Dataset over ``run``; the caller writes it to the
store as one atomic part. Executors yield parts as tasks finish, in any order; results do not
depend on the executor, because each run's numbers depend only on its spec and seed (the
ensemble is exact member by member, ``tests/test_experiment.py``).

Dask workers are fresh *spawned* processes: JAX's runtime threads do not survive ``fork``.
Each worker imports this package, which sets float64 and its host devices as here, and
rebuilds its runs from their :class:`~implicit_bias.spec.RunPoint` (no arrays travel). A
worker that dies mid-task has its task rerun elsewhere by the scheduler; results reach the
store only through the client, once per task, so a retry cannot write a run twice.
"""

import abc
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import xarray as xr

from ..ensemble import AbstractEnsemble
from ..errors import SpecError
from ..spec import RunPoint, _digest
from .plan import Task, padded
from .runner import build, run_group
from .store import results_to_dataset


def compute_part(task: Task, times: np.ndarray, ensemble: AbstractEnsemble | None) -> xr.Dataset:
    """One task: its runs as one compiled ensemble; their results as a Dataset over ``run``."""
    results = run_group(padded(task), times, ensemble)[:len(task.runs)]
    return results_to_dataset([b.point for b in task.runs], results, times)


def _remote_part(points: list[RunPoint], batch_size: int, base_dir: str, times: np.ndarray,
                 ensemble: AbstractEnsemble | None) -> xr.Dataset:
    return compute_part(Task([build(p, Path(base_dir)) for p in points], batch_size), times, ensemble)


class AbstractExecutor(abc.ABC):
    @abc.abstractmethod
    def map(self, tasks: list[Task], times: np.ndarray, ensemble: AbstractEnsemble | None,
            base_dir: Path) -> Iterator[xr.Dataset]:
        """Run every task; yield each task's part as it finishes (any order)."""

    def close(self) -> None:
        """Release what the executor started (a Dask cluster)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class LocalExecutor(AbstractExecutor):
    """In this process, one task after another (each task is itself parallel: see
    :mod:`implicit_bias.ensemble`)."""

    def map(self, tasks, times, ensemble, base_dir):
        for task in tasks:
            yield compute_part(task, times, ensemble)


class DaskExecutor(AbstractExecutor):
    """Chunks as Dask tasks, on the cluster at ``scheduler`` (e.g. ``tcp://host:8786``, or a
    dask-jobqueue ``SLURMCluster``'s ``scheduler_address``), or else on an embedded
    ``LocalCluster`` of ``n_workers`` spawned single-threaded processes (default: one per core)."""

    def __init__(self, scheduler: str | None = None, n_workers: int | None = None):
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError:
            raise SpecError("--executor", "dask is not installed",
                            "pip install 'implicit-bias[dask]', or use --executor local") from None
        self.cluster = None
        if scheduler is None:
            with dask.config.set({"distributed.worker.multiprocessing-method": "spawn"}):
                self.cluster = LocalCluster(n_workers=n_workers or os.cpu_count() or 1, threads_per_worker=1,
                                            processes=True, dashboard_address=None)
            self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(scheduler, timeout="20s")
            except OSError as e:
                raise SpecError("--scheduler", f"cannot reach '{scheduler}' ({e})",
                                "start the scheduler first or check its address") from None

    def map(self, tasks, times, ensemble, base_dir):
        from distributed import as_completed

        # A task's key names its runs and record times: resubmitting the same task (a rerun
        # on a live cluster) is recognised by the scheduler rather than computed twice.
        def key(task):
            return f"implicit-bias-{_digest([sorted(b.point.run_id for b in task.runs), times.tolist()])}"
        futures = [self.client.submit(_remote_part, [b.point for b in task.runs], task.batch_size, str(base_dir),
                                      times, ensemble, key=key(task)) for task in tasks]
        for future in as_completed(futures):
            yield future.result()
            future.release()

    def close(self):
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def executor_named(name: str, scheduler: str | None = None) -> AbstractExecutor:
    if name == "local":
        if scheduler is not None:
            raise SpecError("--scheduler", "applies to --executor dask only", "add --executor dask")
        return LocalExecutor()
    if name == "dask":
        return DaskExecutor(scheduler)
    raise SpecError("--executor", f"unknown executor '{name}'", "use 'local' or 'dask'")
