r"""Plain gradient steps :math:`\theta_{k+1} = \theta_k - \eta_k g_k` (the default)."""

from typing import Literal

import optax

from ..components import register
from ._base import OptimizerSpec


@register
class SGDOptimizerSpec(OptimizerSpec):
    """Plain steps θ ← θ − η g (`optax.sgd`): gradient descent, or SGD on mini-batches. The
    default optimizer."""

    kind: Literal["sgd"] = "sgd"
    transformation = staticmethod(optax.sgd)
