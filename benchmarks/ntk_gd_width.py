"""GD on a wide two-layer ReLU net (NTK parametrization): width 10⁵, n = 1000, on 2 cores.

The package's ``DiscreteDynamics.solve`` on ``TwoLayerReLU`` (autodiff of the loss: one
n×d̃ by d̃×m product forward, one back, the n×m activation pattern in between; no per-sample
Jacobian, which would be n × m·d̃ = 6·10⁸ floats) against a hand-written NumPy step doing
the same products, interleaved in one process. Per-step time is the difference of a long and
a short run divided by the extra steps (so compile and dispatch cancel). GFLOP/s counts the
two matmuls, 4·n·m·d̃ per step, and is set against the float64 matmul rate.

    python benchmarks/ntk_gd_width.py [--quick]
"""

import jax
import jax.numpy as jnp
import numpy as np

import _common as C

FULL = dict(n=1000, width=100_000, input_dims=(5, 63), steps=(1, 3), repeats=2)
QUICK = dict(n=1000, width=10_000, input_dims=(5,), steps=(2, 6), repeats=2)
LR = 1e-3


def package_solver(model, problem, steps: int):
    """Seconds for ``steps`` GD steps of the package (compiled once; t_max is an array)."""
    from implicit_bias import initializations as inits
    from implicit_bias.dynamics import DiscreteDynamics, Objective

    objective = Objective(model, problem)
    params0 = inits.SignGaussian(jnp.asarray(1.0))(jax.random.key(0), model, problem)
    times = jnp.array([0.0])

    # Parameters and data enter as arguments: closed over, XLA would constant-fold them.
    @jax.jit
    def solve(t_max, params0, objective):
        gd = DiscreteDynamics(jnp.asarray(LR), t_max, jnp.asarray(0.0), max_steps=10**9)
        return gd.solve(objective, params0, jax.random.key(1), times, lambda p, t: {}).final_params

    def run(k):
        return lambda: jax.block_until_ready(solve(jnp.asarray(LR * k), params0, objective))
    run(steps)()  # compile
    return run, params0


def numpy_steps(Xa: np.ndarray, y: np.ndarray, W: np.ndarray, a: np.ndarray, steps: int) -> np.ndarray:
    """The same GD in NumPy: Z = X̃Wᵀ, f = ReLU(Z)a/√m, W ← W − η((r ⊙ 1{Z>0}) ⊙ a/√m)ᵀX̃."""
    c = a / np.sqrt(len(a))
    for _ in range(steps):
        Z = Xa @ W.T
        residual = np.maximum(Z, 0.0) @ c - y
        W = W - LR * (((Z > 0) * residual[:, None]) * c).T @ Xa
    return W


def main() -> None:
    args = C.parse_args(__doc__.splitlines()[0])
    sizes = QUICK if args.quick else FULL
    repeats = args.repeats or sizes["repeats"]
    from implicit_bias.models import TwoLayerReLU
    from implicit_bias.problems import quadratic_teacher_regression

    busy = C.warn_if_busy()
    monitor = C.CpuMonitor().start()
    peak = C.matmul_gflops()
    rows, records = [], []
    short, long = sizes["steps"]
    for d in sizes["input_dims"]:
        problem = quadratic_teacher_regression(sizes["n"], d, seed=0)
        model = TwoLayerReLU(d, sizes["width"])
        run, params0 = package_solver(model, problem, long)
        Xa, y = np.asarray(model.augment(problem.X)), np.asarray(problem.Y[:, 0])
        W0, a = np.asarray(params0["W"]), np.asarray(params0["a"])
        # Same numbers: the package's GD and NumPy's agree after `short` steps.
        agree = float(np.abs(np.asarray(run(short)()["W"]) - numpy_steps(Xa, y, W0, a, short)).max())
        t_pkg = {k: [] for k in (short, long)}
        t_np = {k: [] for k in (short, long)}
        for _ in range(repeats):  # interleaved, so load from other sessions hits both alike
            for k in (short, long):
                t_pkg[k].append(C.timed(run(k))[0])
                t_np[k].append(C.timed(lambda: numpy_steps(Xa, y, W0, a, k))[0])
        per_pkg = (C.median(t_pkg[long]) - C.median(t_pkg[short])) / (long - short)
        per_np = (C.median(t_np[long]) - C.median(t_np[short])) / (long - short)
        flops = 4.0 * sizes["n"] * sizes["width"] * model.augmented_dim
        gflops = flops / per_pkg / 1e9
        rows.append([f"d̃ = {model.augmented_dim}", 1 / per_pkg, 1 / per_np, per_np / per_pkg, gflops,
                     gflops / peak, agree])
        records.append({"augmented_dim": model.augmented_dim, "steps_per_s": 1 / per_pkg,
                        "numpy_steps_per_s": 1 / per_np, "speedup_vs_numpy": per_np / per_pkg,
                        "gflops": gflops, "fraction_of_matmul_peak": gflops / peak, "max_abs_diff_vs_numpy": agree})
    load = monitor.stop()
    C.print_table(f"GD on TwoLayerReLU, n = {sizes['n']}, m = {sizes['width']} (matmul peak {peak:.1f} GFLOP/s; "
                  f"other processes used {load['foreign_cpu_fraction']:.0%} of the CPU)",
                  ["inputs", "steps/s", "NumPy steps/s", "speedup", "GFLOP/s", "of peak", "|ΔW| vs NumPy"], rows)
    C.save("ntk_gd_width", {"machine": C.machine_info(), "sizes": sizes, "matmul_peak_gflops": peak,
                            "load": load, "busy_at_start": busy, "results": records}, args)


if __name__ == "__main__":
    main()
