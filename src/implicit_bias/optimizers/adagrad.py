r"""AdaGrad."""

from typing import Literal

import optax
from pydantic import Field, NonNegativeFloat, PositiveFloat

from ..components import register
from ._base import OptimizerSpec


@register
class AdaGradSpec(OptimizerSpec):
    r"""AdaGrad (Duchi et al. 2011), diagonal: G ← G + g², θ ← θ − η g/√(G + ε), G starting at
    `initial_accumulator_value` (`optax.adagrad`). Its steps shrink like 1/√k, so GF time kη is
    only nominal here."""

    kind: Literal["adagrad"]
    initial_accumulator_value: NonNegativeFloat = Field(0.1, description="G at step 0")
    eps: PositiveFloat = Field(1e-7, description="ε")
    transformation = staticmethod(optax.adagrad)
