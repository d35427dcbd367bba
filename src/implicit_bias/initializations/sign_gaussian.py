r"""The NTK papers' init of a two-layer ReLU net: :math:`w_k \sim N(0, \kappa^2 I)`, :math:`a_k = \pm1`."""

from typing import ClassVar, Literal

import jax
from jaxtyping import Array, Float, PRNGKeyArray
from pydantic import Field, PositiveFloat

from ..components import register, scalar
from ..models import TwoLayerReLU
from ..problems import AbstractProblem
from ._base import AbstractInitialization, InitSpec


class SignGaussian(AbstractInitialization):
    r"""First-layer rows i.i.d. :math:`N(0, \kappa^2 I)`, output weights :math:`\pm1` with
    probability ½ each (Du et al., Arora et al., Satpathi & Srikant). ``kappa`` does not scale
    with the width: the :math:`1/\sqrt m` sits in the model."""

    kappa: Float[Array, ""]

    def __call__(self, key: PRNGKeyArray, model: TwoLayerReLU, problem: AbstractProblem) -> dict:
        k_w, k_a = jax.random.split(key)
        shapes = model.param_shapes()
        return {"W": self.kappa * jax.random.normal(k_w, shapes["W"]),
                "a": jax.random.rademacher(k_a, shapes["a"], dtype=self.kappa.dtype)}


@register
class NTKGaussianSpec(InitSpec):
    """w_k ~ N(0, κ²I), a_k = ±1 fair coins (the NTK papers' init of the two-layer ReLU net)."""

    models: ClassVar[tuple[type, ...]] = (TwoLayerReLU,)
    kind: Literal["ntk_gaussian"]
    kappa: PositiveFloat = Field(1.0, description="std κ of the first-layer weights; output weights ±1")

    def build(self, model: TwoLayerReLU, problem: AbstractProblem) -> SignGaussian:
        return SignGaussian(scalar(self.kappa))
