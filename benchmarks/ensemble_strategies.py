"""The ensemble strategies of ``implicit_bias.ensemble`` side by side: ``vmap`` (one batched
computation), ``map`` (``lax.map``, a compiled loop over members) and ``sharded_map``
(``lax.map`` on each host device, members split between them), on the same compiled group.

This is the measurement ``default_ensemble()`` is chosen by (see the module's docstring).
Two workloads, 64 seeds each, two-layer linear regression (N=20, n=50, m=1):
gradient flow (adaptive Tsit5, rtol = atol = 1e-10) and gradient descent (2000 steps).
Times are of ``implicit_bias.experiment.run_group`` after a warm-up (compile) call.

    python benchmarks/ensemble_strategies.py [--quick]
"""

import _common as C

FULL = dict(seeds=64, width=30, repeats=3, gf_t_max=5.0, gd_steps=2000, lr=0.01)
QUICK = dict(FULL, repeats=1, gd_steps=500)


def make_spec(cfg: dict, kind: str) -> dict:
    dynamics = ({"kind": "gradient_flow", "t_max": cfg["gf_t_max"], "rtol": 1e-10, "atol": 1e-10}
                if kind == "gradient_flow" else
                {"kind": "gradient_descent", "lr": cfg["lr"], "t_max": cfg["lr"] * cfg["gd_steps"], "stop_loss": 0.0})
    return {
        "name": "bench_ensemble",
        "problem": {"kind": "regression", "n_samples": 20, "input_dim": 50, "output_dim": 1},
        "model": {"kind": "two_layer_linear", "width": cfg["width"]},
        "init": {"kind": "gaussian", "scale": 0.5},
        "dynamics": dynamics,
        "observe": {"quantities": ["loss"], "n_times": 20},
        "sweep": {"seed": list(range(cfg["seeds"]))},
    }


def main() -> None:
    args = C.parse_args(__doc__.splitlines()[0])
    cfg = QUICK if args.quick else FULL
    repeats = args.repeats or cfg["repeats"]
    from implicit_bias.ensemble import STRATEGIES, default_ensemble
    from implicit_bias.experiment import run_group

    busy0 = C.warn_if_busy()
    monitor = C.CpuMonitor().start()
    default_name = next(n for n, cls in STRATEGIES.items() if type(default_ensemble()) is cls)
    out, rows = {}, []
    for kind in ("gradient_flow", "gradient_descent"):
        group, times = C.prepare_group(make_spec(cfg, kind))
        first = {name: C.timed(lambda e=cls(): run_group(group, times, e))[0] for name, cls in STRATEGIES.items()}
        t = {name: [] for name in STRATEGIES}
        for _ in range(repeats):
            for name, cls in STRATEGIES.items():
                t[name].append(C.timed(lambda e=cls(): run_group(group, times, e))[0])
        med = {name: C.median(ts) for name, ts in t.items()}
        fastest = min(med.values())
        out[kind] = {name: {"seconds": med[name], "compile_s": max(0.0, first[name] - med[name]),
                            "vs_fastest": med[name] / fastest, "times_s": t[name]} for name in STRATEGIES}
        for name in STRATEGIES:
            o = out[kind][name]
            rows.append([kind, name + (" (default)" if name == default_name else ""), o["seconds"],
                         o["compile_s"], o["vs_fastest"]])
    load = monitor.stop()
    busy1 = C.warn_if_busy("end")

    C.print_table(f"Ensemble strategies, {cfg['seeds']} seeds, width {cfg['width']}, {C.machine_info()['devices']} "
                  f"host devices; median of {repeats}",
                  ["dynamics", "strategy", "seconds", "compile s", "x fastest"], rows)
    winners = {kind: min(o, key=lambda n: o[n]["seconds"]) for kind, o in out.items()}
    print(f"\nfastest: {winners}; default on this backend: {default_name}")
    print(f"other processes used {load['foreign_cpu_fraction']:.0%} of the CPU during the run")
    C.save("ensemble_strategies", {
        "machine": C.machine_info(), "config": cfg, "quick": args.quick, "repeats": repeats, "results": out,
        "default_strategy": default_name, "fastest": winners,
        "cpu": {**load, "foreign_at_start": busy0, "foreign_at_end": busy1},
    }, args)


if __name__ == "__main__":
    main()
