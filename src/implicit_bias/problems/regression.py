r"""Least-squares regression :math:`L(\Theta) = \tfrac12\lVert Y - f_\Theta(X)\rVert_F^2`.

The loss is a sum over samples, not a mean, as in Min et al. (2021); their rates are stated
for this normalization.
"""

from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, Int, PyTree

from ..errors import SpecError
from ..models import AbstractModel
from ._base import AbstractProblem
from ._data_file import read_data_file


class Regression(AbstractProblem):
    r"""Regression data ``X`` (N×n) and targets ``Y`` (N×m) with the squared loss.

    ``rank`` is ``rank X``, computed once on the host: it fixes the shapes of the SVD blocks
    :math:`X = W\Sigma^{1/2}\Phi_1^\top` that the theory uses, so it must be static.
    """

    X: Float[Array, "N n"]
    Y: Float[Array, "N m"]
    rank: int = eqx.field(static=True)

    @property
    def n_samples(self) -> int:
        return self.X.shape[0]

    def loss(self, model: AbstractModel, params: PyTree) -> Float[Array, ""]:
        residual = self.Y - model.predict(params, self.X)
        return 0.5 * jnp.sum(residual**2)

    def minibatch_loss(
        self, model: AbstractModel, params: PyTree, indices: Int[Array, " batch"]
    ) -> Float[Array, ""]:
        residual = self.Y[indices] - model.predict(params, self.X[indices])
        return 0.5 * (self.n_samples / indices.shape[0]) * jnp.sum(residual**2)


def make_regression(X, Y, field: str = "problem.data") -> Regression:
    """Validate ``X``, ``Y`` (finite, 2-D, matching rows) and build a :class:`Regression`."""
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    if Y.ndim == 1:
        Y = Y[:, None]
    if X.ndim != 2:
        raise SpecError(f"{field}.X", f"expected a 2-D array (samples × features), got shape {X.shape}",
                        "store X as an N×n matrix")
    if Y.ndim != 2 or Y.shape[0] != X.shape[0]:
        raise SpecError(f"{field}.Y", f"shape {Y.shape} does not match X's {X.shape[0]} samples",
                        "give Y as N×m (or y as a length-N vector) with one row per sample of X")
    for name, a in (("X", X), ("Y", Y)):
        if not np.all(np.isfinite(a)):
            raise SpecError(f"{field}.{name}", f"contains {np.sum(~np.isfinite(a))} NaN or inf values",
                            "remove or impute them before training")
    rank = int(np.linalg.matrix_rank(X))
    if rank == 0:
        raise SpecError(f"{field}.X", "X is zero", "give data with at least one nonzero sample")
    return Regression(X=jnp.asarray(X), Y=jnp.asarray(Y), rank=rank)


def gaussian_regression(
    n_samples: int, input_dim: int, output_dim: int, *, seed: int,
    input_std: float | None = None, teacher_std: float = 1.0, noise: float = 0.0,
    features: str = "gaussian", teacher_nonzeros: int | None = None,
) -> Regression:
    r"""Synthetic data: :math:`X_{ij}\sim N(0, s^2)` with ``s = input_std`` (default
    :math:`1/\sqrt n`, so rows have norm ≈ 1), a teacher :math:`\Theta^*_{ij}\sim N(0,
    \text{teacher\_std}^2)` and :math:`Y = X\Theta^* + \text{noise}\cdot\xi`, :math:`\xi\sim N(0,1)`.
    ``features="rademacher"``: :math:`X_{ij} = \pm s` with equal probability instead;
    ``teacher_nonzeros = k``: rows k, k+1, … of Θ* are zero (a k-sparse teacher)."""
    s = input_std if input_std is not None else 1.0 / np.sqrt(input_dim)
    kx, kt, kn = jax.random.split(jax.random.key(seed), 3)
    if features == "rademacher":
        X = s * jax.random.rademacher(kx, (n_samples, input_dim), dtype=jnp.float64)
    else:
        X = s * jax.random.normal(kx, (n_samples, input_dim))
    teacher = teacher_std * jax.random.normal(kt, (input_dim, output_dim))
    if teacher_nonzeros is not None:
        teacher = teacher.at[teacher_nonzeros:].set(0.0)
    Y = X @ teacher + noise * jax.random.normal(kn, (n_samples, output_dim))
    return make_regression(X, Y)


def load_regression(path: Path, field: str = "problem.data.file") -> Regression:
    """Read ``X`` and ``Y`` (or ``y``) from ``.npz`` or ``.csv`` (see :func:`read_data_file`)."""
    X, Y = read_data_file(path, field)
    return make_regression(X, Y, field=field)
