"""Where the time of one gradient-descent step goes, for a small net (one run, one device).

A GD step in the package's loop (``dynamics/_iterate.py``) is ``value_and_grad`` of the loss,
an optax update, a divergence test that keeps the old parameters on a blow-up, and a loop
condition on the run's status; until commit df997a2 it also split a PRNG key every step
(unused by full-batch GD), and until 18e9447 its loop ran one step per iteration (now
``_iterate.UNROLL``). This script times the package's own ``DiscreteDynamics.solve``
against a copy of that step, key split included, with one piece removed at a time, on the
same inputs, and the copy without the key split run several steps per loop iteration: the
package row should sit at the row of the pieces it still does.

    python benchmarks/gd_step_profile.py [--quick]
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax

import _common as C

FULL = dict(n_samples=20, input_dim=50, output_dim=1, width=100, scale=0.5, lr=0.01, steps=4800, repeats=5)
QUICK = dict(FULL, steps=2000, repeats=3)  # steps: a multiple of every unroll below


class _Carry(NamedTuple):
    params: dict
    opt_state: tuple
    key: jax.Array
    k: jax.Array
    status: jax.Array
    diverged_at: jax.Array


def loop_copy(model, steps: int, *, split=True, keep=True, status_cond=True, use_optax=True, unroll=1):
    """The per-step work of ``_iterate.iterate`` (no records, key split as before df997a2),
    with pieces switchable; ``unroll`` steps per loop iteration (``steps`` a multiple of it)."""
    from implicit_bias.dynamics import Objective

    def run(inputs):
        objective = Objective(model, inputs.problem)
        init_key, key = jax.random.split(inputs.key)
        params0 = inputs.init(init_key, model, inputs.problem)
        lr = inputs.dynamics.lr
        optimizer = optax.sgd(lr)
        blowup = 1e12 * (1.0 + objective.loss(params0))

        def one_step(c: _Carry) -> _Carry:
            key = c.key
            if split:
                key, _ = jax.random.split(c.key)
            value, grads = jax.value_and_grad(objective.loss)(c.params)
            if use_optax:
                updates, opt_state = optimizer.update(grads, c.opt_state, c.params)
                params = optax.apply_updates(c.params, updates)
            else:
                opt_state, params = c.opt_state, jax.tree.map(lambda a, g: a - lr * g, c.params, grads)
            bad = ~jnp.isfinite(value) | (value > blowup)
            if keep:
                params = jax.tree.map(lambda new, old: jnp.where(bad, old, new), params, c.params)
            return _Carry(params, opt_state, key, c.k + jnp.where(bad, 0, 1), jnp.where(bad, 2, c.status),
                          jnp.where(bad, c.k, c.diverged_at))

        start = _Carry(params0, optimizer.init(params0), key, jnp.zeros((), jnp.int64), jnp.full((), -1),
                       jnp.full((), -1, jnp.int64))
        def block(c):
            for _ in range(unroll):
                c = one_step(c)
            return c

        cond = (lambda c: (c.k < steps) & (c.status == -1)) if status_cond else (lambda c: c.k < steps)
        return jax.lax.while_loop(cond, block, start)

    return run


def package_solve(model, times):
    from implicit_bias.dynamics import Objective
    from implicit_bias.observables import make_observer

    def run(inputs):
        objective = Objective(model, inputs.problem)
        init_key, key = jax.random.split(inputs.key)
        params0 = inputs.init(init_key, model, inputs.problem)
        observe = make_observer(("loss",), objective, params0)
        return inputs.dynamics.solve(objective, params0, key, times, observe)

    return run


def main() -> None:
    args = C.parse_args(__doc__.splitlines()[0])
    cfg = QUICK if args.quick else FULL
    repeats = args.repeats or cfg["repeats"]
    spec = {
        "name": "bench_gd_step",
        "problem": {"kind": "regression", "n_samples": cfg["n_samples"], "input_dim": cfg["input_dim"],
                    "output_dim": cfg["output_dim"]},
        "model": {"kind": "two_layer_linear", "width": cfg["width"]},
        "init": {"kind": "gaussian", "scale": cfg["scale"]},
        "dynamics": {"kind": "gradient_descent", "lr": cfg["lr"], "t_max": cfg["lr"] * cfg["steps"]},
        "observe": {"quantities": ["loss"], "n_times": 20},
    }
    busy0 = C.warn_if_busy()
    monitor = C.CpuMonitor().start()
    group, times = C.prepare_group(spec)
    built = group[0]
    K = cfg["steps"]
    variants = {
        "package DiscreteDynamics.solve": package_solve(built.model, jnp.asarray(times)),
        "copy of the step (with key split)": loop_copy(built.model, K),
        "  without the key split": loop_copy(built.model, K, split=False),
        "  without the keep-on-blow-up": loop_copy(built.model, K, keep=False),
        "  without the status test": loop_copy(built.model, K, status_cond=False),
        "  without optax": loop_copy(built.model, K, use_optax=False),
        "  without all four": loop_copy(built.model, K, split=False, keep=False, status_cond=False,
                                        use_optax=False),
        **{f"  without the key split, {u} steps per iteration": loop_copy(built.model, K, split=False, unroll=u)
           for u in (2, 4, 8)},
    }
    out = {}
    for name, fn in variants.items():
        f = jax.jit(fn)
        jax.block_until_ready(f(built.inputs))
        ts = [C.timed(lambda: jax.block_until_ready(f(built.inputs)))[0] for _ in range(repeats)]
        out[name.strip()] = C.median(ts) / K * 1e6
    load = monitor.stop()
    busy1 = C.warn_if_busy("end")
    base = out["copy of the step (with key split)"]
    C.print_table(
        f"GD step, one run: N={cfg['n_samples']} n={cfg['input_dim']} m={cfg['output_dim']} width={cfg['width']}, "
        f"{K} steps; median of {repeats}",
        ["variant", "µs/step", "x copy"], [[name, out[name.strip()], out[name.strip()] / base] for name in variants])
    print(f"\nother processes used {load['foreign_cpu_fraction']:.0%} of the CPU during the run")
    C.save("gd_step_profile", {"machine": C.machine_info(), "config": cfg, "quick": args.quick, "repeats": repeats,
                               "us_per_step": out,
                               "cpu": {**load, "foreign_at_start": busy0, "foreign_at_end": busy1}}, args)


if __name__ == "__main__":
    main()
