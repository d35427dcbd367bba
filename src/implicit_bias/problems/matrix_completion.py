r"""Matrix completion: fit the observed entries :math:`\Omega` of a matrix.

Loss :math:`L(\Theta) = \tfrac12\sum_{(i,j)\in\Omega} (\Theta_{ij} - M_{ij})^2` of the model's
end-to-end matrix. With a deep linear model of n = m this is the deep matrix factorization
of Arora, Cohen, Hu, Luo (2019) and Razin & Cohen (2020).
"""

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, Int, PyTree
from pydantic import Field, NonNegativeInt, PositiveInt, model_validator

from ..components import register
from ..errors import SpecError
from ._base import AbstractDataProblem, ProblemSpec

if TYPE_CHECKING:
    from ..models import AbstractModel


class MatrixCompletion(AbstractDataProblem):
    """Observed entries ``values[k]`` at ``(rows[k], cols[k])`` of a ``shape`` matrix (0-based)."""

    rows: Int[Array, " K"]
    cols: Int[Array, " K"]
    values: Float[Array, " K"]
    shape: tuple[int, int] = eqx.field(static=True)

    @property
    def input_dim(self) -> int:
        return self.shape[0]

    @property
    def output_dim(self) -> int:
        return self.shape[1]

    @property
    def n_samples(self) -> int:
        return self.values.shape[0]

    def observed(self) -> np.ndarray:
        """Boolean mask of the observed entries (host-side, from concrete indices)."""
        mask = np.zeros(self.shape, dtype=bool)
        mask[np.asarray(self.rows), np.asarray(self.cols)] = True
        return mask

    def loss(self, model: "AbstractModel", params: PyTree) -> Float[Array, ""]:
        theta = model.end_to_end(params)
        return 0.5 * jnp.sum((theta[self.rows, self.cols] - self.values) ** 2)

    def minibatch_loss(self, model: "AbstractModel", params: PyTree,
                       indices: Int[Array, " batch"]) -> Float[Array, ""]:
        theta = model.end_to_end(params)
        residual = theta[self.rows[indices], self.cols[indices]] - self.values[indices]
        return 0.5 * (self.n_samples / indices.shape[0]) * jnp.sum(residual**2)


def make_matrix_completion(shape, entries, field: str = "problem") -> MatrixCompletion:
    """Validate ``entries`` (a list of ``(row, col, value)``, 0-based, distinct positions,
    finite values) against ``shape`` and build a :class:`MatrixCompletion`."""
    d1, d2 = shape
    if not entries:
        raise SpecError(f"{field}.entries", "is empty", "observe at least one entry")
    seen = set()
    for k, (i, j, v) in enumerate(entries):
        if not (0 <= i < d1 and 0 <= j < d2):
            raise SpecError(f"{field}.entries[{k}]", f"position ({i}, {j}) is outside the {d1}×{d2} matrix",
                            f"use 0-based rows < {d1} and columns < {d2}")
        if (i, j) in seen:
            raise SpecError(f"{field}.entries[{k}]", f"position ({i}, {j}) is observed twice", "list each entry once")
        if not np.isfinite(v):
            raise SpecError(f"{field}.entries[{k}]", f"value {v} is not finite", "give a finite number")
        seen.add((i, j))
    rows, cols, values = (np.array(c) for c in zip(*entries))
    return MatrixCompletion(rows=jnp.asarray(rows, dtype=jnp.int32), cols=jnp.asarray(cols, dtype=jnp.int32),
                            values=jnp.asarray(values, dtype=jnp.float64), shape=(d1, d2))


def random_completion(shape: tuple[int, int], rank: int, n_observed: int, *, seed: int) -> MatrixCompletion:
    r"""``n_observed`` entries, drawn uniformly without replacement, of a random rank-r
    :math:`d_1\times d_2` matrix :math:`M = AB^\top/\sqrt r` with :math:`A, B` i.i.d. N(0, 1)."""
    d1, d2 = shape
    k_a, k_b, k_o = jax.random.split(jax.random.key(seed), 3)
    target = np.asarray(jax.random.normal(k_a, (d1, rank)) @ jax.random.normal(k_b, (d2, rank)).T) / np.sqrt(rank)
    picks = np.asarray(jax.random.choice(k_o, d1 * d2, (n_observed,), replace=False))
    return make_matrix_completion(shape, [(int(p // d2), int(p % d2), float(target.flat[p])) for p in picks])


__all__ = ["MatrixCompletion", "make_matrix_completion", "random_completion"]


@register
class MatrixCompletionSpec(ProblemSpec):
    """Observed entries of a shape[0]×shape[1] matrix, listed or drawn from a random rank-r one;
    loss ½Σ_Ω(Θ_ij − M_ij)²."""

    kind: Literal["matrix_completion"]
    shape: tuple[PositiveInt, PositiveInt] = (10, 10)
    entries: list[tuple[NonNegativeInt, NonNegativeInt, float]] | None = Field(
        None, description="observed [row, column, value], 0-based; default: a random rank-r matrix's")
    rank: PositiveInt = 2
    n_observed: PositiveInt = 50
    data_seed: NonNegativeInt = 0

    @model_validator(mode="after")
    def _sizes(self):
        if self.entries is None and self.rank > min(self.shape):
            raise ValueError(f"rank {self.rank} exceeds min(shape) = {min(self.shape)}")
        if self.entries is None and self.n_observed > self.shape[0] * self.shape[1]:
            raise ValueError(f"n_observed {self.n_observed} exceeds the {self.shape[0] * self.shape[1]} entries")
        return self

    def create(self, base_dir: Path) -> MatrixCompletion:
        if self.entries is not None:
            return make_matrix_completion(self.shape, self.entries)
        return random_completion(self.shape, self.rank, self.n_observed, seed=self.data_seed)
