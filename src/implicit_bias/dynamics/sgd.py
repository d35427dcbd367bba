r"""Mini-batch SGD on a finite training set (optax)."""

import equinox as eqx
import jax
import optax
from jaxtyping import Array, Float, PRNGKeyArray, PyTree

from ._base import AbstractDynamics, Objective, Observer, Trajectory
from ._iterate import iterate


class SGD(AbstractDynamics):
    r"""Each step draws ``batch_size`` distinct samples uniformly and steps along the gradient of
    the unbiased estimate :math:`\tfrac{N}{B}\sum_{i\in B}\ell_i` of the summed loss, so that
    in expectation it is GD with the same ``lr`` and shares GF's time axis t = kη.
    The divergence test uses the mini-batch loss; the stop test the full loss.
    """

    lr: Float[Array, ""]
    t_max: Float[Array, ""]
    stop_loss: Float[Array, ""]
    batch_size: int = eqx.field(static=True, default=1)
    max_steps: int = eqx.field(static=True, default=10_000_000)

    @property
    def step_size(self) -> Float[Array, ""]:
        return self.lr

    def solve(self, objective: Objective, params0: PyTree, key: PRNGKeyArray,
              times: Float[Array, " times"], observe: Observer) -> Trajectory:
        optimizer = optax.sgd(self.lr)
        n = objective.n_samples

        def step(params, opt_state, k):
            batch = jax.random.choice(jax.random.fold_in(key, k), n, (self.batch_size,), replace=False)
            value, grads = jax.value_and_grad(objective.minibatch_loss)(params, batch)
            updates, opt_state = optimizer.update(grads, opt_state, params)
            return optax.apply_updates(params, updates), opt_state, value

        return iterate(step, objective.loss, params0, optimizer.init(params0), lr=self.lr,
                       t_max=self.t_max, stop_loss=self.stop_loss, max_steps=self.max_steps,
                       times=times, observe=observe)
