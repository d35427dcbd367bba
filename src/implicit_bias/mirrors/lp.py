r"""The ℓp potential ‖θ‖ₚᵖ / p."""

from typing import ClassVar, Literal

import jax.numpy as jnp
from jaxtyping import Array, Float
from pydantic import Field

from ..components import register, scalar
from ._base import ElementwiseMirror, MirrorSpec


class LpPotential(ElementwiseMirror):
    r""":math:`\phi(x) = |x|^p/p`, p > 1: :math:`\phi'(x) = \mathrm{sign}(x)|x|^{p-1}` and
    :math:`(\phi')^{-1}(z) = \mathrm{sign}(z)|z|^{1/(p-1)}`, :math:`\phi^*(z) = |z|^q/q` with q = p/(p − 1). On least squares from θ₀ = 0 the
    flow ends at the min-ℓp-norm interpolant (Gunasekar et al. 2018). The flow
    :math:`\dot\theta = -|\theta|^{2-p}\nabla L/(p-1)` is singular at 0 for p ≠ 2; integrated in the
    dual variable it is not. The loss clock needs ∇²ψ* at z, infinite at z = 0 for p > 2: use
    the linear or log clock there."""

    p: Float[Array, ""]

    def phi(self, x: Array) -> Array:
        return jnp.abs(x) ** self.p / self.p

    def phi_conjugate(self, z: Array) -> Array:
        q = self.p / (self.p - 1)
        return jnp.abs(z) ** q / q

    def phi_prime(self, x: Array) -> Array:
        return jnp.sign(x) * jnp.abs(x) ** (self.p - 1)

    def phi_prime_inverse(self, z: Array) -> Array:
        return jnp.sign(z) * jnp.abs(z) ** (1 / (self.p - 1))


@register
class LpSpec(MirrorSpec):
    """ℓp potential ‖θ‖ₚᵖ/p (p > 1): from θ₀ = 0 on least squares, the min-ℓp-norm interpolant."""

    examples: ClassVar[tuple[dict, ...]] = ({"kind": "lp", "p": 1.5}, {"kind": "lp", "p": 3.0})

    kind: Literal["lp"]
    p: float = Field(gt=1.0, description="the exponent p > 1 (p = 2: gradient flow)")

    def build(self) -> LpPotential:
        return LpPotential(scalar(self.p))
