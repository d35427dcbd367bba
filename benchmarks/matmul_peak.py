"""How close a large gradient-descent run gets to the machine's float64 matmul rate.

1. Peak: ``jnp.dot`` of two n×n float64 matrices, jitted and warmed up, 2n³ flops a call
   (NumPy's ``@`` is shown beside it).
2. A large two-layer linear network trained by the package's GD (one run, N samples, n
   inputs, width h, m outputs), chosen so that a step is matmul-dominated. Its flops per
   step, counted analytically for the order the model multiplies in (it picks one by shape;
   read off its jaxpr; reverse mode mirrors it):

       X (U Vᵀ):  U Vᵀ: 2nhm   X Θ: 2Nnm  | Xᵀ dR: 2Nnm   dΘ V: 2nmh   dΘᵀ U: 2nmh   → 6nhm + 4Nnm
       (X U) Vᵀ:  X U: 2Nnh    (XU) Vᵀ: 2Nhm | dR V: 2Nmh  Xᵀ(dR V): 2Nnh  dRᵀ(XU): 2Nmh → 4Nnh + 6Nhm

   Achieved GFLOP/s = steps × that / time. Two figures: *overall* (one whole call of
   ``run_group`` for K steps, with the run's fixed costs: initial loss, records, final
   observables, the end-to-end predictor) and *per step* (the marginal rate from K and 2K
   steps, which cancels those fixed costs). Timed with ``map`` and with ``sharded_map`` (the
   CPU default), since with one run ``sharded_map`` pads the batch to the device count and
   so computes the run once per device (``vmap`` of one member is the plain run, like ``map``).
3. A reference: the same GD step hand-written in JAX (``grad`` of the loss through the
   model's own ``predict``, in a ``fori_loop``), no package around it, to separate the
   package's overheads from what XLA makes of the step itself.

Target: the package's run at >= 30 % of the matmul peak.

    python benchmarks/matmul_peak.py [--quick]
"""

import jax
import jax.numpy as jnp
import numpy as np

import _common as C

TARGET_FRACTION = 0.30

FULL = dict(peak_n=(2000, 3000), n_samples=2000, input_dim=2000, width=2000, output_dim=200, scale=0.01,
            lr=1e-3, steps=16, repeats=2, strategies=("map", "sharded_map"))
QUICK = dict(FULL, peak_n=(2000,), n_samples=1000, input_dim=1000, width=1000, output_dim=100, steps=8)


def matmul_peak(sizes, repeats: int) -> list[dict]:
    out = []
    dot = jax.jit(jnp.dot)
    for n in sizes:
        a = jax.random.normal(jax.random.key(0), (n, n))
        b = jax.random.normal(jax.random.key(1), (n, n))
        dot(a, b).block_until_ready()
        mon = C.CpuMonitor().start()
        ts = [C.timed(lambda: dot(a, b).block_until_ready())[0] for _ in range(max(repeats, 5))]
        cores = mon.stop()["own_cores_used"]
        an, bn = np.asarray(a), np.asarray(b)
        an @ bn
        ts_np = [C.timed(lambda: an @ bn)[0] for _ in range(max(repeats, 5))]
        out.append({"n": n, "jax_gflops": 2 * n**3 / C.median(ts) / 1e9,
                    "numpy_gflops": 2 * n**3 / C.median(ts_np) / 1e9, "jax_cores_used": cores})
    return out


def make_spec(cfg: dict, steps: int) -> dict:
    t_max = cfg["lr"] * steps
    return {
        "name": "bench_large_gd",
        "problem": {"kind": "regression", "n_samples": cfg["n_samples"], "input_dim": cfg["input_dim"],
                    "output_dim": cfg["output_dim"]},
        "model": {"kind": "two_layer_linear", "width": cfg["width"]},
        "init": {"kind": "gaussian", "scale": cfg["scale"]},
        "dynamics": {"kind": "gradient_descent", "lr": cfg["lr"], "t_max": t_max, "stop_loss": 0.0},
        # Two records only (t = 0 and t_max): observables are not what this measures.
        "observe": {"quantities": ["loss"], "n_times": 2, "t_min": t_max},
    }


def reference_gd(model, X, Y, params, lr, steps):
    """The same GD step, hand-written in JAX: what XLA makes of it without the package."""
    def loss(p):
        return 0.5 * jnp.sum((Y - model.predict(p, X)) ** 2)

    def body(_, p):
        return jax.tree.map(lambda a, g: a - lr * g, p, jax.grad(loss)(p))

    return jax.lax.fori_loop(0, steps, body, params)


def main() -> None:
    args = C.parse_args(__doc__.splitlines()[0])
    cfg = QUICK if args.quick else FULL
    repeats = args.repeats or cfg["repeats"]
    from implicit_bias.ensemble import STRATEGIES, default_ensemble
    from implicit_bias.experiment import run_group

    busy0 = C.warn_if_busy()
    monitor = C.CpuMonitor().start()
    peaks = matmul_peak(cfg["peak_n"], repeats)
    peak = max(p["jax_gflops"] for p in peaks)

    N, n, h, m, K = cfg["n_samples"], cfg["input_dim"], cfg["width"], cfg["output_dim"], cfg["steps"]
    groups = {k: C.prepare_group(make_spec(cfg, k)) for k in (K, 2 * K)}
    model = groups[K][0][0].model
    order = C.contraction_order(model, N)
    flops = C.linear_net_flops(N, n, h, m)[order]
    default_name = next(name for name, cls in STRATEGIES.items() if type(default_ensemble()) is cls)

    rows, out = [], {}
    for name in cfg["strategies"]:
        ens = STRATEGIES[name]()
        first, _ = C.timed(lambda: run_group(*groups[K], ens))  # compiles; 2K reuses it (t_max is an array)
        t = {k: [] for k in groups}
        res = None
        for _ in range(repeats):
            for k, (g, times) in groups.items():
                dt, res = C.timed(lambda: run_group(g, times, ens))
                t[k].append(dt)
        tK, t2K = C.median(t[K]), C.median(t[2 * K])
        marginal = (t2K - tK) / K
        r = res[0]
        out[name] = {"seconds_K": tK, "seconds_2K": t2K, "compile_s": max(0.0, first - tK),
                     "overall_gflops": K * flops / tK / 1e9, "step_s": marginal,
                     "step_gflops": flops / marginal / 1e9 if marginal > 0 else None,
                     "fixed_s": tK - K * marginal, "times_K_s": t[K], "times_2K_s": t[2 * K],
                     "loss": [float(x) for x in r["observed"]["loss"]], "status": int(r["status"]),
                     "n_steps": int(r["n_steps"])}
        o = out[name]
        rows.append([name + (" (default)" if name == default_name else ""), tK, o["fixed_s"], o["step_s"],
                     o["overall_gflops"], o["overall_gflops"] / peak,
                     o["step_gflops"], (o["step_gflops"] or 0) / peak])

    # The hand-written reference on the same data and initial parameters.
    b = groups[K][0][0]
    X, Y = b.inputs.problem.X, b.inputs.problem.Y
    p0 = {k: jnp.asarray(v) for k, v in C.initial_params(b).items()}
    ref = jax.jit(reference_gd, static_argnames=("model", "steps"))
    ref_t = {}
    for k in (K, 2 * K):
        jax.block_until_ready(ref(model, X, Y, p0, cfg["lr"], steps=k))
        ref_t[k] = C.median([C.timed(lambda: jax.block_until_ready(ref(model, X, Y, p0, cfg["lr"], steps=k)))[0]
                             for _ in range(repeats)])
    ref_step = (ref_t[2 * K] - ref_t[K]) / K
    ref_row = {"seconds_K": ref_t[K], "seconds_2K": ref_t[2 * K], "step_s": ref_step,
               "overall_gflops": K * flops / ref_t[K] / 1e9, "step_gflops": flops / ref_step / 1e9}
    rows.append(["hand-written JAX (reference)", ref_t[K], ref_t[K] - K * ref_step, ref_step,
                 ref_row["overall_gflops"], ref_row["overall_gflops"] / peak, ref_row["step_gflops"],
                 ref_row["step_gflops"] / peak])
    load = monitor.stop()
    busy1 = C.warn_if_busy("end")

    C.print_table("float64 matmul peak (jnp.dot, jitted; median)",
                  ["n", "JAX GFLOP/s", "NumPy GFLOP/s", "cores used"],
                  [[p["n"], p["jax_gflops"], p["numpy_gflops"], p["jax_cores_used"]] for p in peaks])
    C.print_table(
        f"Large GD run: N={N} n={n} h={h} m={m}, model as {C.ORDER_LABEL[order]}: {flops / 1e9:.1f} GFLOP/step, "
        f"K={K} steps "
        f"(and 2K for the per-step rate); peak {peak:.0f} GFLOP/s; median of {repeats}",
        ["ours", f"{K} steps s", "fixed s", "per step s", "GFLOP/s", "of peak", "step GFLOP/s", "of peak"],
        rows)
    d = out[default_name]
    print(f"\nloss {d['loss'][0]:.4g} -> {d['loss'][-1]:.4g} after {d['n_steps']} steps (status {d['status']})")
    best = max(o["step_gflops"] or 0 for o in out.values()) / peak
    verdict = lambda x: "met" if x >= TARGET_FRACTION else "MISSED"  # noqa: E731
    print(f"target >= {TARGET_FRACTION:.0%} of the matmul peak:")
    for name, o in out.items():
        print(f"  {name:12s} overall {o['overall_gflops'] / peak:4.0%} ({verdict(o['overall_gflops'] / peak)}), "
              f"per step {(o['step_gflops'] or 0) / peak:4.0%} ({verdict((o['step_gflops'] or 0) / peak)})"
              + ("   <- default" if name == default_name else ""))
    print(f"other processes used {load['foreign_cpu_fraction']:.0%} of the CPU during the run")

    C.save("matmul_peak", {
        "machine": C.machine_info(), "config": cfg, "quick": args.quick, "repeats": repeats,
        "peak": peaks, "peak_gflops": peak, "model_order": order, "step_gflop": flops / 1e9, "strategies": out,
        "default_strategy": default_name, "reference": ref_row, "target_fraction": TARGET_FRACTION,
        "default_overall_fraction": d["overall_gflops"] / peak,
        "default_step_fraction": (d["step_gflops"] or 0) / peak, "best_step_fraction": best,
        "target_met_default_overall": d["overall_gflops"] / peak >= TARGET_FRACTION,
        "target_met_best_per_step": best >= TARGET_FRACTION,
        "cpu": {**load, "foreign_at_start": busy0, "foreign_at_end": busy1},
    }, args)


if __name__ == "__main__":
    main()
