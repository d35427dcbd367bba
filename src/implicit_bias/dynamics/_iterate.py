"""The loop shared by every discrete method: step, detect divergence, record, stop."""

from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jaxtyping import Array, Bool, Float, Int, PyTree

from ._base import CONVERGED, DIVERGED, MAX_TIME, RUNNING, Observer, Trajectory

#: A step: ``(params, opt_state, k) -> (params, opt_state, loss_before_step)``, k the step index.
#: Stochastic steps derive their randomness from k (``fold_in``): splitting a key every step
#: costs more than a whole GD step at small sizes (benchmarks/gd_step_profile.py).
Step = Callable[[PyTree, PyTree, Int[Array, ""]], tuple[PyTree, PyTree, Float[Array, ""]]]

#: A loss this many times its initial value (plus one) counts as diverged, as does NaN/inf:
#: unstable GD grows geometrically, so it passes this long before float64 overflows.
BLOWUP_FACTOR = 1e12

#: Steps per loop iteration. At small sizes a step is a dozen tiny kernels, and the loop's own
#: per-iteration cost (condition, carry copies) is a quarter of it; two steps per iteration
#: save most of that (benchmarks/gd_step_profile.py), more add compile time for little gain.
UNROLL = 2


class _Carry(NamedTuple):
    params: PyTree
    opt_state: PyTree
    k: Int[Array, ""]
    status: Int[Array, ""]
    diverged_at: Int[Array, ""]


def iterate(
    step: Step, loss: Callable[[PyTree], Float[Array, ""]], params0: PyTree, opt_state0: PyTree,
    *, lr: Float[Array, ""], t_max: Float[Array, ""], stop_loss: Float[Array, ""],
    max_steps: int, times: Float[Array, " times"], observe: Observer,
) -> Trajectory:
    r"""Run ``step`` for :math:`\min(\lceil t_{max}/\eta\rceil, \text{max\_steps})` steps.

    The record at time t is taken at step :math:`\lceil t/\eta\rceil` (GF time kη, at most one
    step late). The stop test (full loss below ``stop_loss``) runs at record times only, so the
    per-step work is one gradient; the run may thus go a little past the threshold. Divergence
    is tested every step on the loss the step already computed, and reported with its step.
    """
    n_total = jnp.minimum(jnp.ceil(t_max / lr), max_steps).astype(jnp.int64)
    # The relative slack keeps t/η that is an integer up to rounding from landing one step late.
    record_steps = jnp.ceil(times / lr * (1 - 1e-12)).astype(jnp.int64)
    blowup = BLOWUP_FACTOR * (1.0 + loss(params0))

    def one_step(c: _Carry) -> _Carry:
        params, opt_state, value = step(c.params, c.opt_state, c.k)
        bad = ~jnp.isfinite(value) | (value > blowup)
        keep = lambda new, old: jax.tree.map(lambda a, b: jnp.where(bad, b, a), new, old)  # noqa: E731
        return _Carry(keep(params, c.params), keep(opt_state, c.opt_state),
                      c.k + jnp.where(bad, 0, 1), jnp.where(bad, DIVERGED, c.status),
                      jnp.where(bad, c.k, c.diverged_at))

    def advance(c: _Carry, stop_at: Int[Array, ""]) -> _Carry:
        """Step until step ``stop_at`` (or divergence): ``UNROLL`` steps per iteration while a
        whole block fits, then single steps. A block need not stop at a divergence: a step
        from a diverged carry recomputes the same bad loss, keeps the same parameters and step
        index, so it changes nothing."""
        def block(c):
            for _ in range(UNROLL):
                c = one_step(c)
            return c
        c = jax.lax.while_loop(lambda c: (c.k + UNROLL <= stop_at) & (c.status == RUNNING), block, c)
        return jax.lax.while_loop(lambda c: (c.k < stop_at) & (c.status == RUNNING), one_step, c)

    def segment(c: _Carry, target: tuple[Int[Array, ""], Bool[Array, ""]]):
        """Advance to the target step and record there (unless it is the final segment)."""
        k_target, is_record = target
        c = advance(c, jnp.minimum(k_target, n_total))
        reached = is_record & (c.k == k_target) & (c.status == RUNNING)
        values = observe(c.params, c.k * lr)
        values = {name: jnp.where(reached, v, jnp.nan) for name, v in values.items()}
        done = reached & (loss(c.params) < stop_loss)
        return c._replace(status=jnp.where(done, CONVERGED, c.status)), values

    start = _Carry(params0, opt_state0, jnp.zeros((), jnp.int64), jnp.full((), RUNNING),
                   jnp.full((), -1, jnp.int64))
    # One more segment after the last record finishes the run if t_max lies beyond it: one
    # loop in the compiled program instead of two (compile time), its record dropped.
    targets = jnp.append(record_steps, n_total)
    is_record = jnp.arange(targets.shape[0]) < record_steps.shape[0]
    end, observed = jax.lax.scan(segment, start, (targets, is_record))
    observed = {name: v[:-1] for name, v in observed.items()}
    status = jnp.where(end.status == RUNNING, MAX_TIME, end.status)
    return Trajectory(observed, end.params, end.k * lr, end.k, status, end.diverged_at)
