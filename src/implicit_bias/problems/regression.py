r"""Least-squares regression :math:`L(\Theta) = \tfrac12\lVert Y - f_\Theta(X)\rVert_F^2`.

The loss is a sum over samples, not a mean, as in Min et al. (2021); their rates are stated
for this normalization.
"""

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, Int, PyTree
from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, NonNegativeInt, PositiveFloat, PositiveInt

from ..components import register
from ..errors import SpecError
from ._base import AbstractDataProblem, ProblemSpec
from ._data_file import check_given_sizes, checked_inputs, read_data_file, require_finite
from .ntk_data import digits_data, quadratic_teacher_data

if TYPE_CHECKING:
    from ..models import AbstractModel


class Regression(AbstractDataProblem):
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
    def input_dim(self) -> int:
        return self.X.shape[1]

    @property
    def output_dim(self) -> int:
        return self.Y.shape[1]

    @property
    def has_test_set(self) -> bool:
        return self.X_test is not None

    def loss(self, model: "AbstractModel", params: PyTree) -> Float[Array, ""]:
        residual = self.Y - model.predict(params, self.X)
        return 0.5 * jnp.sum(residual**2)

    def minibatch_loss(
        self, model: "AbstractModel", params: PyTree, indices: Int[Array, " batch"]
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


def quadratic_teacher_regression(n_samples: int, input_dim: int, *, seed: int, power: int = 2,
                                 n_test: int = 0) -> Regression:
    """Satpathi & Srikant's data (:func:`.ntk_data.quadratic_teacher_data`) as a problem."""
    X, y, X_test, y_test = quadratic_teacher_data(n_samples, input_dim, seed=seed, power=power, n_test=n_test)
    return make_regression(X, y, X_test=X_test, Y_test=y_test)


def digits_regression(classes: tuple[int, int], n_samples: int, n_test: int, *, seed: int,
                      random_labels: bool = False, field: str = "problem.data") -> Regression:
    """Two digit classes as ±1 regression (:func:`.ntk_data.digits_data`) as a problem."""
    X, y, X_test, y_test = digits_data(classes, n_samples, n_test, seed=seed, random_labels=random_labels,
                                       field=field)
    return make_regression(X, y, X_test=X_test, Y_test=y_test)


class DataFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    file: str = Field(description="path to .npz (X, Y or y) or .csv (features…, y), relative to the spec")


class DigitsData(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    digits: tuple[int, int] = Field(description="two classes of the handwritten digits (first → +1, second → −1)")
    random_labels: bool = Field(False, description="replace every label by a fair ±1 coin (Arora et al.'s control)")


@register
class RegressionSpec(ProblemSpec):
    """Least squares ½‖Y − f(X)‖²_F (a sum) on generated data, Satpathi & Srikant's quadratic
    teacher, the shipped digits, or a data file. Gaussian data: X ~ N(0, input_std²),
    Y = XΘ* + noise·ξ, Θ* ~ N(0, teacher_std²)."""

    kind: Literal["regression"]
    n_samples: PositiveInt = 20
    input_dim: PositiveInt = 50
    output_dim: PositiveInt = 1
    data: Literal["gaussian", "rademacher", "quadratic_teacher"] | DataFile | DigitsData = Field(
        "gaussian", description="generated features (Gaussian N(0, input_std²) or ±input_std signs), "
                                "Satpathi's quadratic teacher (x uniform in [−1, 1]^d scaled to unit norm, "
                                "y = (xᵀβ)² standardized), a data file {file = …}, or {digits = [a, b]}")
    n_test: NonNegativeInt = Field(0, description="held-out samples (generators and digits) for test observables")
    data_seed: NonNegativeInt = 0
    input_std: PositiveFloat | None = Field(None, description="std of X's entries; default 1/√input_dim")
    teacher_std: NonNegativeFloat = 1.0
    noise: NonNegativeFloat = 0.0
    teacher_nonzeros: PositiveInt | None = Field(None, description="sparse teacher: only its first k rows nonzero")

    def create(self, base_dir: Path) -> Regression:
        if self.data in ("gaussian", "rademacher"):
            return gaussian_regression(self.n_samples, self.input_dim, self.output_dim, seed=self.data_seed,
                                       input_std=self.input_std, teacher_std=self.teacher_std, noise=self.noise,
                                       features=self.data, teacher_nonzeros=self.teacher_nonzeros,
                                       n_test=self.n_test)
        if self.data == "quadratic_teacher":
            return quadratic_teacher_regression(self.n_samples, self.input_dim, seed=self.data_seed,
                                                n_test=self.n_test)
        if isinstance(self.data, DigitsData):
            return digits_regression(self.data.digits, self.n_samples, self.n_test, seed=self.data_seed,
                                     random_labels=self.data.random_labels)
        if self.n_test:
            raise SpecError("problem.n_test", "a data file brings no held-out set", "remove problem.n_test")
        problem = load_regression(base_dir / self.data.file)
        check_given_sizes(self, n_samples=problem.n_samples, input_dim=problem.input_dim,
                          output_dim=problem.output_dim)
        return problem
