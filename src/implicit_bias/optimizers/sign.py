r"""Sign descent: steepest descent for the ℓ∞ norm."""

from typing import Literal

import optax

from ..components import register
from ._base import OptimizerSpec


@register
class SignSpec(OptimizerSpec):
    r"""Sign descent θ ← θ − η sign(g) (`optax.sign_sgd`; Bernstein et al. 2018): the steepest
    descent direction for ‖·‖∞, each coordinate moving by exactly η (0 where gᵢ = 0)."""

    kind: Literal["sign"]
    transformation = staticmethod(optax.sign_sgd)
