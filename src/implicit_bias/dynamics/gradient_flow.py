r"""Gradient flow :math:`\dot\theta = -\nabla L(\theta)`, integrated by diffrax."""

from typing import Literal

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray, PyTree
from pydantic import Field, PositiveFloat, PositiveInt

from ..components import register, scalar
from ._base import CONVERGED, DIVERGED, MAX_TIME, AbstractDynamics, DynamicsSpec, Objective, Observer, Trajectory

SOLVERS = {"tsit5": diffrax.Tsit5, "dopri5": diffrax.Dopri5, "dopri8": diffrax.Dopri8}
CLOCKS = ("linear", "log", "loss")


class GradientFlow(AbstractDynamics):
    r"""Adaptive explicit Runge–Kutta (Tsit5 by default) with a PID step-size controller at
    tolerances ``rtol``, ``atol``; stops at the first time the loss falls below ``stop_loss``
    (a diffrax event, located to solver accuracy) or at ``t_max``.

    Observables are computed inside the solve at the record times (``SaveAt(fn=…)``), so the
    state is never stored along the way. The integration error shows in conserved quantities
    (the ``*_drift`` observables). Explicit solvers suit these problems: for small inits the
    flow is slow (saddle escape), not stiff — except near the interpolant of a diagonal network,
    whose curvatures span powers of 1/α; tight tolerances (rtol ≤ 1e-10) keep its loss floor low.

    ``clock`` picks the variable the solver integrates in; each is a reparametrization of time,
    so the path, its limit and every conserved quantity are those of gradient flow:

    - ``"linear"``: t itself.
    - ``"log"``: :math:`s = \log(1+t)`, with :math:`d\theta/ds = -e^{s + \log L}\,\nabla\log L`
      computed from the problem's :meth:`~implicit_bias.problems.AbstractProblem.log_loss`, so
      losses far below float64's range (10⁻³⁰⁰ and beyond, exponential tails on separable data)
      stay finite. Records, ``t_max`` and ``t_final`` are still in t.
    - ``"loss"``: :math:`\tau = \log(L(0)/L)`, with
      :math:`d\theta/d\tau = -\frac{L}{\lVert\nabla L\rVert^2}\nabla L
      = -\frac{\nabla\log L}{\lVert\nabla\log L\rVert^2}`, so
      :math:`L(\tau) = L(0)e^{-\tau}` exactly. Here the time axis (records, ``t_max``,
      ``t_final``) *is* τ. Use it where only the limit matters: the stop time is known in
      advance, :math:`\tau = \log(L(0)/\text{stop\_loss})`, however slowly GF approaches (small
      diagonal-network inits need GF times that grow like a power of 1/α). It is computed from
      ``log_loss`` too, so ``t_max`` alone takes a run to any loss, e^{−1000} included: a
      ``stop_loss`` that small would underflow.
    """

    t_max: Float[Array, ""]
    stop_loss: Float[Array, ""]
    rtol: Float[Array, ""]
    atol: Float[Array, ""]
    solver: str = eqx.field(static=True, default="tsit5")
    max_steps: int = eqx.field(static=True, default=1_000_000)
    clock: str = eqx.field(static=True, default="linear")

    def __check_init__(self):
        if self.clock not in CLOCKS:
            raise ValueError(f"clock must be one of {CLOCKS}, got {self.clock!r}")

    def solve(self, objective: Objective, params0: PyTree, key: PRNGKeyArray,
              times: Float[Array, " times"], observe: Observer) -> Trajectory:
        del key  # deterministic
        log_clock = self.clock == "log"
        to_clock = jnp.log1p if log_clock else (lambda t: t)
        to_time = jnp.expm1 if log_clock else (lambda s: s)
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
            diffrax.ODETerm(lambda s, y, args: self._velocity(objective, s, y)), SOLVERS[self.solver](),
            t0=0.0, t1=to_clock(self.t_max), dt0=None, y0=params0, saveat=saveat,
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

    def _velocity(self, objective: Objective, s: Float[Array, ""], params: PyTree) -> PyTree:
        """dθ/d(clock) at clock value ``s``."""
        if self.clock == "log":
            log_loss, grads = jax.value_and_grad(objective.log_loss)(params)
            return jax.tree.map(lambda g: -jnp.exp(s + log_loss) * g, grads)
        if self.clock == "loss":
            grads = jax.grad(objective.log_loss)(params)
            squared = sum(jnp.sum(g**2) for g in jax.tree.leaves(grads))
            # At a stationary point (or at L = 0 exactly) the loss clock stops; there GF stops too.
            moving = (squared > 0) & jnp.isfinite(squared)
            rate = 1.0 / jnp.where(moving, squared, 1.0)
            return jax.tree.map(lambda g: jnp.where(moving, -rate * g, 0.0), grads)
        return jax.tree.map(jnp.negative, jax.grad(objective.loss)(params))


@register
class GradientFlowSpec(DynamicsSpec):
    """Gradient flow by an adaptive Runge–Kutta solver (diffrax), stopped exactly at
    ``stop_loss`` (an event)."""

    kind: Literal["gradient_flow"]
    rtol: PositiveFloat = 1e-10
    atol: PositiveFloat = 1e-12
    solver: Literal["tsit5", "dopri5", "dopri8"] = "tsit5"
    max_steps: PositiveInt = 1_000_000
    clock: Literal["linear", "log", "loss"] = Field(
        "linear", description="'log': integrate in s = log(1+t) (tiny losses); 'loss': in τ = log(L(0)/L), "
                              "where only the limit matters (times are then τ)")

    def build(self) -> GradientFlow:
        return GradientFlow(scalar(self.t_max), scalar(self.stop_loss), scalar(self.rtol), scalar(self.atol),
                            self.solver, self.max_steps, self.clock)
