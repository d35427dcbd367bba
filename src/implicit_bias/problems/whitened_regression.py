r"""Saxe et al.'s (2014) setting: whitened inputs and a teacher with prescribed singular values."""

import jax
import numpy as np

from .regression import Regression, make_regression


def whitened_regression(n_samples: int, input_dim: int, output_dim: int, singular_values, *,
                        seed: int) -> Regression:
    r"""Inputs with :math:`X^\top X = I_n` (orthonormal columns, needs N ≥ n) and targets
    :math:`Y = X\Theta^*`, :math:`\Theta^* = A\,\mathrm{diag}(s)\,B^\top` with Haar-random
    orthonormal A (n×k), B (m×k) and ``s = singular_values`` (k ≤ min(n, m)). Then
    :math:`L(\Theta) = \tfrac12\lVert\Theta - \Theta^*\rVert_F^2`: the input–output correlation
    :math:`X^\top Y` is :math:`\Theta^*` and its modes decouple under an aligned init.
    """
    # Imported here: the initializations package imports this one at load time.
    from ..initializations import orthonormal_columns

    k_x, k_a, k_b = jax.random.split(jax.random.key(seed), 3)
    s = np.asarray(singular_values, dtype=np.float64)
    X = orthonormal_columns(k_x, n_samples, input_dim)
    teacher = (orthonormal_columns(k_a, input_dim, s.size) * s) @ orthonormal_columns(k_b, output_dim, s.size).T
    return make_regression(X, X @ teacher)


__all__ = ["whitened_regression"]
