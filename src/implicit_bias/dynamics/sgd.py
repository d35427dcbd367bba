r"""Mini-batch SGD, on a finite training set or online (fresh samples every step)."""

from typing import Literal

from pydantic import Field, PositiveInt

from ..components import register
from .discrete import DiscreteDynamics, DiscreteSpec


@register
class SGDSpec(DiscreteSpec):
    """Mini-batch SGD: the unbiased N/B-scaled mini-batch gradient, or fresh samples on an
    online problem (`t_max` is then α)."""

    kind: Literal["sgd"]
    batch_size: PositiveInt = 1
    block: PositiveInt = Field(8, description="steps whose samples are drawn in one generator call")

    def build(self) -> DiscreteDynamics:
        return self.dynamics(batch_size=self.batch_size, block=self.block)
