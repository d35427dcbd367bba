"""The loop shared by every discrete method: step, detect divergence, record, stop."""

from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jaxtyping import Array, Bool, Float, Int, PyTree

from ._base import CONVERGED, DIVERGED, MAX_STEPS, MAX_TIME, RUNNING, Observer, Trajectory

#: A step: ``(params, opt_state, k, sample) -> (params, opt_state, loss_before_step)``, k the
#: step index and ``sample`` its row of the current block of draws (None without ``draw``).
Step = Callable[[PyTree, PyTree, Int[Array, ""], PyTree], tuple[PyTree, PyTree, Float[Array, ""]]]

#: ``draw(j)``: the samples of steps ``j·block … (j+1)·block − 1`` (leading axis ``block``).
#: Stochastic methods derive them from j (``fold_in``): a key split per step costs more than a
#: whole GD step at small sizes (benchmarks/gd_step_profile.py), and one draw per block
#: vectorizes the generator (benchmarks/online_sgd_throughput.py).
Draw = Callable[[Int[Array, ""]], PyTree]

#: A loss this many times its initial value (plus one) counts as diverged, as does NaN/inf:
#: unstable GD grows geometrically, so it passes this long before float64 overflows.
BLOWUP_FACTOR = 1e12

#: Steps per loop iteration when there are no draws. At small sizes a step is a dozen tiny
#: kernels, and the loop's own per-iteration cost (condition, carry copies) is a quarter of it;
#: two steps per iteration save most of that (benchmarks/gd_step_profile.py), more add compile
#: time for little gain.
UNROLL = 2


class _Carry(NamedTuple):
    params: PyTree
    opt_state: PyTree
    k: Int[Array, ""]
    status: Int[Array, ""]
    diverged_at: Int[Array, ""]


def iterate(
    step: Step, loss: Callable[[PyTree], Float[Array, ""]], params0: PyTree, opt_state0: PyTree,
    *, dt: Float[Array, ""], t_max: Float[Array, ""], stop_loss: Float[Array, ""],
    max_steps: int, times: Float[Array, " times"], observe: Observer,
    draw: Draw | None = None, block: int = 1,
) -> Trajectory:
    r"""Run ``step`` for :math:`\min(\lceil t_{max}/\Delta t\rceil, \text{max\_steps})` steps,
    each advancing time by ``dt`` (the step η for GD; see :class:`AbstractDynamics`).

    The record at time t shows the last iterate at or before t: step :math:`\lfloor t/\Delta t\rfloor`
    (time :math:`k\Delta t \le t`; never a step not yet reached at t). The stop test (full loss below ``stop_loss``) runs at record times only, so the
    per-step work is one gradient; the run may thus go a little past the threshold. Divergence
    is tested every step on the loss the step already computed, and reported with its step.

    With ``draw``, samples come in blocks drawn inside the loop (never a steps-long array):
    an outer loop draws block ``k // block`` and an inner loop steps through its rows. A record
    time inside a block ends the inner loop there and the block is drawn again after it, so
    step k always sees the same sample whatever the record grid.
    """
    # The same relative slack as the records: a t_max that is k steps up to rounding (0.3 with
    # η = 0.1, or n_steps × lr) runs k steps, not k + 1.
    steps_to_t_max = jnp.ceil(t_max / dt * (1 - 1e-12))
    n_total = jnp.minimum(steps_to_t_max, max_steps).astype(jnp.int64)
    # The relative slack keeps t/Δt that is an integer up to rounding from landing one step early.
    record_steps = jnp.floor(times / dt * (1 + 1e-12)).astype(jnp.int64)
    blowup = BLOWUP_FACTOR * (1.0 + loss(params0))

    def one_step(c: _Carry, sample: PyTree) -> _Carry:
        params, opt_state, value = step(c.params, c.opt_state, c.k, sample)
        bad = ~jnp.isfinite(value) | (value > blowup)
        keep = lambda new, old: jax.tree.map(lambda a, b: jnp.where(bad, b, a), new, old)  # noqa: E731
        return _Carry(keep(params, c.params), keep(opt_state, c.opt_state),
                      c.k + jnp.where(bad, 0, 1), jnp.where(bad, DIVERGED, c.status),
                      jnp.where(bad, c.k, c.diverged_at))

    def steps_until(c: _Carry, stop_at: Int[Array, ""]) -> _Carry:
        """Step while k < ``stop_at`` and the run is running."""
        going = lambda end: lambda c: (c.k < end) & (c.status == RUNNING)  # noqa: E731
        if draw is None:
            # UNROLL steps per iteration while a whole block fits, then single steps. A block
            # need not stop at a divergence: a step from a diverged carry recomputes the same
            # bad loss and keeps the same parameters and step index, so it changes nothing.
            def unrolled(c):
                for _ in range(UNROLL):
                    c = one_step(c, None)
                return c
            c = jax.lax.while_loop(lambda c: (c.k + UNROLL <= stop_at) & (c.status == RUNNING), unrolled, c)
            return jax.lax.while_loop(going(stop_at), lambda c: one_step(c, None), c)

        def one_block(c: _Carry) -> _Carry:
            j = c.k // block
            samples = draw(j)
            body = lambda c: one_step(c, jax.tree.map(lambda a: a[c.k - j * block], samples))  # noqa: E731
            return jax.lax.while_loop(going(jnp.minimum(stop_at, (j + 1) * block)), body, c)
        return jax.lax.while_loop(going(stop_at), one_block, c)

    def segment(c: _Carry, target: tuple[Int[Array, ""], Bool[Array, ""]]):
        """Advance to the target step and record there (unless it is the final segment)."""
        k_target, is_record = target
        c = steps_until(c, jnp.minimum(k_target, n_total))
        reached = is_record & (c.k == k_target) & (c.status == RUNNING)
        values = observe(c.params, c.k * dt)
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
    ran_out = jnp.where(steps_to_t_max > max_steps, MAX_STEPS, MAX_TIME)
    status = jnp.where(end.status == RUNNING, ran_out, end.status)
    return Trajectory(observed, end.params, end.k * dt, end.k, status, end.diverged_at)
