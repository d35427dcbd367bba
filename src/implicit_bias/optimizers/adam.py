r"""Adam."""

from typing import Literal

import optax
from pydantic import Field, PositiveFloat

from ..components import register
from ._base import OptimizerSpec


@register
class AdamSpec(OptimizerSpec):
    r"""Adam (Kingma & Ba 2015): m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², θ ← θ − η m̂/(√v̂ + ε)
    with the bias corrections m̂ = m/(1 − β₁ᵏ), v̂ = v/(1 − β₂ᵏ) (`optax.adam`). With β₁ = β₂ = 0
    it is sign descent up to ε."""

    kind: Literal["adam"]
    b1: float = Field(0.9, ge=0.0, lt=1.0, description="β₁")
    b2: float = Field(0.999, ge=0.0, lt=1.0, description="β₂")
    eps: PositiveFloat = Field(1e-8, description="ε")
    transformation = staticmethod(optax.adam)
