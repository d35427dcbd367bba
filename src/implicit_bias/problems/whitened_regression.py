r"""Saxe et al.'s (2014) setting: whitened inputs and a teacher with prescribed singular values."""

from pathlib import Path
from typing import Literal

import jax
import numpy as np
from pydantic import Field, NonNegativeInt, PositiveFloat, PositiveInt, model_validator

from ..components import register
from ..random_matrices import orthonormal_columns
from ._base import ProblemSpec
from .regression import Regression, make_regression


def whitened_regression(n_samples: int, input_dim: int, output_dim: int, singular_values, *,
                        seed: int) -> Regression:
    r"""Inputs with :math:`X^\top X = I_n` (orthonormal columns, needs N ≥ n) and targets
    :math:`Y = X\Theta^*`, :math:`\Theta^* = A\,\mathrm{diag}(s)\,B^\top` with Haar-random
    orthonormal A (n×k), B (m×k) and ``s = singular_values`` (k ≤ min(n, m)). Then
    :math:`L(\Theta) = \tfrac12\lVert\Theta - \Theta^*\rVert_F^2`: the input–output correlation
    :math:`X^\top Y` is :math:`\Theta^*` and its modes decouple under an aligned init.
    """
    k_x, k_a, k_b = jax.random.split(jax.random.key(seed), 3)
    s = np.asarray(singular_values, dtype=np.float64)
    X = orthonormal_columns(k_x, n_samples, input_dim)
    teacher = (orthonormal_columns(k_a, input_dim, s.size) * s) @ orthonormal_columns(k_b, output_dim, s.size).T
    return make_regression(X, X @ teacher)


@register
class WhitenedRegressionSpec(ProblemSpec):
    """Saxe et al.'s setting: XᵀX = I, Y = XΘ*, Θ* = A diag(s) Bᵀ (needs n_samples ≥ input_dim)."""

    kind: Literal["whitened_regression"]
    n_samples: PositiveInt = 8
    input_dim: PositiveInt = 6
    output_dim: PositiveInt = 4
    singular_values: list[PositiveFloat] = Field(default_factory=lambda: [3.0, 2.0, 1.0], min_length=1)
    data_seed: NonNegativeInt = 0

    @model_validator(mode="after")
    def _sizes(self):
        if self.n_samples < self.input_dim:
            raise ValueError(f"whitened inputs need n_samples ≥ input_dim = {self.input_dim}, got {self.n_samples}")
        if len(self.singular_values) > min(self.input_dim, self.output_dim):
            raise ValueError(f"{len(self.singular_values)} singular values exceed min(input_dim, output_dim)")
        return self

    def create(self, base_dir: Path) -> Regression:
        return whitened_regression(self.n_samples, self.input_dim, self.output_dim, self.singular_values,
                                   seed=self.data_seed)


__all__ = ["WhitenedRegressionSpec", "whitened_regression"]
