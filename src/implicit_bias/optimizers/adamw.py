r"""AdamW: Adam with decoupled weight decay."""

from typing import Literal

import optax
from pydantic import Field, NonNegativeFloat

from ..components import register
from .adam import AdamSpec


@register
class AdamWSpec(AdamSpec):
    r"""AdamW (Loshchilov & Hutter 2019): Adam's step plus a decay of the weights themselves,
    θ ← θ − η(m̂/(√v̂ + ε) + λθ) (`optax.adamw`): unlike an ℓ2 penalty (λ/2)‖θ‖² added to the loss,
    the decay does not pass through the moments, so √v̂ does not rescale it."""

    kind: Literal["adamw"]
    weight_decay: NonNegativeFloat = Field(1e-4, description="λ")
    transformation = staticmethod(optax.adamw)
