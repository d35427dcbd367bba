r"""Full-batch gradient descent :math:`\theta_{k+1} = \theta_k - \eta\nabla L(\theta_k)`, or any
optax optimizer on the full gradient."""

from typing import Literal

from pydantic import Field

from ..components import register
from .discrete import DiscreteDynamics, DiscreteSpec


@register
class GradientDescentSpec(DiscreteSpec):
    """Full-batch gradient descent with step `lr` (or the `optimizer`'s steps); time is steps × lr."""

    kind: Literal["gradient_descent"]
    objective: Literal["loss", "log_loss"] = Field(
        "loss", description="log_loss: descend log L, i.e. steps η/L (Nacson et al. 2019), which reach L = 1e-300 "
                            "and beyond on separable data; time is then kη in the clock ds = L dt")

    def build(self) -> DiscreteDynamics:
        return self.dynamics(objective=self.objective)
