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
from ._adaptive import integrate, integrate_by_diffeqsolve
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
    r"""An adaptive diffrax solver (``solver``, Tsit5 by default) with diffrax's PID step-size
    controller at tolerances ``rtol``, ``atol``; stops after the first step at whose end the loss
    is below ``stop_loss``, or at ``t_max``. The loop is
    :func:`~implicit_bias.dynamics._adaptive.integrate` (diffrax's solver step and controller in
    a loop of ours, quicker to trace); ``reference=True`` integrates by :func:`diffrax.diffeqsolve`
    instead, the path the tests check it against (same steps, same numbers).

    Observables are computed inside the loop at the record times from the step's dense
    output, so the state is never stored along the way. The integration error shows in conserved quantities
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
    reference: bool = eqx.field(static=True, default=False)

    def solve(self, objective: Objective, params0: PyTree, key: PRNGKeyArray,
              times: Float[Array, " times"], observe: Observer) -> Trajectory:
        del key  # deterministic
        clock, mirror = self.clock, self.mirror
        run = integrate_by_diffeqsolve if self.reference else integrate
        result = run(
            self.solver, diffrax.PIDController(rtol=self.rtol, atol=self.atol),
            lambda s, z: clock.velocity(objective, mirror, s, z), mirror.to_dual(params0), clock.to_clock(self.t_max),
            clock.to_clock(jnp.minimum(times, self.t_max)), lambda s, z: observe(mirror.to_primal(z), clock.to_time(s)),
            lambda s, z: clock.reached(objective, mirror.to_primal(z), self.stop_loss), self.max_steps)
        final_params = mirror.to_primal(result.y_final)
        reached = clock.to_clock(times) <= result.t_final
        observed = {k: jnp.where(reached, v, jnp.nan) for k, v in result.saved.items()}
        finite = jnp.all(jnp.array([jnp.all(jnp.isfinite(a)) for a in jax.tree.leaves(final_params)]))
        status = jnp.where(~finite, DIVERGED, jnp.array([MAX_TIME, CONVERGED, MAX_STEPS])[result.ended])
        return Trajectory(observed, final_params, clock.to_time(result.t_final), result.n_steps, status,
                          jnp.where(finite, -1, result.n_steps))


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
