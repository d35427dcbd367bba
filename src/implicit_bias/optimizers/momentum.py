r"""Heavy-ball and Nesterov momentum."""

from typing import Literal

import optax
from pydantic import Field

from ..components import register
from ._base import OptimizerSpec


@register
class MomentumSpec(OptimizerSpec):
    r"""Heavy-ball momentum (Polyak): v ← g + βv, θ ← θ − ηv, i.e.
    θ_{k+1} = θ_k − η g_k + β(θ_k − θ_{k−1}); with `nesterov`, the gradient step is taken
    along g + βv (Sutskever et al. 2013) (`optax.sgd` with momentum). Near a minimum it moves
    like GD with step η/(1 − β)."""

    kind: Literal["momentum"]
    momentum: float = Field(0.9, ge=0.0, lt=1.0, description="β")
    nesterov: bool = False
    transformation = staticmethod(optax.sgd)
