r"""The antisymmetric (paired) init: neurons come in pairs :math:`(w, +a), (w, -a)`, so f(0) = 0."""

from typing import Literal

import jax.numpy as jnp
from jaxtyping import PRNGKeyArray

from ..components import register
from ..errors import SpecError
from ..models import TwoLayerReLU
from ..problems import AbstractProblem
from ._base import AbstractInitialization
from .sign_gaussian import NTKGaussianSpec, SignGaussian


class Antisymmetric(AbstractInitialization):
    r"""The first m/2 neurons of the :class:`SignGaussian` draw with the same key, repeated with
    their output weights negated: :math:`w_{k+m/2} = w_k`, :math:`a_{k+m/2} = -a_k`. Then
    :math:`f(x, w(0)) = 0` for every x (up to rounding; Arora et al., Sec. 4), so the residual starts at
    Y and the linearized movement is :math:`\sqrt{Y^\top H(0)^{-1}Y}`. Each pair moves apart
    from the first step (its gradients have opposite signs). Needs an even width.
    """

    gaussian: SignGaussian

    def __call__(self, key: PRNGKeyArray, model: TwoLayerReLU, problem: AbstractProblem) -> dict:
        p = self.gaussian(key, model, problem)
        half = model.width // 2
        return {"W": jnp.concatenate([p["W"][:half], p["W"][:half]]),
                "a": jnp.concatenate([p["a"][:half], -p["a"][:half]])}


@register
class AntisymmetricSpec(NTKGaussianSpec):
    """The ntk_gaussian draw's first m/2 neurons paired as (w, a), (w, −a), so f(0) = 0; even width."""

    kind: Literal["antisymmetric"]

    def build(self, model: TwoLayerReLU, problem: AbstractProblem) -> Antisymmetric:
        if model.width % 2:
            raise SpecError("model.width", f"the antisymmetric init pairs neurons; width {model.width} is odd",
                            "use an even width")
        return Antisymmetric(super().build(model, problem))
