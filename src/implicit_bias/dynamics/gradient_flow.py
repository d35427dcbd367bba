r"""Gradient flow :math:`\dot\theta = -\nabla L(\theta)`, or mirror flow, integrated by diffrax."""

from typing import Literal

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray, PyTree
from pydantic import Field, PositiveFloat, PositiveInt

from ..components import register, scalar
from ..mirrors import MirrorMap
from ..mirrors.euclidean import Euclidean
from ._base import CONVERGED, DIVERGED, MAX_STEPS, MAX_TIME, AbstractDynamics, DynamicsSpec, Objective, Observer, Trajectory
from ._clock import CLOCKS, Clock, LinearClock, clock_named

#: The solvers a spec names (``[dynamics] solver = "dopri8"``); from Python, any explicit adaptive diffrax
#: solver object. (Implicit ones carry a root finder whose settings are not arrays, which the runner's
#: inputs must be; measured on a diagonal net at α = 0.01, Kvaerno5 took twice Tsit5's steps anyway.)
SOLVERS = {"tsit5": diffrax.Tsit5, "dopri5": diffrax.Dopri5, "dopri8": diffrax.Dopri8}


def solver_named(solver: str | diffrax.AbstractAdaptiveSolver) -> diffrax.AbstractAdaptiveSolver:
    """``solver`` itself, or a new solver of that name."""
    if isinstance(solver, diffrax.AbstractSolver):
        return solver
    if solver not in SOLVERS:
        raise ValueError(f"solver must be a diffrax solver or one of {tuple(SOLVERS)}, got {solver!r}")
    return SOLVERS[solver]()


class GradientFlow(AbstractDynamics):
    r"""An adaptive diffrax solver (``solver``, Tsit5 by default) with a PID step-size controller
    at tolerances ``rtol``, ``atol``; stops at the first time the loss falls below ``stop_loss``
    (a diffrax event, located to solver accuracy) or at ``t_max``.

    Observables are computed inside the solve at the record times (``SaveAt(fn=…)``), so the
    state is never stored along the way. The integration error shows in conserved quantities
    (the ``*_drift`` observables). Explicit solvers suit these problems: for small inits the
    flow is slow (saddle escape), not stiff — except near the interpolant of a diagonal network,
    whose curvatures span powers of 1/α; tight tolerances (rtol ≤ 1e-10) keep its loss floor low.

    ``clock`` (a :class:`~implicit_bias.dynamics._clock.Clock`, or the name of one: ``"linear"``,
    ``"log"``, ``"loss"``) is the variable the solver integrates in, a reparametrization of time.
    ``mirror`` (a :class:`~implicit_bias.mirrors.MirrorMap`) is the geometry: the solver
    integrates its dual variable :math:`z = \nabla\psi(\theta)`, :math:`\dot z = -\nabla L`
    (mirror flow; gradient flow for the default Euclidean map), and the tolerances apply to z.
    """

    t_max: Float[Array, ""]
    stop_loss: Float[Array, ""]
    rtol: Float[Array, ""]
    atol: Float[Array, ""]
    solver: diffrax.AbstractAdaptiveSolver = eqx.field(default_factory=diffrax.Tsit5, converter=solver_named)
    max_steps: int = eqx.field(static=True, default=1_000_000)
    clock: Clock = eqx.field(default_factory=LinearClock, converter=clock_named)
    mirror: MirrorMap = eqx.field(default_factory=Euclidean)

    def solve(self, objective: Objective, params0: PyTree, key: PRNGKeyArray,
              times: Float[Array, " times"], observe: Observer) -> Trajectory:
        del key  # deterministic
        clock, mirror = self.clock, self.mirror
        event = diffrax.Event(lambda s, z, args, **kwargs: clock.reached(objective, mirror.to_primal(z), self.stop_loss))
        saveat = diffrax.SaveAt(subs=[
            diffrax.SubSaveAt(ts=clock.to_clock(jnp.minimum(times, self.t_max)),
                              fn=lambda s, z, args: observe(mirror.to_primal(z), clock.to_time(s))),
            diffrax.SubSaveAt(t1=True),
        ])
        sol = diffrax.diffeqsolve(
            diffrax.ODETerm(lambda s, z, args: clock.velocity(objective, mirror, s, z)), self.solver,
            t0=0.0, t1=clock.to_clock(self.t_max), dt0=None, y0=mirror.to_dual(params0), saveat=saveat,
            stepsize_controller=diffrax.PIDController(rtol=self.rtol, atol=self.atol),
            event=event, max_steps=self.max_steps, throw=False,
        )
        observed, final = sol.ys
        final_params = mirror.to_primal(jax.tree.map(lambda a: a[0], final))
        t_final = clock.to_time(sol.ts[1][0])
        reached = clock.to_clock(times) <= sol.ts[1][0]
        observed = {k: jnp.where(reached, v, jnp.nan) for k, v in observed.items()}
        finite = jnp.all(jnp.array([jnp.all(jnp.isfinite(a)) for a in jax.tree.leaves(final_params)]))
        status = jnp.where(
            ~finite, DIVERGED,
            jnp.where(sol.result == diffrax.RESULTS.event_occurred, CONVERGED,
                      jnp.where(sol.result == diffrax.RESULTS.max_steps_reached, MAX_STEPS, MAX_TIME)))
        return Trajectory(observed, final_params, t_final, sol.stats["num_steps"], status,
                          jnp.where(finite, -1, sol.stats["num_steps"]))


@register
class GradientFlowSpec(DynamicsSpec):
    """Gradient flow (or mirror flow) by an adaptive Runge–Kutta solver (diffrax), stopped
    exactly at ``stop_loss`` (an event)."""

    kind: Literal["gradient_flow"]
    rtol: PositiveFloat = 1e-10
    atol: PositiveFloat = 1e-12
    solver: Literal[tuple(SOLVERS)] = "tsit5"
    max_steps: PositiveInt = 1_000_000
    clock: Literal[tuple(CLOCKS)] = Field(
        "linear", description="'log': integrate in s = log(1+t) (tiny losses); 'loss': in τ = log(L(0)/L), "
                              "where only the limit matters (times are then τ)")

    def build(self) -> GradientFlow:
        return GradientFlow(scalar(self.t_max), scalar(self.stop_loss), scalar(self.rtol), scalar(self.atol),
                            self.solver, self.max_steps, self.clock, self.mirror.build())
