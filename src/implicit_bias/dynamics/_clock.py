r"""Clocks: the variable gradient flow is integrated in.

Each is a reparametrization of time, so the path, its limit and every conserved quantity are
those of gradient flow; what changes is how far the solver's steps reach. A clock maps GF time
t to its own variable s (``to_clock``, and back: ``to_time``), gives the velocity in s of the
state the solver integrates, and says when the run has reached ``stop_loss``.

The state is the mirror map's dual variable :math:`z = \nabla\psi(\theta)`
(:class:`~implicit_bias.mirrors.MirrorMap`; θ itself for the Euclidean map), moving by
:math:`\dot z = -\nabla L(\theta)`: mirror flow, gradient flow when ψ = ½‖θ‖².
"""

import abc

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Bool, Float, PyTree

from ..mirrors import MirrorMap
from ._base import Objective


class Clock(eqx.Module):
    """The variable s = s(t) the solver integrates in; t itself unless a subclass says otherwise."""

    def to_clock(self, t: Float[Array, "*times"]) -> Float[Array, "*times"]:
        return t

    def to_time(self, s: Float[Array, "*times"]) -> Float[Array, "*times"]:
        return s

    def reached(self, objective: Objective, params: PyTree, stop_loss: Float[Array, ""]) -> Bool[Array, ""]:
        """Whether the loss at ``params`` is below ``stop_loss`` (the solver's stop event)."""
        return objective.loss(params) < stop_loss

    @abc.abstractmethod
    def velocity(self, objective: Objective, mirror: MirrorMap, s: Float[Array, ""], dual: PyTree) -> PyTree:
        """dz/ds at clock value ``s`` and state ``dual`` = z."""


class LinearClock(Clock):
    r"""s = t: :math:`\dot z = -\nabla L`."""

    def velocity(self, objective: Objective, mirror: MirrorMap, s: Float[Array, ""], dual: PyTree) -> PyTree:
        return jax.tree.map(jnp.negative, jax.grad(objective.loss)(mirror.to_primal(dual)))


class LogClock(Clock):
    r""":math:`s = \log(1+t)`, with :math:`dz/ds = -e^{s + \log L}\,\nabla\log L` computed from the
    problem's :meth:`~implicit_bias.problems.AbstractProblem.log_loss`, so losses far below
    float64's range (10⁻³⁰⁰ and beyond, exponential tails on separable data) stay finite.
    Records, ``t_max`` and ``t_final`` are still in t."""

    def to_clock(self, t: Float[Array, "*times"]) -> Float[Array, "*times"]:
        return jnp.log1p(t)

    def to_time(self, s: Float[Array, "*times"]) -> Float[Array, "*times"]:
        return jnp.expm1(s)

    def reached(self, objective: Objective, params: PyTree, stop_loss: Float[Array, ""]) -> Bool[Array, ""]:
        return objective.log_loss(params) < jnp.log(stop_loss)

    def velocity(self, objective: Objective, mirror: MirrorMap, s: Float[Array, ""], dual: PyTree) -> PyTree:
        log_loss, grads = jax.value_and_grad(objective.log_loss)(mirror.to_primal(dual))
        return jax.tree.map(lambda g: -jnp.exp(s + log_loss) * g, grads)


class LossClock(Clock):
    r""":math:`\tau = \log(L(0)/L)`: with :math:`g = \nabla\log L` and :math:`H^* = \nabla^2\psi^*(z)`
    (the identity for the Euclidean map), :math:`dz/d\tau = -g / \langle g, H^* g\rangle`, so
    :math:`L(\tau) = L(0)e^{-\tau}` exactly. The time axis (records, ``t_max``, ``t_final``)
    *is* τ. Use it where only the limit matters: the stop time is known in advance,
    :math:`\tau = \log(L(0)/\text{stop\_loss})`, however slowly GF approaches (small
    diagonal-network inits need GF times that grow like a power of 1/α). It is computed from
    ``log_loss`` too, so ``t_max`` alone takes a run to any loss, e^{−1000} included: a
    ``stop_loss`` that small would underflow."""

    def velocity(self, objective: Objective, mirror: MirrorMap, s: Float[Array, ""], dual: PyTree) -> PyTree:
        params, primal_dot = jax.linearize(mirror.to_primal, dual)
        grads = jax.grad(objective.log_loss)(params)
        # dτ/dt = ⟨g, H* g⟩·L: the rate log L falls at.
        squared = sum(jnp.sum(g * h) for g, h in zip(jax.tree.leaves(grads), jax.tree.leaves(primal_dot(grads))))
        # At a stationary point (or at L = 0 exactly) the loss clock stops; there GF stops too.
        moving = (squared > 0) & jnp.isfinite(squared)
        rate = 1.0 / jnp.where(moving, squared, 1.0)
        return jax.tree.map(lambda g: jnp.where(moving, -rate * g, 0.0), grads)


#: The clocks a spec names (``[dynamics] clock = "log"``).
CLOCKS: dict[str, Clock] = {"linear": LinearClock(), "log": LogClock(), "loss": LossClock()}


def clock_named(clock: str | Clock) -> Clock:
    """``clock`` itself, or the clock of that name."""
    if isinstance(clock, Clock):
        return clock
    if clock not in CLOCKS:
        raise ValueError(f"clock must be a Clock or one of {tuple(CLOCKS)}, got {clock!r}")
    return CLOCKS[clock]
