"""What a problem is: data (or a sampler) plus the loss it defines on a model's predictions."""

import abc
import functools
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Int, PRNGKeyArray, PyTree

from ..components import Component

if TYPE_CHECKING:  # problems sit below models: a model's schema may name the problems it fits
    from ..models import AbstractModel


class AbstractProblem(eqx.Module):
    """A training objective over a model's parameters.

    Dynamics see a problem only through :meth:`loss` (exact) and the stochastic pair
    :meth:`draw_batches` / :meth:`batch_loss` (SGD), so any problem trains with any dynamics.
    A problem on a fixed data set subclasses :class:`AbstractDataProblem`; an online problem (a
    population loss and a sampler) draws fresh samples instead, and may override
    :meth:`sgd_time_step` to put SGD on its own time axis.

    Models are built from :attr:`input_dim` and :attr:`output_dim`: the shape (n, m) of the
    end-to-end predictor Θ the problem asks for (matrix problems: their matrix's shape).
    """

    @property
    @abc.abstractmethod
    def input_dim(self) -> int:
        """n: inputs per sample (the rows of Θ)."""

    @property
    @abc.abstractmethod
    def output_dim(self) -> int:
        """m: outputs per sample (the columns of Θ)."""

    @property
    def has_test_set(self) -> bool:
        """Whether held-out samples exist (observables of test error need them)."""
        return False

    @abc.abstractmethod
    def loss(self, model: "AbstractModel", params: PyTree) -> Float[Array, ""]:
        """The full training loss (an online problem: the population loss)."""

    def log_loss(self, model: "AbstractModel", params: PyTree) -> Float[Array, ""]:
        r""":math:`\log L`. Problems whose loss can fall below float64's range (exponential
        tails on separable data) compute it without forming L; log-time dynamics use it."""
        return jnp.log(self.loss(model, params))

    @abc.abstractmethod
    def draw_batches(self, key: PRNGKeyArray, n_batches: int, batch_size: int) -> PyTree:
        """``n_batches`` mini-batches at once (leading axis), for ``n_batches`` SGD steps.
        Drawing a block of batches in one call is what makes sampling cheap inside a compiled
        loop."""

    @abc.abstractmethod
    def batch_loss(self, model: "AbstractModel", params: PyTree, batch: PyTree) -> Float[Array, ""]:
        """An unbiased estimate of :meth:`loss` from one batch of :meth:`draw_batches`."""

    def notes(self, model: "AbstractModel") -> list[str]:
        """Facts about this model on this problem that a reader of the results should know
        (written to the run summary); default none."""
        return []

    def sgd_time_step(self, lr: Float[Array, ""]) -> Float[Array, ""]:
        """The time one SGD step advances. Default ``lr``: gradient-flow time t = kη, shared
        with GD and GF. Online problems count samples instead (α = k/N)."""
        return lr


class AbstractDataProblem(AbstractProblem):
    """A problem on a fixed training set of :attr:`n_samples` samples; SGD draws mini-batches of
    distinct indices from it (:meth:`minibatch_loss`)."""

    @property
    @abc.abstractmethod
    def n_samples(self) -> int:
        """Number of training samples (the population a mini-batch is drawn from)."""

    @abc.abstractmethod
    def minibatch_loss(
        self, model: "AbstractModel", params: PyTree, indices: Int[Array, " batch"]
    ) -> Float[Array, ""]:
        """An unbiased estimate of :meth:`loss` from the samples ``indices``."""

    def draw_batches(self, key: PRNGKeyArray, n_batches: int, batch_size: int) -> Int[Array, "n b"]:
        """``batch_size`` distinct indices per batch, uniformly."""
        n = self.n_samples
        return jax.vmap(lambda k: jax.random.choice(k, n, (batch_size,), replace=False))(
            jax.random.split(key, n_batches))

    def batch_loss(self, model: "AbstractModel", params: PyTree, batch: Int[Array, " b"]) -> Float[Array, ""]:
        return self.minibatch_loss(model, params, batch)


class ProblemSpec(Component):
    """The spec schema of a problem kind: ``create`` makes the problem from the spec's fields
    (``base_dir`` resolves data files); :meth:`build` caches it, so that a sweep over seeds or
    models reuses one data set instead of regenerating it per run."""

    section: ClassVar[str] = "problem"

    def build(self, base_dir: Path) -> AbstractProblem:
        return _build(type(self), self.model_dump_json(), str(base_dir), frozenset(self.model_fields_set))

    @abc.abstractmethod
    def create(self, base_dir: Path) -> AbstractProblem:
        """The problem these fields describe (uncached)."""


@functools.lru_cache(maxsize=64)
def _build(cls: type[ProblemSpec], spec_json: str, base_dir: str, given: frozenset[str]) -> AbstractProblem:
    # The fields the user set travel too: a data-file problem checks only the sizes given.
    spec = cls.model_validate_json(spec_json)
    object.__setattr__(spec, "__pydantic_fields_set__", set(given))
    return spec.create(Path(base_dir))
