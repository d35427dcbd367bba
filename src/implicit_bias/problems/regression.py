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
    return X, Y


def gaussian_regression(
    n_samples: int, input_dim: int, output_dim: int, *, seed: int,
    input_std: float | None = None, teacher_std: float = 1.0, noise: float = 0.0, n_test: int = 0,
) -> Regression:
    r"""Synthetic data: :math:`X_{ij}\sim N(0, s^2)` with ``s = input_std`` (default
    :math:`1/\sqrt n`, so rows have norm ≈ 1), a teacher :math:`\Theta^*_{ij}\sim N(0,
    \text{teacher\_std}^2)` and :math:`Y = X\Theta^* + \text{noise}\cdot\xi`, :math:`\xi\sim N(0,1)`.
    ``n_test > 0`` adds that many held-out samples, drawn from a key of their own (the
    training set is the same with or without them)."""
    s = input_std if input_std is not None else 1.0 / np.sqrt(input_dim)
    key = jax.random.key(seed)
    kx, kt, kn = jax.random.split(key, 3)
    teacher = teacher_std * jax.random.normal(kt, (input_dim, output_dim))

    def draw(kx, kn, rows):
        X = s * jax.random.normal(kx, (rows, input_dim))
        return X, X @ teacher + noise * jax.random.normal(kn, (rows, output_dim))

    X, Y = draw(kx, kn, n_samples)
    if n_test == 0:
        return make_regression(X, Y)
    X_test, Y_test = draw(*jax.random.split(jax.random.fold_in(key, 1)), n_test)
    return make_regression(X, Y, X_test=X_test, Y_test=Y_test)


def load_regression(path: Path, field: str = "problem.data.file") -> Regression:
    """Read ``X`` and ``Y`` (or ``y``) from ``.npz`` (no pickles) or ``.csv`` (last column is y).

    A ``.csv`` holds one sample per row, features first and the target in the last column;
    a header line is allowed.
    """
    path = Path(path)
    if not path.is_file():
        raise SpecError(field, f"file '{path}' does not exist", "give the path of an .npz or .csv file")
    suffix = path.suffix.lower()
    if suffix == ".npz":
        try:
            with np.load(path, allow_pickle=False) as f:
                keys = set(f.files)
                if "X" not in keys or not ({"Y", "y"} & keys):
                    raise SpecError(field, f"'{path.name}' holds {sorted(keys)}",
                                    "store arrays named X and Y (or y), e.g. np.savez(path, X=X, Y=Y)")
                X = f["X"]
                Y = f["Y"] if "Y" in keys else f["y"]
        except SpecError:
            raise
        except Exception as e:  # corrupt archive, object arrays refused by allow_pickle=False
            raise SpecError(field, f"cannot read '{path.name}' as numeric .npz ({type(e).__name__}: {e})",
                            "save plain numeric arrays with np.savez") from None
        if not (np.issubdtype(X.dtype, np.number) and np.issubdtype(Y.dtype, np.number)):
            raise SpecError(field, f"arrays in '{path.name}' are not numeric ({X.dtype}, {Y.dtype})",
                            "store float arrays")
    elif suffix == ".csv":
        try:
            table = np.genfromtxt(path, delimiter=",", dtype=np.float64)
        except Exception as e:
            raise SpecError(field, f"cannot parse '{path.name}' as CSV ({e})", "give comma-separated numbers") from None
        if table.ndim == 2 and np.all(np.isnan(table[0])):
            table = table[1:]  # a header line
        if table.ndim != 2 or table.shape[1] < 2:
            raise SpecError(field, f"'{path.name}' needs at least two columns (features…, y)",
                            "write one sample per row with the target in the last column")
        if np.any(np.isnan(table)):
            row = int(np.argwhere(np.isnan(table))[0, 0]) + 1
            raise SpecError(field, f"'{path.name}' has a non-numeric or missing value (data row {row})",
                            "fix that row; every entry must be a number")
        X, Y = table[:, :-1], table[:, -1]
    else:
        raise SpecError(field, f"unsupported file type '{path.suffix}'", "use .npz (X, Y or y) or .csv")
    return make_regression(X, Y, field=field)
