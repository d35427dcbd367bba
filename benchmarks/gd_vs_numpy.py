"""Gradient descent on a two-layer linear net: a 256-seed ensemble compiled by the package,
against the loop a researcher writes by hand (per seed, NumPy, the same GD steps).

Problem: regression ``L = ½‖Y − X U Vᵀ‖²_F`` (sum), X Gaussian N×n, Y = XΘ*; GD with a fixed
number of steps (``t_max = lr·steps``, ``stop_loss = 0``), the loss recorded on the package's
log-spaced time grid by both sides. Compared:

* wall time of the whole ensemble. Ours: one compiled computation
  (``implicit_bias.experiment.run_group`` over all seeds), timed after a warm-up call, with its
  compile time apart; also ``implicit_bias.run(spec)`` end to end (it splits groups into
  chunks of ``MAX_GROUP_SIZE`` runs and assembles an xarray Dataset). NumPy: a Python loop
  over seeds, each a Python loop over steps with the gradient written by hand.
* the ensemble strategies of ``implicit_bias.ensemble`` (``vmap``, ``map``, ``sharded_map``)
  side by side on the same group; the default is marked.
* agreement: the largest relative difference between the final end-to-end predictors
  ``Θ = U Vᵀ`` of the two sides (the same arithmetic up to rounding).

    python benchmarks/gd_vs_numpy.py [--quick]
"""

import numpy as np

import _common as C

TARGET_SPEEDUP = 30.0

FULL = dict(n_samples=20, input_dim=50, output_dim=1, width=100, scale=0.5, lr=0.01, steps=2000,
            seeds=256, n_times=20, repeats=3)
QUICK = dict(FULL, steps=500, repeats=1)


def make_spec(cfg: dict, seeds: int) -> dict:
    return {
        "name": "bench_gd",
        "problem": {"kind": "regression", "n_samples": cfg["n_samples"], "input_dim": cfg["input_dim"],
                    "output_dim": cfg["output_dim"]},
        "model": {"kind": "two_layer_linear", "width": cfg["width"]},
        "init": {"kind": "gaussian", "scale": cfg["scale"]},
        "dynamics": {"kind": "gradient_descent", "lr": cfg["lr"], "t_max": cfg["lr"] * cfg["steps"],
                     "stop_loss": 0.0},
        "observe": {"quantities": ["loss"], "n_times": cfg["n_times"]},
        "sweep": {"seed": list(range(seeds))},
    }


# --- the baseline -------------------------------------------------------------------------

def numpy_gd(X, Y, U, V, lr, steps, record_steps) -> dict:
    """``steps`` GD steps on ½‖Y − X U Vᵀ‖²; the loss at each of ``record_steps``."""
    record = set(int(k) for k in record_steps)
    losses = {}
    for k in range(steps):
        R = (X @ U) @ V.T - Y  # residual, N×m
        if k in record:
            losses[k] = 0.5 * float(np.sum(R * R))
        G = X.T @ R  # ∇_Θ L, n×m
        U, V = U - lr * (G @ V), V - lr * (G.T @ U)
    if steps in record:
        losses[steps] = 0.5 * float(np.sum(((X @ U) @ V.T - Y) ** 2))
    return {"theta": U @ V.T, "losses": losses}


def numpy_loop(inputs, cfg, record_steps) -> list[dict]:
    return [numpy_gd(X, Y, U0, V0, cfg["lr"], cfg["steps"], record_steps) for X, Y, U0, V0 in inputs]


def main() -> None:
    args = C.parse_args(__doc__.splitlines()[0])
    cfg = QUICK if args.quick else FULL
    repeats = args.repeats or cfg["repeats"]
    import implicit_bias as ib
    from implicit_bias.ensemble import STRATEGIES, default_ensemble
    from implicit_bias.experiment import run_group
    from implicit_bias.experiment.run import MAX_GROUP_SIZE

    busy0 = C.warn_if_busy()
    monitor = C.CpuMonitor().start()
    spec = make_spec(cfg, cfg["seeds"])
    group, times = C.prepare_group(spec)
    record_steps = np.ceil(times / cfg["lr"] * (1 - 1e-12)).astype(int)
    inputs = [(*C.problem_arrays(b), C.initial_params(b)["U"], C.initial_params(b)["V"]) for b in group]
    default_name = next(n for n, cls in STRATEGIES.items() if type(default_ensemble()) is cls)

    strategies = {name: {"ens": cls(), "times": []} for name, cls in STRATEGIES.items()}
    for s in strategies.values():
        s["first"], s["res"] = C.timed(lambda: run_group(group, times, s["ens"]))
    first_api, _ = C.timed(lambda: ib.run(spec))
    api_times, numpy_times = [], []
    for _ in range(repeats):  # interleaved, so a busy spell hits every side alike
        for s in strategies.values():
            t, s["res"] = C.timed(lambda: run_group(group, times, s["ens"]))
            s["times"].append(t)
        api_times.append(C.timed(lambda: ib.run(spec))[0])
        t, np_res = C.timed(lambda: numpy_loop(inputs, cfg, record_steps))
        numpy_times.append(t)
    load = monitor.stop()
    busy1 = C.warn_if_busy("end")

    t_numpy = C.median(numpy_times)
    rows, out = [], {}
    for name, s in strategies.items():
        t = C.median(s["times"])
        theta_diff = max(float(np.linalg.norm(r["predictor"] - q["theta"]) / np.linalg.norm(q["theta"]))
                         for r, q in zip(s["res"], np_res))
        loss_diff = max(abs(float(r["observed"]["loss"][i]) - q["losses"][int(k)]) / q["losses"][int(k)]
                        for r, q in zip(s["res"], np_res) for i, k in enumerate(record_steps))
        out[name] = {"seconds": t, "compile_s": max(0.0, s["first"] - t), "speedup": t_numpy / t,
                     "theta_rel_diff": theta_diff, "loss_rel_diff": loss_diff, "times_s": s["times"],
                     "statuses": sorted({int(r["status"]) for r in s["res"]}),
                     "final_loss_max": max(float(r["final"]["loss"]) for r in s["res"])}
        rows.append([name + (" (default)" if name == default_name else ""), t, out[name]["compile_s"],
                     t_numpy, out[name]["speedup"], theta_diff,
                     cfg["seeds"] * cfg["steps"] / t])
    t_api = C.median(api_times)
    rows.append([f"ib.run(spec) end to end ({-(-cfg['seeds'] // MAX_GROUP_SIZE)} chunks)", t_api,
                 max(0.0, first_api - t_api), t_numpy, t_numpy / t_api, None, cfg["seeds"] * cfg["steps"] / t_api])
    rows.append(["NumPy per-seed loop", t_numpy, None, t_numpy, 1.0, 0.0, cfg["seeds"] * cfg["steps"] / t_numpy])

    loss0 = float(strategies[default_name]["res"][0]["observed"]["loss"][0])
    C.print_table(
        f"GD ensemble vs NumPy loop: {cfg['seeds']} seeds x {cfg['steps']} steps, lr={cfg['lr']}; "
        f"N={cfg['n_samples']} n={cfg['input_dim']} m={cfg['output_dim']} width={cfg['width']} "
        f"scale={cfg['scale']}; median of {repeats}",
        ["ours", "seconds", "compile s", "numpy s", "speedup", "Θ rel diff", "seed-steps/s"], rows)
    print(f"\nloss {loss0:.3g} -> {out[default_name]['final_loss_max']:.2g} (worst seed); "
          f"max relative loss difference ours vs NumPy on the record grid: "
          f"{max(o['loss_rel_diff'] for o in out.values()):.1e}")
    best = max(o["speedup"] for o in out.values())
    print(f"target: >= {TARGET_SPEEDUP:g}x the NumPy loop: default {out[default_name]['speedup']:.2f}x, "
          f"best strategy {best:.2f}x -> {'met' if best >= TARGET_SPEEDUP else 'MISSED'}")
    print(f"other processes used {load['foreign_cpu_fraction']:.0%} of the CPU during the run")

    C.save("gd_vs_numpy", {
        "machine": C.machine_info(), "config": cfg, "quick": args.quick, "repeats": repeats,
        "numpy_s": t_numpy, "numpy_times_s": numpy_times, "strategies": out, "default_strategy": default_name,
        "api_end_to_end_s": t_api, "api_times_s": api_times, "api_compile_s": max(0.0, first_api - t_api),
        "target_speedup": TARGET_SPEEDUP, "default_speedup": out[default_name]["speedup"],
        "best_speedup": best, "target_met": best >= TARGET_SPEEDUP,
        "cpu": {**load, "foreign_at_start": busy0, "foreign_at_end": busy1},
    }, args)


if __name__ == "__main__":
    main()
