r"""Normalized gradient descent: steepest descent for the ℓ2 norm with a fixed step length."""

from typing import Literal

import optax
from pydantic import Field, PositiveFloat

from ..components import register
from ._base import OptimizerSpec


def normalized_steps(learning_rate, eps):
    return optax.chain(optax.normalize_by_update_norm(eps=eps), optax.scale_by_learning_rate(learning_rate))


@register
class NormalizedSpec(OptimizerSpec):
    r"""Normalized steps θ ← θ − η g/(‖g‖ + ε), ‖·‖ the Euclidean norm over all parameters
    (`optax.normalize_by_update_norm`): every step has length η (up to ε), so time kη is arc
    length."""

    kind: Literal["normalized"]
    eps: PositiveFloat = Field(1e-12, description="ε, keeps a zero gradient from dividing by 0")
    transformation = staticmethod(normalized_steps)
