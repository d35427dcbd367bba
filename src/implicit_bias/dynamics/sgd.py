r"""Mini-batch SGD, on a finite training set or online (fresh samples every step) (optax)."""

from typing import Literal

import equinox as eqx
import jax
import optax
from jaxtyping import Array, Float, PRNGKeyArray, PyTree
from pydantic import Field, PositiveFloat, PositiveInt

from ..components import register, scalar
from ._base import AbstractDynamics, DynamicsSpec, Objective, Observer, Trajectory
from ._iterate import iterate


class SGD(AbstractDynamics):
    r"""Each step takes one batch of ``batch_size`` samples from the problem and steps along the
    gradient of the problem's unbiased estimate of its loss, so that in expectation it is GD
    with the same ``lr``. On a data set the batch is ``batch_size`` distinct indices and the
    estimate :math:`\tfrac{N}{B}\sum_{i\in B}\ell_i` of the summed loss (time t = kη, shared
    with GF); on an online problem the samples are fresh draws (one pass) and time is the
    problem's (α = k/N for the teacher–student problems).

    Batches are drawn ``block`` steps at a time inside the compiled loop (see
    :func:`~implicit_bias.dynamics._iterate.iterate`): one generator call per block instead of
    one per step (benchmarks/online_sgd_throughput.py measured the block size).
    The divergence test uses the batch loss; the stop test the full loss.
    """

    lr: Float[Array, ""]
    t_max: Float[Array, ""]
    stop_loss: Float[Array, ""]
    batch_size: int = eqx.field(static=True, default=1)
    max_steps: int = eqx.field(static=True, default=10_000_000)
    block: int = eqx.field(static=True, default=8)

    @property
    def step_size(self) -> Float[Array, ""]:
        return self.lr

    def solve(self, objective: Objective, params0: PyTree, key: PRNGKeyArray,
              times: Float[Array, " times"], observe: Observer) -> Trajectory:
        optimizer = optax.sgd(self.lr)

        def step(params, opt_state, k, batch):
            value, grads = jax.value_and_grad(objective.batch_loss)(params, batch)
            updates, opt_state = optimizer.update(grads, opt_state, params)
            return optax.apply_updates(params, updates), opt_state, value

        def draw(j):
            return objective.draw_batches(jax.random.fold_in(key, j), self.block, self.batch_size)

        return iterate(step, objective.loss, params0, optimizer.init(params0),
                       dt=objective.problem.sgd_time_step(self.lr), t_max=self.t_max,
                       stop_loss=self.stop_loss, max_steps=self.max_steps, times=times,
                       observe=observe, draw=draw, block=self.block)


@register
class SGDSpec(DynamicsSpec):
    """Mini-batch SGD: the unbiased N/B-scaled mini-batch gradient, or fresh samples on an
    online problem (``t_max`` is then α)."""

    kind: Literal["sgd"]
    lr: PositiveFloat
    batch_size: PositiveInt = 1
    max_steps: PositiveInt = 10_000_000
    block: PositiveInt = Field(8, description="steps whose samples are drawn in one generator call")

    def build(self) -> SGD:
        return SGD(scalar(self.lr), scalar(self.t_max), scalar(self.stop_loss), self.batch_size, self.max_steps,
                   self.block)
