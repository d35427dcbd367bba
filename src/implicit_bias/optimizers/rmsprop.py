r"""RMSProp."""

from typing import Literal

import optax
from pydantic import Field, PositiveFloat

from ..components import register
from ._base import OptimizerSpec


@register
class RMSPropSpec(OptimizerSpec):
    r"""RMSProp (Tieleman & Hinton 2012): v ← ρv + (1 − ρ)g², θ ← θ − η g/√(v + ε) (`optax.rmsprop`;
    `centered` divides by the variance instead of the second moment). Unlike Adam there is no
    bias correction: v starts at 0, so the first steps are long (η/√(1 − ρ))."""

    kind: Literal["rmsprop"]
    decay: float = Field(0.9, ge=0.0, lt=1.0, description="ρ")
    eps: PositiveFloat = Field(1e-8, description="ε (inside the square root)")
    centered: bool = False
    transformation = staticmethod(optax.rmsprop)
