r"""The modified loss of backward error analysis, :math:`\tilde L_h = L + \tfrac h4\lVert\nabla L\rVert^2`.

Barrett & Dherin (2021), *Implicit gradient regularization* (arXiv:2009.11162): GD with step h
follows the gradient flow of :math:`\tilde L_h` to O(h²) over a fixed time, while it follows the
flow of L only to O(h). Its gradient :math:`\nabla L + \tfrac h2\nabla^2L\,\nabla L` is a
Hessian-vector product, which JAX forms by differentiating the gradient.
"""

from typing import TYPE_CHECKING

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Int, PyTree

from ._base import AbstractDataProblem, AbstractProblem

if TYPE_CHECKING:
    from ..models import AbstractModel


def _squared_norm(tree: PyTree) -> Float[Array, ""]:
    return sum(jnp.sum(a**2) for a in jax.tree.leaves(tree))


class ModifiedLoss(AbstractDataProblem):
    r"""``base``'s loss plus :math:`\tfrac h4\lVert\nabla_\theta L\rVert^2`, h = ``step``."""

    base: AbstractProblem
    step: Float[Array, ""]

    @property
    def input_dim(self) -> int:
        return self.base.input_dim

    @property
    def output_dim(self) -> int:
        return self.base.output_dim

    @property
    def n_samples(self) -> int:
        return self.base.n_samples

    def loss(self, model: "AbstractModel", params: PyTree) -> Float[Array, ""]:
        value, grads = jax.value_and_grad(lambda p: self.base.loss(model, p))(params)
        return value + 0.25 * self.step * _squared_norm(grads)

    def minibatch_loss(self, model: "AbstractModel", params: PyTree,
                       indices: Int[Array, " batch"]) -> Float[Array, ""]:
        value, grads = jax.value_and_grad(lambda p: self.base.minibatch_loss(model, p, indices))(params)
        return value + 0.25 * self.step * _squared_norm(grads)
