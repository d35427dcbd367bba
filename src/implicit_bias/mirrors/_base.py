r"""What a mirror map is: a strictly convex potential ψ on the parameters.

Mirror flow with potential ψ is :math:`\frac{d}{dt}\nabla\psi(\theta) = -\nabla L(\theta)`, i.e.
:math:`\dot\theta = -(\nabla^2\psi(\theta))^{-1}\nabla L(\theta)`: gradient flow in the geometry
of ψ, and the continuous limit of mirror descent (Nemirovski & Yudin; Gunasekar et al. 2018).
ψ = ½‖θ‖² is gradient flow itself. Gradient flow (:class:`~implicit_bias.dynamics.GradientFlow`)
integrates the dual variable :math:`z = \nabla\psi(\theta)`, whose velocity is the plain
gradient, and reads :math:`\theta = \nabla\psi^*(z)` wherever the loss or an observable needs
it; so ψ's Hessian is never inverted, and a potential whose Hessian vanishes or blows up at 0
(ℓp) moves off 0 all the same.

On underdetermined least squares the flow keeps :math:`\nabla\psi(\theta) - \nabla\psi(\theta_0)`
in the row space of X, and so ends at :math:`\arg\min\{D_\psi(\theta, \theta_0) : X\theta = y\}`
(Bregman divergence :math:`D_\psi`).
"""

import abc
from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PyTree

from ..components import Component


class MirrorMap(eqx.Module):
    """A potential ψ with its gradient map ∇ψ (``to_dual``) and that map's inverse ∇ψ*
    (``to_primal``), on parameter pytrees."""

    @abc.abstractmethod
    def potential(self, params: PyTree) -> Float[Array, ""]:
        """ψ(θ)."""

    @abc.abstractmethod
    def to_dual(self, params: PyTree) -> PyTree:
        """z = ∇ψ(θ)."""

    @abc.abstractmethod
    def to_primal(self, dual: PyTree) -> PyTree:
        """θ = ∇ψ*(z), the inverse of :meth:`to_dual`."""

    def bregman(self, params: PyTree, reference: PyTree) -> Float[Array, ""]:
        r""":math:`D_\psi(\theta, \theta_0) = \psi(\theta) - \psi(\theta_0) - \langle\nabla\psi(\theta_0), \theta - \theta_0\rangle`."""
        inner = sum(jnp.sum(z * (a - b)) for z, a, b in zip(
            jax.tree.leaves(self.to_dual(reference)), jax.tree.leaves(params), jax.tree.leaves(reference)))
        return self.potential(params) - self.potential(reference) - inner


class ElementwiseMirror(MirrorMap):
    r"""A separable potential :math:`\psi(\theta) = \sum_i \phi(\theta_i)` over every parameter
    entry: subclasses give φ, φ′, (φ′)⁻¹ and the convex conjugate φ* (whose derivative is
    (φ′)⁻¹; reference optima solve the dual in it) on arrays."""

    @abc.abstractmethod
    def phi(self, x: Array) -> Array: ...

    @abc.abstractmethod
    def phi_conjugate(self, z: Array) -> Array: ...

    @abc.abstractmethod
    def phi_prime(self, x: Array) -> Array: ...

    @abc.abstractmethod
    def phi_prime_inverse(self, z: Array) -> Array: ...

    def potential(self, params: PyTree) -> Float[Array, ""]:
        return sum(jnp.sum(self.phi(a)) for a in jax.tree.leaves(params))

    def to_dual(self, params: PyTree) -> PyTree:
        return jax.tree.map(self.phi_prime, params)

    def to_primal(self, dual: PyTree) -> PyTree:
        return jax.tree.map(self.phi_prime_inverse, dual)


class MirrorSpec(Component):
    """The spec schema of a mirror map of gradient flow (``[dynamics] mirror = {…}``):
    ``build()`` is the :class:`MirrorMap`."""

    section: ClassVar[str] = "mirror"
    nested_in: ClassVar[str] = "dynamics"
    #: Mirror tables the common checks of :mod:`implicit_bias.testing` run this kind on.
    examples: ClassVar[tuple[dict, ...]] = ()

    @abc.abstractmethod
    def build(self) -> MirrorMap:
        """The mirror map these fields describe."""
