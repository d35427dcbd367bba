r"""The scale-α init of a diagonal linear network with :math:`\beta(0) = 0`."""

from typing import ClassVar, Literal

import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray
from pydantic import Field, PositiveFloat

from ..components import register, scalar
from ..models import DiagonalLinear
from ..problems import AbstractProblem
from ._base import AbstractInitialization, InitSpec


class DiagonalScale(AbstractInitialization):
    r"""Every coordinate at scale α = ``scale``, with :math:`\beta(0) = 0`, as in the papers:

    - ``difference``: :math:`u = v = \alpha\mathbf 1` (Woodworth et al.); the GF limit is
      :math:`\arg\min Q_\alpha` (D = 2) or its depth-D analogue.
    - ``product``: :math:`u = \sqrt2\,\alpha\mathbf 1`, :math:`v = 0` (Pesme et al.); the GF limit is
      :math:`\arg\min\psi_\alpha`, and :math:`u^2 - v^2 = 2\alpha^2`.

    Deterministic: the key is unused (every seed starts at the same point).
    """

    scale: Float[Array, ""]

    def __call__(self, key: PRNGKeyArray, model: DiagonalLinear, problem: AbstractProblem) -> dict:
        ones = jnp.ones(model.input_dim)
        if model.parametrization == "product":
            return {"u": jnp.sqrt(2.0) * self.scale * ones, "v": jnp.zeros_like(ones)}
        return {"u": self.scale * ones, "v": self.scale * ones}


@register
class DiagonalScaleSpec(InitSpec):
    """u = v = α (difference), u = √2α, v = 0 (product), so β(0) = 0."""

    models: ClassVar[tuple[type, ...]] = (DiagonalLinear,)
    kind: Literal["diagonal_scale"]
    scale: PositiveFloat = Field(description="α: u = v = α (difference), u = √2α, v = 0 (product)")

    def build(self, model: DiagonalLinear, problem: AbstractProblem) -> DiagonalScale:
        return DiagonalScale(scalar(self.scale))
