r"""Gradient flow :math:`\dot\theta = -\nabla L(\theta)`, integrated by diffrax."""

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray, PyTree

from ._base import CONVERGED, DIVERGED, MAX_TIME, AbstractDynamics, Objective, Observer, Trajectory

SOLVERS = {"tsit5": diffrax.Tsit5, "dopri5": diffrax.Dopri5, "dopri8": diffrax.Dopri8}


class GradientFlow(AbstractDynamics):
    r"""Adaptive explicit Runge–Kutta (Tsit5 by default) with a PID step-size controller at
    tolerances ``rtol``, ``atol``; stops at the first time the loss falls below ``stop_loss``
    (a diffrax event, located to solver accuracy) or at ``t_max``.

    Observables are computed inside the solve at the record times (``SaveAt(fn=…)``), so the
    state is never stored along the way. The integration error shows in conserved quantities
    (the ``*_drift`` observables). Explicit solvers suit these problems: for small inits the
    flow is slow (saddle escape), not stiff.
    """

    t_max: Float[Array, ""]
    stop_loss: Float[Array, ""]
    rtol: Float[Array, ""]
    atol: Float[Array, ""]
    solver: str = eqx.field(static=True, default="tsit5")
    max_steps: int = eqx.field(static=True, default=1_000_000)
    clock: str = eqx.field(static=True, default="linear")

    def solve(self, objective: Objective, params0: PyTree, key: PRNGKeyArray,
              times: Float[Array, " times"], observe: Observer) -> Trajectory:
        del key  # deterministic
        log_clock = self.clock == "log"
        to_clock = (lambda t: jnp.log1p(t)) if log_clock else (lambda t: t)
        to_time = (lambda s: jnp.expm1(s)) if log_clock else (lambda s: s)

        def field(s, y, args):
            if log_clock:
                log_loss, g = jax.value_and_grad(objective.log_loss)(y)
                return jax.tree.map(lambda a: -jnp.exp(s + log_loss) * a, g)
            return jax.tree.map(jnp.negative, jax.grad(objective.loss)(y))

        if log_clock:
            event = diffrax.Event(lambda s, y, args, **kwargs: objective.log_loss(y) < jnp.log(self.stop_loss))
        else:
            event = diffrax.Event(lambda s, y, args, **kwargs: objective.loss(y) < self.stop_loss)
        saveat = diffrax.SaveAt(subs=[
            diffrax.SubSaveAt(ts=to_clock(jnp.minimum(times, self.t_max)),
                              fn=lambda s, y, args: observe(y, to_time(s))),
            diffrax.SubSaveAt(t1=True),
        ])
        sol = diffrax.diffeqsolve(
            diffrax.ODETerm(field), SOLVERS[self.solver](), t0=0.0, t1=to_clock(self.t_max), dt0=None,
            y0=params0, saveat=saveat,
            stepsize_controller=diffrax.PIDController(rtol=self.rtol, atol=self.atol),
            event=event, max_steps=self.max_steps, throw=False,
        )
        observed, final = sol.ys
        final_params = jax.tree.map(lambda a: a[0], final)
        t_final = to_time(sol.ts[1][0])
        reached = to_clock(times) <= sol.ts[1][0]
        observed = {k: jnp.where(reached, v, jnp.nan) for k, v in observed.items()}
        finite = jnp.all(jnp.array([jnp.all(jnp.isfinite(a)) for a in jax.tree.leaves(final_params)]))
        status = jnp.where(
            ~finite, DIVERGED,
            jnp.where(sol.result == diffrax.RESULTS.event_occurred, CONVERGED, MAX_TIME))
        return Trajectory(observed, final_params, t_final, sol.stats["num_steps"], status,
                          jnp.where(finite, -1, sol.stats["num_steps"]))
