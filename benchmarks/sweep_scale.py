"""Sweeps at scale: what a task costs on Dask against in-process, the throughput of a 10⁴-point
sweep of small linear-network runs on 2 Dask workers and locally, and the store's write rate.

1. Per-task overhead: K one-run tasks (the memory limit is set to fit one run, so each run is
   its own task) of a tiny GD run, through ``implicit_bias.run`` with a store, local vs an
   embedded Dask ``LocalCluster`` (2 spawned workers, warmed up: compiled once per worker).
   Overhead per task = (Dask time − local time) / K; also the local time per task, all in.
2. Throughput: a 10⁴-point sweep (seeds × learning rates, one shape: ~160 tasks of 64 runs)
   end to end (build, run, store, summary; no figures), local and on the 2 Dask workers.
3. Store: ``ResultStore.write_part`` of parts of 64 runs × 100 record times × 4 observables.

    python benchmarks/sweep_scale.py [--quick]
"""

import shutil
import tempfile
import time
from pathlib import Path

import _common as C

FULL = dict(tasks=64, sweep_seeds=2500, sweep_lrs=4, steps=200, store_parts=20, repeats=3)
QUICK = dict(FULL, tasks=16, sweep_seeds=250, store_parts=5, repeats=1)


def spec(seeds: int, lrs: int, steps: int) -> dict:
    lr = [0.01 * (1 + i / lrs) for i in range(lrs)]
    return {
        "name": "bench_sweep",
        "problem": {"kind": "regression", "n_samples": 10, "input_dim": 20, "output_dim": 1},
        "model": {"kind": "two_layer_linear", "width": 10},
        "init": {"kind": "gaussian", "scale": 0.3},
        "dynamics": {"kind": "gradient_descent", "lr": 0.01, "t_max": 0.01 * steps, "stop_loss": 0.0},
        "observe": {"quantities": ["loss"], "n_times": 20},
        "sweep": {"seed": list(range(seeds)), "dynamics.lr": lr},
    }


def timed_run(s: dict, executor, memory_limit=None) -> float:
    import implicit_bias as ib

    out = Path(tempfile.mkdtemp(prefix="bench_sweep_")) / "out"
    try:
        return C.timed(lambda: ib.run(s, out, executor=executor, memory_limit=memory_limit, report=False))[0]
    finally:
        shutil.rmtree(out.parent)


def main() -> None:
    args = C.parse_args(__doc__.splitlines()[0])
    cfg = QUICK if args.quick else FULL
    repeats = args.repeats or cfg["repeats"]
    C.warn_if_busy()
    import implicit_bias as ib
    from implicit_bias.experiment import DaskExecutor, LocalExecutor, ResultStore, build
    from implicit_bias.experiment.executor import compute_part
    from implicit_bias.experiment.plan import Task, run_bytes
    from implicit_bias.spec import expand, observation_times

    monitor = C.CpuMonitor().start()
    local = LocalExecutor()
    t0 = time.perf_counter()
    dask = DaskExecutor(n_workers=2)
    cluster_start = time.perf_counter() - t0
    results: dict = {"config": cfg, "machine": C.machine_info(), "dask_cluster_start_s": cluster_start}
    try:
        # 1. per-task overhead
        small = spec(cfg["tasks"], 1, cfg["steps"])
        points = expand(ib.validate_spec(small))
        one = run_bytes(build(points[0], Path(".")), len(observation_times(points)))
        for executor in (local, dask, dask):  # warm-up: compile here and on both workers
            timed_run(spec(4, 1, cfg["steps"]), executor, one)
        t_local, t_dask = [], []
        for _ in range(repeats):  # interleaved
            t_local.append(timed_run(small, local, one))
            t_dask.append(timed_run(small, dask, one))
        K = cfg["tasks"]
        results["per_task"] = {"tasks": K, "local_s": C.median(t_local), "dask_s": C.median(t_dask),
                               "local_per_task_ms": 1e3 * C.median(t_local) / K,
                               "dask_overhead_per_task_ms": 1e3 * (C.median(t_dask) - C.median(t_local)) / K}
        # 2. throughput of a 10⁴-point sweep
        big = spec(cfg["sweep_seeds"], cfg["sweep_lrs"], cfg["steps"])
        n_runs = cfg["sweep_seeds"] * cfg["sweep_lrs"]
        t_build = C.timed(lambda: [build(p, Path(".")) for p in expand(ib.validate_spec(big))])[0]
        t_big_local = timed_run(big, local)
        t_big_dask = timed_run(big, dask)
        results["sweep"] = {"runs": n_runs, "build_s": t_build, "local_s": t_big_local, "dask_s": t_big_dask,
                            "local_runs_per_s": n_runs / t_big_local, "dask_runs_per_s": n_runs / t_big_dask,
                            "dask_over_local": t_big_local / t_big_dask}
        # 3. store write throughput
        store_points = expand(ib.validate_spec({**small, "observe": {"quantities": ["loss", "imbalance_drift",
                                                "distance_to_min_norm", "null_space_offset"], "n_times": 100}}))
        chunk = [build(p, Path(".")) for p in store_points[:64]]
        part = compute_part(Task(chunk, len(chunk)), observation_times(store_points), None)
        nbytes = part.nbytes
        folder = Path(tempfile.mkdtemp(prefix="bench_store_"))
        try:
            with ResultStore(folder / "out", ib.validate_spec(small)) as store:
                parts = [part.assign_coords(run=[f"{r}-{i}" for r in part["run"].values])
                         for i in range(cfg["store_parts"])]
                t_store = C.timed(lambda: [store.write_part(p) for p in parts])[0]
        finally:
            shutil.rmtree(folder)
        results["store"] = {"part_runs": len(chunk), "part_mib": nbytes / 2**20, "parts": cfg["store_parts"],
                            "ms_per_part": 1e3 * t_store / cfg["store_parts"],
                            "mib_per_s": nbytes * cfg["store_parts"] / t_store / 2**20,
                            "runs_per_s": len(chunk) * cfg["store_parts"] / t_store}
    finally:
        dask.close()
    results["cpu"] = monitor.stop()
    p, s, st = results["per_task"], results["sweep"], results["store"]
    C.print_table("per-task cost (one-run tasks, store included)", ["", "local", "dask (2 workers)"],
                  [["seconds for K tasks", p["local_s"], p["dask_s"]],
                   ["ms per task", p["local_per_task_ms"], 1e3 * p["dask_s"] / K],
                   ["Dask overhead per task, ms", "-", p["dask_overhead_per_task_ms"]]])
    C.print_table(f"{n_runs}-run sweep end to end", ["", "local", "dask (2 workers)"],
                  [["seconds", s["local_s"], s["dask_s"]], ["runs/s", s["local_runs_per_s"], s["dask_runs_per_s"]],
                   ["(building the runs alone, s)", s["build_s"], "-"]])
    C.print_table("store", ["part (64 runs)", "MiB", "ms/part", "MiB/s", "runs/s"],
                  [["write_part", st["part_mib"], st["ms_per_part"], st["mib_per_s"], st["runs_per_s"]]])
    print(f"\nDask cluster start: {cluster_start:.1f} s; other processes used "
          f"{results['cpu']['foreign_cpu_fraction']:.0%} of the CPU while this ran")
    C.save("sweep_scale", results, args)


if __name__ == "__main__":
    main()
