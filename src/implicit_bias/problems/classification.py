r"""Binary classification with an exponential-tailed loss, :math:`L = \sum_n \ell(y_n f(x_n))`.

Labels are ±1; the margin of sample n is :math:`m_n = y_n f(x_n)`. Losses (sums over samples,
as in the regression problem):

- ``exponential``: :math:`\ell(m) = e^{-m}`;
- ``logistic``: :math:`\ell(m) = \log(1 + e^{-m})`.

On separable data the loss goes to zero like 1/t along gradient flow, so a long run reaches
losses that float64 can hardly represent (:math:`e^{-745}` underflows). Every quantity here is
therefore also available in log space: :meth:`Classification.log_loss` is a log-sum-exp of
:math:`\log\ell(m_n)`, computed without forming :math:`\ell`, and log-time gradient flow
(:class:`implicit_bias.dynamics.GradientFlow` with ``clock="log"``) integrates with it.
"""

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, Int, PyTree
from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, PositiveFloat, PositiveInt

from ..components import register
from ..errors import SpecError
from ._base import AbstractDataProblem, ProblemSpec
from ._data_file import check_given_sizes, checked_inputs, read_data_file

if TYPE_CHECKING:
    from ..models import AbstractModel

LOSSES = ("logistic", "exponential")

#: Above this margin :math:`\log\log(1+e^{-m}) = -m - e^{-m}/2 + O(e^{-2m})` to float64 precision.
_LOGISTIC_TAIL = 30.0


def log_tail(loss: str, m: Float[Array, "..."]) -> Float[Array, "..."]:
    r""":math:`\log\ell(m)`, finite for every finite margin (no underflow of :math:`\ell`)."""
    if loss == "exponential":
        return -m
    # Double where: the unused branch must not produce NaN gradients (log 0 at large m).
    small = jnp.where(m > _LOGISTIC_TAIL, 0.0, m)
    return jnp.where(m > _LOGISTIC_TAIL, -m - 0.5 * jnp.exp(-m), jnp.log(jax.nn.softplus(-small)))


def tail(loss: str, m: Float[Array, "..."]) -> Float[Array, "..."]:
    r""":math:`\ell(m)`."""
    return jnp.exp(-m) if loss == "exponential" else jax.nn.softplus(-m)


def inverse_loss(loss: str, log_value: Float[Array, ""]) -> Float[Array, ""]:
    r""":math:`\ell^{-1}(L)` from :math:`\log L`: the margin one sample needs to have loss L.

    Lyu & Li's smoothed margin is :math:`\ell^{-1}(L)/\lVert\theta\rVert^k`. Exponential:
    :math:`-\log L`; logistic: :math:`-\log(e^L - 1) = -\log L - \log(\mathrm{expm1}(L)/L)`."""
    if loss == "exponential":
        return -log_value
    value = jnp.exp(log_value)
    return -log_value - jnp.log(jnp.where(value > 0, jnp.expm1(value) / jnp.where(value > 0, value, 1.0), 1.0))


class Classification(AbstractDataProblem):
    r"""Inputs ``X`` (N×n), labels ``y`` (N,) in {−1, +1}, loss ``"logistic"`` or ``"exponential"``.

    The model must have one output. :meth:`folded` is :math:`\tilde x_n = y_n x_n` (rows of Z):
    for a linear model the margins are :math:`Zw`.
    """

    X: Float[Array, "N n"]
    y: Float[Array, " N"]
    loss_name: str = eqx.field(static=True)

    @property
    def input_dim(self) -> int:
        return self.X.shape[1]

    @property
    def output_dim(self) -> int:
        return 1

    @property
    def n_samples(self) -> int:
        return self.X.shape[0]

    def folded(self) -> Float[Array, "N n"]:
        return self.y[:, None] * self.X

    def margins(self, model: "AbstractModel", params: PyTree) -> Float[Array, " N"]:
        return self.y * model.predict(params, self.X)[:, 0]

    def loss(self, model: "AbstractModel", params: PyTree) -> Float[Array, ""]:
        return jnp.sum(tail(self.loss_name, self.margins(model, params)))

    def log_loss(self, model: "AbstractModel", params: PyTree) -> Float[Array, ""]:
        return jax.nn.logsumexp(log_tail(self.loss_name, self.margins(model, params)))

    def minibatch_loss(self, model: "AbstractModel", params: PyTree,
                       indices: Int[Array, " batch"]) -> Float[Array, ""]:
        m = self.y[indices] * model.predict(params, self.X[indices])[:, 0]
        return (self.n_samples / indices.shape[0]) * jnp.sum(tail(self.loss_name, m))


def make_classification(X, y, loss: Literal["logistic", "exponential"],
                        field: str = "problem.data") -> Classification:
    """Validate ``X`` (finite, 2-D) and ``y`` (±1, one per row; a single column is accepted)."""
    X = checked_inputs(X, field)
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise SpecError(f"{field}.y", f"shape {y.shape} does not match X's {X.shape[0]} samples",
                        "give one label per sample of X")
    if not np.all(np.isin(y, (-1.0, 1.0))):
        bad = y[~np.isin(y, (-1.0, 1.0))][0]
        raise SpecError(f"{field}.y", f"labels must be −1 or +1, found {bad:g}", "map the two classes to ±1")
    if loss not in LOSSES:
        raise SpecError("problem.loss", f"unknown loss '{loss}'", f"use one of {list(LOSSES)}")
    return Classification(X=jnp.asarray(X), y=jnp.asarray(y), loss_name=loss)


def separable_classification(
    n_samples: int, input_dim: int, *, margin: float, loss: Literal["logistic", "exponential"], seed: int,
) -> Classification:
    r"""Linearly separable (through the origin) data with margin at least ``margin``.

    A unit teacher :math:`u` is drawn uniformly; inputs :math:`g_n\sim N(0, I/n)`, labels
    :math:`y_n = \mathrm{sign}(u^\top g_n)` and :math:`x_n = g_n + y_n\,\text{margin}\,u`, so
    :math:`y_n u^\top x_n \ge \text{margin}`. The data are not symmetric (no :math:`x_n = -x_m`
    pairs), so the support vectors carry unequal dual variables and the finite-t correction
    :math:`\tilde w` of Soudry et al. is visible.
    """
    rng = np.random.default_rng(seed)
    u = rng.standard_normal(input_dim)
    u /= np.linalg.norm(u)
    g = rng.standard_normal((n_samples, input_dim)) / np.sqrt(input_dim)
    y = np.where(g @ u >= 0, 1.0, -1.0)
    return make_classification(g + margin * y[:, None] * u, y, loss)


def load_classification(path: Path, loss: Literal["logistic", "exponential"],
                        field: str = "problem.data.file") -> Classification:
    """Read ``X`` and ``y`` (±1) from ``.npz`` or ``.csv`` (label in the last column)."""
    X, y = read_data_file(path, field)
    return make_classification(X, y, loss, field=field)


class _DataFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    file: str = Field(description="path to .npz (X and ±1 labels y) or .csv (features…, label), relative to the spec")


@register
class ClassificationSpec(ProblemSpec):
    """Binary classification with an exponential-tailed loss Σₙ ℓ(yₙf(xₙ)), also kept as log L
    (log-sum-exp) so losses far below 1e-308 stay finite. Separable data: a random unit teacher
    u, x = g + y·margin·u with g ~ N(0, I/n), so every y·uᵀx ≥ margin."""

    kind: Literal["classification"]
    loss: Literal["logistic", "exponential"] = "logistic"
    n_samples: PositiveInt = 20
    input_dim: PositiveInt = 2
    data: Literal["separable"] | _DataFile = "separable"
    margin: PositiveFloat = Field(0.1, description="separable data: every y·uᵀx ≥ margin for a unit teacher u")
    data_seed: NonNegativeInt = 0

    def create(self, base_dir: Path) -> Classification:
        if self.data == "separable":
            return separable_classification(self.n_samples, self.input_dim, margin=self.margin, loss=self.loss,
                                            seed=self.data_seed)
        problem = load_classification(base_dir / self.data.file, self.loss)
        check_given_sizes(self, n_samples=problem.n_samples, input_dim=problem.input_dim)
        return problem
