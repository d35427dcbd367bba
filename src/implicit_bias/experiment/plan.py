r"""Tasks from runs: compiled groups split into chunks that fit in memory.

Memory of one run (float64, 8 bytes a number), estimated from shapes alone (no compile):

.. math::  \text{bytes} \approx 8\,\bigl(c\,P + D + T\,K + O\bigr)

with ``P`` parameters, ``D`` numbers in the run's inputs (data, keys, settings: each run of an
ensemble holds its own copy), ``T`` record times × ``K`` observables, ``O`` end-to-end
predictor entries, and ``c`` = :data:`STATE_COPIES` live copies of the parameters: Tsit5 keeps
7 stage derivatives plus the state, the candidate step and its error estimate, and the
observer holds the initial parameters; 16 leaves room for the gradient's temporaries. A chunk
holds at most ``budget / bytes`` runs; a spec whose single run exceeds the budget is refused
before anything runs.
"""

import math
import os
from typing import NamedTuple

import jax
import numpy as np

from ..errors import SpecError
from .runner import BuiltRun, group_runs, initial_params

#: Runs per task (one compiled call, one stored part): bounds memory and the work a kill can
#: lose, while keeping an ensemble large enough to amortize dispatch.
MAX_GROUP_SIZE = 64
STATE_COPIES = 16


def available_memory() -> int:
    """Bytes the kernel reports available (``MemAvailable``), else total physical memory."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def _size(tree) -> int:
    return sum(math.prod(leaf.shape) for leaf in jax.tree.leaves(tree))


def run_bytes(run: BuiltRun, n_times: int) -> int:
    """Estimated peak memory of one run (see the module docstring)."""
    params = jax.eval_shape(lambda: initial_params(run.model, run.inputs))
    predictor = jax.eval_shape(run.model.end_to_end, params)
    n_observed = len(run.point.spec.observe.quantities)
    return 8 * (STATE_COPIES * _size(params) + _size(run.inputs) + n_times * n_observed + _size(predictor))


def format_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024:
            return f"{n:.3g} {unit}"
        n /= 1024
    return f"{n:.3g} TiB"


class Task(NamedTuple):
    """Runs computed as one compiled call and stored as one part; ``batch_size`` is the
    chunk size of their group (see :func:`padded`)."""

    runs: list[BuiltRun]
    batch_size: int


def plan_chunks(runs: list[BuiltRun], times: np.ndarray, memory_limit: int | None = None) -> list[Task]:
    """``runs`` as tasks: each compiled group split into equal chunks (the last one may be
    shorter; see :func:`padded`) of at most :data:`MAX_GROUP_SIZE` runs and at most
    ``memory_limit`` bytes (default: half the available memory, leaving the rest to compiled
    code and other processes)."""
    budget = available_memory() // 2 if memory_limit is None else memory_limit
    chunks = []
    for group in group_runs(runs):
        need = run_bytes(group[0], len(times))
        if need > budget:
            raise SpecError("model", f"one run needs about {format_bytes(need)} (estimate), more than the "
                            f"{format_bytes(budget)} allowed", "reduce the sizes (width, samples, dimensions), "
                            "or run on a machine with more memory (--memory-limit)")
        n_chunks = -(-len(group) // min(MAX_GROUP_SIZE, budget // need))
        size = -(-len(group) // n_chunks)  # balanced: the last chunk is at most n_chunks − 1 short
        chunks += [Task(group[start:start + size], size) for start in range(0, len(group), size)]
    return chunks


def padded(task: Task) -> list[BuiltRun]:
    """The task's runs filled up to its ``batch_size`` by repeating the last one: every task of
    a group then has one batch shape, so the group compiles once (a short last chunk would
    compile again, ~1–10 s). Members are independent, so padding changes no result; the
    caller drops it."""
    return task.runs + [task.runs[-1]] * (task.batch_size - len(task.runs))
