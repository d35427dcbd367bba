"""One-pass SGD throughput on the quadratic teacher–student problem: samples/s of the package's
compiled SGD (one seed, N = 10⁴, p = 4, p* = 2) against

* the **floor**: drawing the Gaussian inputs alone, in the same process, with JAX's default
  generator (threefry) in the same block layout (a jitted loop of ``normal(key_j, (B, N))``,
  each block reduced so it is really computed), in float64 and in float32;
* a plain **NumPy per-sample loop** (``rng.standard_normal(N)`` and the same update by hand).

The package is timed through ``run_group`` (the runner's compiled path) after a warm-up call,
for draw dtype float64/float32 and block sizes 1, 8, 32. All variants run interleaved, round by
round (median of rounds), with the CPU used by other processes recorded, since the machine
is shared.

    python benchmarks/online_sgd_throughput.py [--quick]
"""

import numpy as np

import _common as C

FULL = dict(N=10_000, p=4, p_star=2, lr=0.05, alpha=1.0, numpy_steps=2000, rounds=3, blocks=(1, 8, 32))
QUICK = dict(FULL, alpha=0.2, numpy_steps=300, rounds=1, blocks=(1, 8))


def spec(cfg, dtype: str, block: int) -> dict:
    return {
        "name": "bench_online_sgd",
        "problem": {"kind": "online_teacher_student", "input_dim": cfg["N"], "teacher_width": cfg["p_star"],
                    "draw_dtype": dtype},
        "model": {"kind": "quadratic_network", "width": cfg["p"]},
        "init": {"kind": "teacher_overlap", "overlap": 0.0, "scale": 0.5},
        "dynamics": {"kind": "sgd", "lr": cfg["lr"], "t_max": cfg["alpha"], "block": block},
        "observe": {"quantities": ["loss"], "n_times": 5},
    }


def floor_fn(N: int, steps: int, block: int, dtype):
    import jax
    import jax.numpy as jnp

    @jax.jit
    def draw_all(key):
        def one(j, acc):
            return acc + jnp.sum(jax.random.normal(jax.random.fold_in(key, j), (block, N), dtype))
        return jax.lax.fori_loop(0, steps // block, one, jnp.zeros((), dtype))
    key = jax.random.key(0)
    return lambda: jax.block_until_ready(draw_all(key))


def numpy_sgd(W, Ws, lr: float, steps: int, seed: int = 0) -> np.ndarray:
    """The same one-pass SGD by hand: x ~ N(0, I), ŷ = Σ(Wx)²/N, y = Σ(W*x)²/N, ½(ŷ − y)²."""
    rng = np.random.default_rng(seed)
    N = W.shape[1]
    for _ in range(steps):
        x = rng.standard_normal(N)
        lam, nu = W @ x / np.sqrt(N), Ws @ x / np.sqrt(N)
        err = lam @ lam - nu @ nu
        W -= lr * err * 2 * np.outer(lam, x) / np.sqrt(N)
    return W


def main() -> None:
    import jax.numpy as jnp
    from implicit_bias.ensemble import SequentialMap
    from implicit_bias.experiment import run_group

    args = C.parse_args(__doc__.splitlines()[0])
    cfg = QUICK if args.quick else FULL
    rounds = args.repeats or cfg["rounds"]
    N = cfg["N"]
    steps = int(round(cfg["alpha"] * N))
    C.warn_if_busy()

    variants = {}
    for dtype in ("float64", "float32"):
        for block in cfg["blocks"]:
            group, times = C.prepare_group(spec(cfg, dtype, block))
            variants[f"sgd {dtype} block {block}"] = (
                lambda g=group, t=times: run_group(g, t, SequentialMap()), steps)
    for dtype in ("float64", "float32"):
        variants[f"floor {dtype} block 8"] = (floor_fn(N, steps, 8, getattr(jnp, dtype)), steps)
    group, _ = C.prepare_group(spec(cfg, "float64", 8))
    W0 = C.initial_params(group[0])["W"]
    Ws = np.asarray(group[0].inputs.problem.teacher)
    variants["numpy per-sample loop"] = (lambda: numpy_sgd(W0.copy(), Ws, cfg["lr"], cfg["numpy_steps"]),
                                         cfg["numpy_steps"])

    compile_s = {}
    for name, (fn, _) in variants.items():  # warm-up: compile
        compile_s[name] = C.timed(fn)[0]
    times = {name: [] for name in variants}
    monitor = C.CpuMonitor().start()
    for _ in range(rounds):
        for name, (fn, _) in variants.items():
            times[name].append(C.timed(fn)[0])
    load = monitor.stop()

    rate = {name: n / C.median(times[name]) for name, (_, n) in variants.items()}
    floor64 = rate["floor float64 block 8"]
    numpy_rate = rate["numpy per-sample loop"]
    rows = [[name, rate[name], rate[name] / floor64, rate[name] / numpy_rate, C.median(times[name])]
            for name in variants]
    C.print_table(f"one-pass SGD, N = {N}, p = {cfg['p']}, p* = {cfg['p_star']}, {steps} steps "
                  f"(other processes: {load['foreign_cpu_fraction']:.0%} of the CPU)",
                  ["variant", "samples/s", "÷ float64 floor", "÷ NumPy loop", "median s"], rows)
    best = max((n for n in rate if n.startswith("sgd")), key=rate.get)
    print(f"\nbest: {best}: {rate[best]:.3g} samples/s = {rate[best] / floor64:.0%} of the float64 sampling "
          f"floor ({floor64 * N:.3g} normals/s), {rate[best] / numpy_rate:.1f}× the NumPy per-sample loop")
    C.save("online_sgd_throughput", {
        "config": cfg, "machine": C.machine_info(), "load": load, "uptime_load": _loadavg(),
        "samples_per_s": rate, "ratio_to_float64_floor": {n: rate[n] / floor64 for n in rate},
        "ratio_to_numpy_loop": {n: rate[n] / numpy_rate for n in rate}, "best": best,
        "compile_s": compile_s, "times_s": times}, args)


def _loadavg() -> list[float] | None:
    try:
        return [float(x) for x in open("/proc/loadavg").read().split()[:3]]
    except OSError:
        return None


if __name__ == "__main__":
    main()
