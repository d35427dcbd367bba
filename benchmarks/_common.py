"""Shared helpers for the benchmark scripts: arguments, timing, machine facts, tables, JSON.

Not a test module and not part of the package: each ``benchmarks/NAME.py`` imports it from
its own folder (``python benchmarks/NAME.py`` puts that folder on ``sys.path``).

Timings are wall-clock (``time.perf_counter``) around calls that block until their results
exist (``jax.block_until_ready`` / ``jax.device_get``); a figure is the median of repeats.
The machine is shared, so every script also records how much CPU *other* processes used
while it ran (from ``/proc/stat``); a ratio taken while that was high is flagged.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def parse_args(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats (~20 s)")
    parser.add_argument("--repeats", type=int, default=None, help="timed repeats (median is reported)")
    parser.add_argument("--no-save", action="store_true", help=f"do not write {RESULTS.name}/NAME.json")
    return parser.parse_args()


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    """(seconds, result) of one call; ``fn`` must block until its work is done."""
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def timed_cpu(fn: Callable[[], object]) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds of this process over all its threads, result) of one call.

    CPU time is what the call cost in core time, whatever the neighbours do: on a busy machine
    it is the fairer comparison of two sides (contention still inflates it somewhat, through
    shared caches). A side using both cores has CPU time up to twice its wall time."""
    c0, t0 = _own_cpu(), time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, _own_cpu() - c0, out


def median(xs) -> float:
    return float(statistics.median(xs))


# --- CPU use by other processes -----------------------------------------------------------

def _cpu_jiffies() -> tuple[int, int] | None:
    """(busy, total) jiffies of all CPUs since boot, or None where /proc/stat is missing."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


class CpuMonitor:
    """How busy the machine was, and how much of that was *not* this process.

    ``foreign`` is the fraction of all cores' time used by other processes between
    :meth:`start` and :meth:`stop` (0 on an idle machine; on 2 cores, one busy neighbour
    reads 0.5). Timings taken with ``foreign`` above ~0.1 are slowed by contention.
    """

    def start(self) -> "CpuMonitor":
        self._jiffies = _cpu_jiffies()
        self._own = _own_cpu()
        self._wall = time.perf_counter()
        return self

    def stop(self) -> dict:
        jiffies, own, wall = _cpu_jiffies(), _own_cpu(), time.perf_counter()
        if jiffies is None or self._jiffies is None:
            return {"foreign_cpu_fraction": None}
        hz = os.sysconf("SC_CLK_TCK")
        busy = (jiffies[0] - self._jiffies[0]) / hz
        total = (jiffies[1] - self._jiffies[1]) / hz
        mine = own - self._own
        return {"foreign_cpu_fraction": round(max(0.0, busy - mine) / max(total, 1e-9), 3),
                "own_cores_used": round(mine / max(wall - self._wall, 1e-9), 2)}


def _own_cpu() -> float:
    t = os.times()
    return t.user + t.system


def other_load_now(seconds: float = 0.5) -> float | None:
    """Fraction of the machine other processes use right now (sampled over ``seconds``)."""
    m = CpuMonitor().start()
    time.sleep(seconds)
    return m.stop()["foreign_cpu_fraction"]


def warn_if_busy(where: str = "start") -> float | None:
    busy = other_load_now()
    if busy is not None and busy > 0.1:
        print(f"warning ({where}): other processes use {busy:.0%} of the CPU; timings will be slowed "
              "and ratios skewed toward whichever side ran while they were busiest", file=sys.stderr)
    return busy


# --- machine facts ------------------------------------------------------------------------

def machine_info() -> dict:
    import jax
    import numpy as np
    import scipy

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
        "jax": jax.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
        "backend": jax.default_backend(), "devices": len(jax.devices()),
        "float64": bool(jax.config.jax_enable_x64), **_git_state(),
    }


def _git_state() -> dict:
    """The commit the package was at, and whether ``src/`` had uncommitted changes."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                                text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=root, capture_output=True,
                               text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {}
    return {"git_commit": commit or None, "src_modified": bool(dirty)}


# --- output -------------------------------------------------------------------------------

def fmt(x, digits: int = 3) -> str:
    if isinstance(x, str):
        return x
    if x is None:
        return "-"
    if isinstance(x, int):
        return str(x)
    if x == 0:
        return "0"
    if abs(x) >= 1e4 or abs(x) < 1e-2:
        return f"{x:.{digits - 1}e}"
    return f"{x:.{digits}g}"


def print_table(title: str, headers: list[str], rows: list[list]) -> None:
    cells = [headers] + [[fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    print(f"\n{title}")
    for i, row in enumerate(cells):
        print("  " + "  ".join(c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(row, widths))))
        if i == 0:
            print("  " + "  ".join("-" * w for w in widths))


def save(name: str, data: dict, args: argparse.Namespace) -> Path | None:
    if args.no_save:
        return None
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}{'_quick' if args.quick else ''}.json"
    path.write_text(json.dumps(data, indent=2, default=_jsonable) + "\n")
    print(f"\nwrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    return path


def _jsonable(x):
    try:
        return x.item()
    except AttributeError:
        return str(x)


# --- the package's compiled path, without the Dataset assembly ------------------------------

def prepare_group(spec: dict):
    """Validate ``spec``, build its runs and return ``(group, times)`` for its single compiled
    group: the same chain ``implicit_bias.run`` uses (see ``experiment/run.py``), so that
    ``run_group(group, times, ensemble)`` times only the compiled ensemble computation (plus
    stacking the inputs and fetching the outputs)."""
    from implicit_bias.experiment import build, group_runs
    from implicit_bias.spec import expand, observation_times, validate_spec

    points = expand(validate_spec(spec))
    times = observation_times(points)
    groups = group_runs([build(p, Path(".")) for p in points])
    if len(groups) != 1:
        raise ValueError(f"expected one compiled group, got {len(groups)}")
    return groups[0], times


def initial_params(built) -> dict:
    """A run's initial parameters as NumPy arrays, exactly as the runner draws them. The
    benchmarks cross-check their baselines' final parameters against the package's."""
    import numpy as np
    from implicit_bias.experiment.runner import initial_params as runner_initial_params

    return {k: np.asarray(v) for k, v in runner_initial_params(built.model, built.inputs).items()}


def problem_arrays(built):
    import numpy as np

    return np.asarray(built.inputs.problem.X), np.asarray(built.inputs.problem.Y)


# --- diagnostics --------------------------------------------------------------------------

def contraction_order(model, n_samples: int) -> str:
    """Which order the model's ``predict`` multiplies in, read off its jaxpr: ``"xu_first"``
    for ``(X U) Vᵀ`` (the first matmul takes X), ``"theta_first"`` for ``X (U Vᵀ)``."""
    import jax
    import jax.numpy as jnp

    params = {k: jax.ShapeDtypeStruct(s, jnp.float64) for k, s in model.param_shapes().items()}
    x = jax.ShapeDtypeStruct((n_samples, model.input_dim), jnp.float64)
    closed = jax.make_jaxpr(model.predict)(params, x)
    x_var = closed.jaxpr.invars[-1]
    first = next(e for e in closed.jaxpr.eqns if e.primitive.name == "dot_general")
    return "xu_first" if any(v is x_var for v in first.invars) else "theta_first"


def forced_order_group(group, order: str):
    """The same runs with a *diagnostic* model, not the package's: the two-layer linear net
    with ``predict`` forced to one contraction order (``"xu_first"``: ``(X U) Vᵀ``,
    ``"theta_first"``: ``X (U Vᵀ)``). Same function, parameters and init draw; only the order
    of the matmuls (and so of the reverse-mode gradient) differs. Benchmarks show it as a
    what-if row to measure what the order costs; it never counts toward a target."""
    from implicit_bias.experiment.runner import BuiltRun
    from implicit_bias.models import TwoLayerLinear

    class ForcedOrderTwoLayerLinear(TwoLayerLinear):
        def predict(self, params, x):
            if order == "xu_first":
                return (x @ params["U"]) @ params["V"].T
            return x @ (params["U"] @ params["V"].T)

    m = group[0].model
    model = ForcedOrderTwoLayerLinear(m.input_dim, m.output_dim, m.width)
    return [BuiltRun(b.point, model, b.inputs) for b in group]


OTHER_ORDER = {"xu_first": "theta_first", "theta_first": "xu_first"}
ORDER_LABEL = {"xu_first": "(XU)Vᵀ", "theta_first": "X(UVᵀ)"}


def linear_net_flops(N: int, n: int, h: int, m: int) -> dict:
    """Flops of one loss-gradient evaluation of ½‖Y − X U Vᵀ‖² (matmuls only), by contraction order.

    * ``xu_first`` (``(X U) Vᵀ``; reverse mode mirrors it):
      X U, (XU) Vᵀ | dR V, Xᵀ(dR V), dRᵀ(XU)  →  4Nnh + 6Nhm
    * ``theta_first`` (``X (U Vᵀ)``): U Vᵀ, X Θ | Xᵀ dR, dΘ V, dΘᵀ U  →  6nhm + 4Nnm
    * ``numpy`` (the hand-written baselines): X U, (XU) Vᵀ | G = Xᵀ R, G V, Gᵀ U
      →  2Nnh + 2Nhm + 2Nnm + 4nmh
    """
    return {"xu_first": 4.0 * N * n * h + 6.0 * N * h * m,
            "theta_first": 6.0 * n * h * m + 4.0 * N * n * m,
            "numpy": 2.0 * N * n * h + 2.0 * N * h * m + 2.0 * N * n * m + 4.0 * n * m * h}


def matmul_gflops(n: int = 2000, repeats: int = 5) -> float:
    """The float64 matmul rate: median GFLOP/s of a jitted ``jnp.dot`` of two n×n matrices."""
    import jax
    import jax.numpy as jnp

    dot = jax.jit(jnp.dot)
    a = jax.random.normal(jax.random.key(0), (n, n))
    b = jax.random.normal(jax.random.key(1), (n, n))
    dot(a, b).block_until_ready()
    return 2 * n**3 / median([timed(lambda: dot(a, b).block_until_ready())[0] for _ in range(repeats)]) / 1e9
