r"""Spectrally aligned, balanced init (Saxe, McClelland, Ganguli 2014)."""

from typing import ClassVar, Literal

import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray
from pydantic import Field, PositiveFloat

from ..components import register, scalar
from ..models import AbstractModel, DeepLinear, TwoLayerLinear
from ..problems import Regression
from ..theory.linear_networks import min_norm_solution
from ._base import AbstractInitialization, InitSpec, require_width
from .balanced import as_params, balanced_layers, hidden_widths


class Aligned(AbstractInitialization):
    r""":math:`\Theta(0) = \text{scale}\cdot AB^\top` where :math:`X^+Y = ASB^\top` is the thin
    SVD of the least-squares solution (k = min(n, m) modes), factored into balanced layers
    (:func:`~implicit_bias.initializations.balanced.balanced_layers`). Every mode of the target
    starts at strength ``scale``; with whitened inputs (:math:`X^\top X = I`) the modes then
    evolve independently, mode r by
    :math:`\dot\sigma_r = N\sigma_r^{2-2/N}(s_r - \sigma_r)`. Needs every hidden width ≥ k.
    """

    scale: Float[Array, ""]

    def __call__(self, key: PRNGKeyArray, model: TwoLayerLinear | DeepLinear, problem: Regression) -> dict:
        A, _, Bt = jnp.linalg.svd(min_norm_solution(problem), full_matrices=False)
        s = jnp.full(A.shape[1], self.scale)
        return as_params(model, balanced_layers(key, A, s, Bt.T, hidden_widths(model)))


@register
class AlignedSpec(InitSpec):
    """Θ(0) = σ₀ABᵀ from the SVD X⁺Y = ASBᵀ, in balanced layers (two-layer or deep linear)."""

    models: ClassVar[tuple[type, ...]] = (TwoLayerLinear, DeepLinear)
    problems: ClassVar[tuple[type, ...]] = (Regression,)
    kind: Literal["aligned"]
    scale: PositiveFloat = Field(description="every mode of X⁺Y starts at this strength σ₀")

    def build(self, model: AbstractModel, problem: Regression) -> Aligned:
        require_width(model, min(problem.input_dim, problem.output_dim), "aligned", "min(input_dim, output_dim)")
        return Aligned(scalar(self.scale))
