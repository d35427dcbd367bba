r"""Full-batch gradient descent :math:`\theta_{k+1} = \theta_k - \eta\nabla L(\theta_k)` (optax)."""

import equinox as eqx
import jax
import optax
from jaxtyping import Array, Float, PRNGKeyArray, PyTree

from ._base import AbstractDynamics, Objective, Observer, Trajectory
from ._iterate import iterate


class GradientDescent(AbstractDynamics):
    r"""GD with step ``lr`` (η) up to GF time ``t_max`` (at most ``max_steps`` steps).

    It is the explicit Euler scheme of gradient flow: its distance to GF at a fixed time is
    O(η) (claim ``gd_converges_to_gf``); conserved quantities drift by O(η²) per step.
    """

    lr: Float[Array, ""]
    t_max: Float[Array, ""]
    stop_loss: Float[Array, ""]
    max_steps: int = eqx.field(static=True, default=10_000_000)

    @property
    def step_size(self) -> Float[Array, ""]:
        return self.lr

    def solve(self, objective: Objective, params0: PyTree, key: PRNGKeyArray,
              times: Float[Array, " times"], observe: Observer) -> Trajectory:
        optimizer = optax.sgd(self.lr)

        def step(params, opt_state, k, sample):
            value, grads = jax.value_and_grad(objective.loss)(params)
            updates, opt_state = optimizer.update(grads, opt_state, params)
            return optax.apply_updates(params, updates), opt_state, value

        del key  # deterministic
        return iterate(step, objective.loss, params0, optimizer.init(params0), dt=self.lr,
                       t_max=self.t_max, stop_loss=self.stop_loss, max_steps=self.max_steps,
                       times=times, observe=observe)
