r"""Matrix sensing: recover a d×d matrix from M linear measurements :math:`y_k = \langle A_k, X^*\rangle`.

Loss :math:`L(\Theta) = \tfrac12\sum_k (y_k - \langle A_k, \Theta\rangle)^2` of the model's
end-to-end matrix Θ (a sum, as for regression). With :math:`M < d(d+1)/2` symmetric
measurements the interpolants form an affine family, and which one gradient flow reaches is
the implicit bias (Gunasekar et al. 2017; Li, Ma, Zhang 2018).
"""

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, Int, PyTree
from pydantic import NonNegativeInt, PositiveInt, model_validator

from ..components import register
from ..errors import SpecError
from ._base import AbstractDataProblem, ProblemSpec

if TYPE_CHECKING:
    from ..models import AbstractModel


class MatrixSensing(AbstractDataProblem):
    r"""Measurement matrices ``A`` (M×d×d, symmetric), values ``y`` (M) and the ``target``
    :math:`X^*` they were taken from (for distances; the loss never sees it)."""

    A: Float[Array, "M d d"]
    y: Float[Array, " M"]
    target: Float[Array, "d d"]

    @property
    def input_dim(self) -> int:
        return self.target.shape[0]

    @property
    def output_dim(self) -> int:
        return self.target.shape[1]

    @property
    def n_samples(self) -> int:
        return self.y.shape[0]

    @property
    def shape(self) -> tuple[int, int]:
        return self.target.shape

    def measure(self, theta: Float[Array, "d d"]) -> Float[Array, " M"]:
        r""":math:`\mathcal A(\Theta) = (\langle A_k, \Theta\rangle)_k`."""
        return jnp.einsum("kij,ij->k", self.A, theta)

    def loss(self, model: "AbstractModel", params: PyTree) -> Float[Array, ""]:
        return 0.5 * jnp.sum((self.y - self.measure(model.end_to_end(params))) ** 2)

    def minibatch_loss(self, model: "AbstractModel", params: PyTree,
                       indices: Int[Array, " batch"]) -> Float[Array, ""]:
        residual = self.y[indices] - jnp.einsum("kij,ij->k", self.A[indices], model.end_to_end(params))
        return 0.5 * (self.n_samples / indices.shape[0]) * jnp.sum(residual**2)


def make_matrix_sensing(A, target, field: str = "problem") -> MatrixSensing:
    """Validate ``A`` (M×d×d, finite, symmetric) and ``target`` (d×d, finite) and measure it."""
    A = np.asarray(A, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    if A.ndim != 3 or A.shape[1] != A.shape[2]:
        raise SpecError(f"{field}.A", f"expected M×d×d measurement matrices, got shape {A.shape}",
                        "give a stack of square matrices")
    if target.shape != A.shape[1:]:
        raise SpecError(f"{field}.target", f"shape {target.shape} does not match the measurements' {A.shape[1:]}",
                        "give a d×d target")
    if not (np.all(np.isfinite(A)) and np.all(np.isfinite(target))):
        raise SpecError(field, "measurements or target contain NaN or inf", "give finite numbers")
    if not np.allclose(A, np.swapaxes(A, 1, 2), rtol=0, atol=1e-12 * max(1.0, np.abs(A).max())):
        raise SpecError(f"{field}.A", "measurement matrices are not symmetric",
                        "symmetrize them, (A + Aᵀ)/2: the antisymmetric part never sees a symmetric Θ")
    y = np.einsum("kij,ij->k", A, target)
    return MatrixSensing(A=jnp.asarray(A), y=jnp.asarray(y), target=jnp.asarray(target))


def gaussian_sensing(dim: int, rank: int, n_measurements: int, *, seed: int) -> MatrixSensing:
    r"""Gaussian symmetric measurements of a random rank-r PSD target.

    :math:`A_k = (G_k + G_k^\top)/(2\sqrt M)` with :math:`G_k` i.i.d. N(0, 1) entries, so
    :math:`\mathbb E\,\tfrac12\lVert\mathcal A(\Delta)\rVert^2 = \tfrac12\lVert\Delta\rVert_F^2`
    for symmetric Δ (the operator is an isometry on average: time scales stay O(1) as M
    varies). Target :math:`X^* = W W^\top` with :math:`W_{ij} \sim N(0, 1/d)`, so its nonzero
    eigenvalues are O(1).
    """
    k_a, k_w = jax.random.split(jax.random.key(seed))
    G = jax.random.normal(k_a, (n_measurements, dim, dim))
    A = (G + jnp.swapaxes(G, 1, 2)) / (2 * np.sqrt(n_measurements))
    W = jax.random.normal(k_w, (dim, rank)) / np.sqrt(dim)
    return make_matrix_sensing(A, W @ W.T)


__all__ = ["MatrixSensing", "gaussian_sensing", "make_matrix_sensing"]


@register
class MatrixSensingSpec(ProblemSpec):
    """Gaussian symmetric measurements of a random rank-r PSD dim×dim target:
    A_k = (G_k + G_kᵀ)/(2√M), X* = WWᵀ, W ~ N(0, 1/d); loss ½Σ(y_k − ⟨A_k, Θ⟩)²."""

    kind: Literal["matrix_sensing"]
    dim: PositiveInt = 10
    rank: PositiveInt = 2
    n_measurements: PositiveInt = 40
    data_seed: NonNegativeInt = 0

    @model_validator(mode="after")
    def _sizes(self):
        if self.rank > self.dim:
            raise ValueError(f"rank {self.rank} exceeds dim {self.dim}")
        return self

    def create(self, base_dir: Path) -> MatrixSensing:
        return gaussian_sensing(self.dim, self.rank, self.n_measurements, seed=self.data_seed)
