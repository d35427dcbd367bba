r"""Learning-rate schedules :math:`k \mapsto \eta_k` for the discrete dynamics, from optax.

``lr`` stays the spec's step size η₀ and its clock: a discrete run is at time kη₀ after k
steps whatever the schedule (records, ``t_max`` and ``t_final`` count steps, not Σηₖ).
"""

from typing import Literal

import optax
from pydantic import Field, NonNegativeFloat, PositiveFloat, PositiveInt

from ..components import register
from ._base import ScheduleSpec


def constant(learning_rate):
    return learning_rate


def inverse_time(learning_rate, steps, power):
    return lambda count: learning_rate / (1.0 + count / steps) ** power


@register
class ConstantSpec(ScheduleSpec):
    """ηₖ = lr (the default)."""

    kind: Literal["constant"] = "constant"
    transformation = staticmethod(constant)


@register
class ExponentialDecaySpec(ScheduleSpec):
    """ηₖ = lr · rate^(k/steps) (`optax.exponential_decay`; `staircase`: rate^⌊k/steps⌋)."""

    kind: Literal["exponential_decay"]
    transition_steps: PositiveInt = Field(description="steps over which η is multiplied by decay_rate")
    decay_rate: PositiveFloat
    staircase: bool = False
    transformation = staticmethod(optax.exponential_decay)


@register
class CosineDecaySpec(ScheduleSpec):
    """ηₖ = lr · (α + (1 − α)(1 + cos(πk/steps))/2) up to `decay_steps`, then lr·α
    (`optax.cosine_decay_schedule`)."""

    kind: Literal["cosine_decay"]
    decay_steps: PositiveInt
    alpha: NonNegativeFloat = Field(0.0, description="final fraction of lr")
    transformation = staticmethod(optax.cosine_decay_schedule)


@register
class InverseTimeSpec(ScheduleSpec):
    """ηₖ = lr / (1 + k/steps)^power: power 1 is the Robbins–Monro decay Σηₖ = ∞, Σηₖ² < ∞
    under which SGD converges to a minimizer."""

    kind: Literal["inverse_time"]
    steps: PositiveFloat = Field(description="steps until η has fallen to lr/2^power")
    power: PositiveFloat = 1.0
    transformation = staticmethod(inverse_time)
