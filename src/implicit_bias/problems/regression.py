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
from ._data_file import checked_inputs, read_data_file, require_finite


class Regression(AbstractProblem):
    r"""Regression data ``X`` (N×n) and targets ``Y`` (N×m) with the squared loss.

    ``rank`` is ``rank X``, computed once on the host: it fixes the shapes of the SVD blocks
    :math:`X = W\Sigma^{1/2}\Phi_1^\top` that the theory uses, so it must be static.
    ``X_test``, ``Y_test`` are an optional held-out set from the same distribution: never
    trained on, read only by test-error observables.
    """

    X: Float[Array, "N n"]
    Y: Float[Array, "N m"]
    rank: int = eqx.field(static=True)
    X_test: Float[Array, "M n"] | None = None
    Y_test: Float[Array, "M m"] | None = None

    @property
    def n_samples(self) -> int:
        return self.X.shape[0]

    @property
    def has_test_set(self) -> bool:
        return self.X_test is not None

    def loss(self, model: AbstractModel, params: PyTree) -> Float[Array, ""]:
        residual = self.Y - model.predict(params, self.X)
        return 0.5 * jnp.sum(residual**2)

    def minibatch_loss(
        self, model: AbstractModel, params: PyTree, indices: Int[Array, " batch"]
    ) -> Float[Array, ""]:
        residual = self.Y[indices] - model.predict(params, self.X[indices])
        return 0.5 * (self.n_samples / indices.shape[0]) * jnp.sum(residual**2)


def make_regression(X, Y, field: str = "problem.data", X_test=None, Y_test=None) -> Regression:
    """Validate ``X``, ``Y`` (finite, 2-D, matching rows) and build a :class:`Regression`;
    with ``X_test``, ``Y_test`` (validated the same way, same columns) it has a held-out set."""
    X, Y = _checked(X, Y, field)
    rank = int(np.linalg.matrix_rank(X))
    if rank == 0:
        raise SpecError(f"{field}.X", "X is zero", "give data with at least one nonzero sample")
    if X_test is None:
        return Regression(X=jnp.asarray(X), Y=jnp.asarray(Y), rank=rank)
    X_test, Y_test = _checked(X_test, Y_test, f"{field}.test")
    if X_test.shape[1:] != X.shape[1:] or Y_test.shape[1:] != Y.shape[1:]:
        raise SpecError(f"{field}.test", f"test shapes {X_test.shape}, {Y_test.shape} do not match "
                        f"training shapes {X.shape}, {Y.shape}", "give test data with the same columns")
    return Regression(X=jnp.asarray(X), Y=jnp.asarray(Y), rank=rank,
                      X_test=jnp.asarray(X_test), Y_test=jnp.asarray(Y_test))


def _checked(X, Y, field: str) -> tuple[np.ndarray, np.ndarray]:
    X = checked_inputs(X, field)
    Y = np.asarray(Y, dtype=np.float64)
    if Y.ndim == 1:
        Y = Y[:, None]
    if Y.ndim != 2 or Y.shape[0] != X.shape[0]:
        raise SpecError(f"{field}.Y", f"shape {Y.shape} does not match X's {X.shape[0]} samples",
                        "give Y as N×m (or y as a length-N vector) with one row per sample of X")
    require_finite(Y, f"{field}.Y")
    return X, Y


def gaussian_regression(
    n_samples: int, input_dim: int, output_dim: int, *, seed: int,
    input_std: float | None = None, teacher_std: float = 1.0, noise: float = 0.0,
    features: str = "gaussian", teacher_nonzeros: int | None = None, n_test: int = 0,
) -> Regression:
    r"""Synthetic data: :math:`X_{ij}\sim N(0, s^2)` with ``s = input_std`` (default
    :math:`1/\sqrt n`, so rows have norm ≈ 1), a teacher :math:`\Theta^*_{ij}\sim N(0,
    \text{teacher\_std}^2)` and :math:`Y = X\Theta^* + \text{noise}\cdot\xi`, :math:`\xi\sim N(0,1)`.
    ``features="rademacher"``: :math:`X_{ij} = \pm s` with equal probability instead;
    ``teacher_nonzeros = k``: rows k, k+1, … of Θ* are zero (a k-sparse teacher).
    ``n_test > 0`` adds that many held-out samples, drawn from a key of their own (the
    training set is the same with or without them)."""
    s = input_std if input_std is not None else 1.0 / np.sqrt(input_dim)
    key = jax.random.key(seed)
    kx, kt, kn = jax.random.split(key, 3)
    teacher = teacher_std * jax.random.normal(kt, (input_dim, output_dim))
    if teacher_nonzeros is not None:
        teacher = teacher.at[teacher_nonzeros:].set(0.0)

    def draw(kx, kn, rows):
        if features == "rademacher":
            X = s * jax.random.rademacher(kx, (rows, input_dim), dtype=jnp.float64)
        else:
            X = s * jax.random.normal(kx, (rows, input_dim))
        return X, X @ teacher + noise * jax.random.normal(kn, (rows, output_dim))

    X, Y = draw(kx, kn, n_samples)
    if n_test == 0:
        return make_regression(X, Y)
    X_test, Y_test = draw(*jax.random.split(jax.random.fold_in(key, 1)), n_test)
    return make_regression(X, Y, X_test=X_test, Y_test=Y_test)


def load_regression(path: Path, field: str = "problem.data.file") -> Regression:
    """Read ``X`` and ``Y`` (or ``y``) from ``.npz`` or ``.csv`` (see :func:`read_data_file`)."""
    X, Y = read_data_file(path, field)
    return make_regression(X, Y, field=field)
