r"""The hyperbolic entropy: the geometry of the diagonal network u² − v²."""

from typing import ClassVar, Literal

import jax.numpy as jnp
from jaxtyping import Array, Float
from pydantic import Field, PositiveFloat

from ..components import register, scalar
from ._base import ElementwiseMirror, MirrorSpec


class HyperbolicEntropy(ElementwiseMirror):
    r""":math:`\phi_\beta(x) = x\,\mathrm{arcsinh}(x/\beta) - \sqrt{x^2+\beta^2} + \beta`, so
    :math:`\phi'_\beta = \mathrm{arcsinh}(\cdot/\beta)`, :math:`(\phi'_\beta)^{-1} = \beta\sinh`,
    :math:`\phi^*_\beta = \beta(\cosh - 1)`, and the flow is
    :math:`\dot\theta = -\sqrt{\theta^2+\beta^2}\odot\nabla L` (Ghai, Hazan & Singer 2020). It
    interpolates between ½‖θ‖²/β (β → ∞, kernel regime) and a weighted ℓ1 norm (β → 0, rich
    regime). The diagonal network :math:`w = u^2 - v^2` under GF from u = v = α keeps
    :math:`uv = \alpha^2`, so :math:`\dot w = -4\sqrt{w^2 + 4\alpha^4}\,\nabla L`: this mirror flow with
    β = 2α² at time 4t (Woodworth et al. 2020; its limit is their :math:`\arg\min Q_\alpha`).
    """

    beta: Float[Array, ""]

    def phi(self, x: Array) -> Array:
        return x * jnp.arcsinh(x / self.beta) - jnp.sqrt(x**2 + self.beta**2) + self.beta

    def phi_conjugate(self, z: Array) -> Array:
        return self.beta * (jnp.cosh(z) - 1)

    def phi_prime(self, x: Array) -> Array:
        return jnp.arcsinh(x / self.beta)

    def phi_prime_inverse(self, z: Array) -> Array:
        return self.beta * jnp.sinh(z)


@register
class HyperbolicEntropySpec(MirrorSpec):
    """Hyperbolic entropy with scale β: θ̇ = −√(θ² + β²) ⊙ ∇L, the diagonal network's geometry
    (β = 2α² for u² − v² from scale α, at time 4t)."""

    examples: ClassVar[tuple[dict, ...]] = ({"kind": "hyperbolic_entropy", "beta": 0.05}, {"kind": "hyperbolic_entropy", "beta": 3.0})

    kind: Literal["hyperbolic_entropy"]
    beta: PositiveFloat = Field(description="β: kernel-like (ℓ2) for β ≫ |θ|, ℓ1-like for β ≪ |θ|")

    def build(self) -> HyperbolicEntropy:
        return HyperbolicEntropy(scalar(self.beta))
