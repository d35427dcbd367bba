r"""Full-batch gradient descent :math:`\theta_{k+1} = \theta_k - \eta\nabla L(\theta_k)` (optax), or on
:math:`\log L` (steps normalized by the loss)."""

from typing import Literal

import equinox as eqx
import jax
import jax.numpy as jnp
import optax
from jaxtyping import Array, Float, PRNGKeyArray, PyTree
from pydantic import Field, PositiveFloat, PositiveInt

from ..components import register, scalar
from ._base import AbstractDynamics, DynamicsSpec, Objective, Observer, Trajectory
from ._iterate import iterate

OBJECTIVES = ("loss", "log_loss")


class GradientDescent(AbstractDynamics):
    r"""GD with step ``lr`` (η) up to GF time ``t_max`` (at most ``max_steps`` steps).

    It is the explicit Euler scheme of gradient flow: its distance to GF at a fixed time is
    O(η) (claim ``gd_converges_to_gf``); conserved quantities drift by O(η²) per step.

    ``objective`` picks what is descended:

    - ``"loss"``: L, the plain method.
    - ``"log_loss"``: :math:`\log L`, i.e. :math:`\theta_{k+1} = \theta_k - \frac{\eta}{L(\theta_k)}\nabla
      L(\theta_k)`: the loss-normalized ("aggressive") steps of Nacson et al. (2019) and Ji & Telgarsky
      (2021). The gradient comes from the problem's ``log_loss``, so on separable data with an
      exponential tail the loss goes to 10⁻³⁰, 10⁻³⁰⁰ and beyond in a few hundred steps
      (:math:`-\log L` grows linearly in k), where constant steps need :math:`\sim 10^{30}`. It is
      the Euler scheme of GF in the clock :math:`ds = L\,dt`; the time axis (records, ``t_max``,
      ``t_final``) is then s = kη, not GF time. ``stop_loss`` still applies (L is formed for the
      test; below float64's range it reads 0), so to go further use ``t_max`` alone.
    """

    lr: Float[Array, ""]
    t_max: Float[Array, ""]
    stop_loss: Float[Array, ""]
    max_steps: int = eqx.field(static=True, default=10_000_000)
    objective: str = eqx.field(static=True, default="loss")

    def __check_init__(self):
        if self.objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {OBJECTIVES}, got {self.objective!r}")

    @property
    def step_size(self) -> Float[Array, ""]:
        return self.lr

    def solve(self, objective: Objective, params0: PyTree, key: PRNGKeyArray,
              times: Float[Array, " times"], observe: Observer) -> Trajectory:
        optimizer = optax.sgd(self.lr)

        descend = objective.log_loss if self.objective == "log_loss" else objective.loss

        def step(params, opt_state, k, sample):
            value, grads = jax.value_and_grad(descend)(params)
            updates, opt_state = optimizer.update(grads, opt_state, params)
            # The loop's divergence test reads L: exp(log L) is +inf on a blow-up and 0 on underflow.
            loss = jnp.exp(value) if self.objective == "log_loss" else value
            return optax.apply_updates(params, updates), opt_state, loss

        del key  # deterministic
        return iterate(step, objective.loss, params0, optimizer.init(params0), dt=self.lr,
                       t_max=self.t_max, stop_loss=self.stop_loss, max_steps=self.max_steps,
                       times=times, observe=observe)


@register
class GradientDescentSpec(DynamicsSpec):
    """Full-batch gradient descent with step ``lr``; time is steps × lr."""

    kind: Literal["gradient_descent"]
    lr: PositiveFloat
    max_steps: PositiveInt = 10_000_000
    objective: Literal["loss", "log_loss"] = Field(
        "loss", description="log_loss: descend log L, i.e. steps η/L (Nacson et al. 2019), which reach L = 1e-300 "
                            "and beyond on separable data; time is then kη in the clock ds = L dt")

    def build(self) -> GradientDescent:
        return GradientDescent(scalar(self.lr), scalar(self.t_max), scalar(self.stop_loss), self.max_steps,
                               self.objective)
