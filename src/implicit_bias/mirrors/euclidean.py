r"""The Euclidean potential ½‖θ‖²: mirror flow is gradient flow."""

from typing import ClassVar, Literal

from jaxtyping import Array

from ..components import register
from ._base import ElementwiseMirror, MirrorSpec


class Euclidean(ElementwiseMirror):
    r""":math:`\phi(x) = x^2/2`: ∇ψ and ∇ψ* are the identity, returning their argument itself, so
    gradient flow's arithmetic is untouched by the mirror."""

    def phi(self, x: Array) -> Array:
        return 0.5 * x * x

    def phi_conjugate(self, z: Array) -> Array:
        return 0.5 * z * z

    def phi_prime(self, x: Array) -> Array:
        return x

    def phi_prime_inverse(self, z: Array) -> Array:
        return z


@register
class EuclideanSpec(MirrorSpec):
    """ψ = ½‖θ‖²: plain gradient flow (the default)."""

    examples: ClassVar[tuple[dict, ...]] = ({"kind": "euclidean"},)

    kind: Literal["euclidean"] = "euclidean"

    def build(self) -> Euclidean:
        return Euclidean()
