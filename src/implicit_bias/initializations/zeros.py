r"""The zero init: every parameter 0."""

from typing import ClassVar, Literal

import jax.numpy as jnp
from jaxtyping import PRNGKeyArray

from ..components import register
from ..models import AbstractModel, Linear
from ..problems import AbstractProblem
from ._base import AbstractInitialization, InitSpec


class Zeros(AbstractInitialization):
    r"""θ(0) = 0. For a model linear in its parameters the natural start of mirror flow and
    mirror descent: their limit is then :math:`\arg\min\{D_\psi(\theta, 0) : X\theta = y\}`, the
    min-norm interpolant for ψ = ½‖θ‖². (For a network, 0 is a saddle gradient flow never leaves.)
    Deterministic: the key is unused."""

    def __call__(self, key: PRNGKeyArray, model: AbstractModel, problem: AbstractProblem) -> dict:
        del key
        return {name: jnp.zeros(shape) for name, shape in model.param_shapes().items()}


@register
class ZerosSpec(InitSpec):
    """θ(0) = 0, for the linear model (the start whose mirror-descent limit is argmin ψ)."""

    models: ClassVar[tuple[type, ...]] = (Linear,)
    kind: Literal["zeros"]

    def build(self, model: AbstractModel, problem: AbstractProblem) -> Zeros:
        return Zeros()
