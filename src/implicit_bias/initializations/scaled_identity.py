r"""Scaled identity init: every parameter array is :math:`\text{scale}\cdot I` (rectangular)."""

from typing import ClassVar, Literal

import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray
from pydantic import Field, PositiveFloat

from ..components import register, scalar
from ..models import AbstractModel, DeepLinear, Linear, SymmetricFactorization, TwoLayerLinear
from ..problems import AbstractProblem
from ._base import AbstractInitialization, InitSpec


class ScaledIdentity(AbstractInitialization):
    r"""Each parameter array of shape (p, q) is ``scale`` times the p×q identity (ones on the
    main diagonal). For :math:`\Theta = UU^\top` with U d×d this is Gunasekar et al.'s (2017)
    :math:`U_0 = \alpha I`; for a square deep linear net :math:`\Theta(0) = \alpha^N I`, balanced
    and with det > 0 (Razin & Cohen 2020). Deterministic: the key is unused.
    """

    scale: Float[Array, ""]

    def __call__(self, key: PRNGKeyArray, model: AbstractModel, problem: AbstractProblem) -> dict:
        del key
        return {name: self.scale * jnp.eye(*shape) for name, shape in model.param_shapes().items()}


@register
class ScaledIdentitySpec(InitSpec):
    """Every parameter array is scale × I (rectangular): U(0) = αI, or W_j(0) = αI."""

    models: ClassVar[tuple[type, ...]] = (TwoLayerLinear, DeepLinear, SymmetricFactorization, Linear)
    kind: Literal["scaled_identity"]
    scale: PositiveFloat = Field(description="every parameter array is scale × I")

    def build(self, model: AbstractModel, problem: AbstractProblem) -> ScaledIdentity:
        return ScaledIdentity(scalar(self.scale))
