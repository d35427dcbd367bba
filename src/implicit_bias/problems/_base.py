"""What a problem is: data (or a sampler) plus the loss it defines on a model's predictions."""

import abc

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Int, PRNGKeyArray, PyTree

from ..models import AbstractModel


class AbstractProblem(eqx.Module):
    """A training objective over a model's parameters.

    Dynamics see a problem only through :meth:`loss` (exact) and the stochastic pair
    :meth:`draw_batches` / :meth:`batch_loss` (SGD), so any problem trains with any dynamics.
    A problem on a fixed data set implements :attr:`n_samples` and :meth:`minibatch_loss`; the
    defaults below then draw indices. An online problem (a population loss and a sampler)
    overrides :meth:`draw_batches` and :meth:`batch_loss` to draw fresh samples instead, and
    :meth:`sgd_time_step` to put SGD on its own time axis.
    """

    @property
    def has_test_set(self) -> bool:
        """Whether held-out samples exist (observables of test error need them)."""
        return False

    @abc.abstractmethod
    def loss(self, model: AbstractModel, params: PyTree) -> Float[Array, ""]:
        """The full training loss (an online problem: the population loss)."""

    @property
    def n_samples(self) -> int:
        """Number of training samples (the population a mini-batch is drawn from)."""
        raise NotImplementedError(f"{type(self).__name__} has no finite data set")

    def minibatch_loss(
        self, model: AbstractModel, params: PyTree, indices: Int[Array, " batch"]
    ) -> Float[Array, ""]:
        """An unbiased estimate of :meth:`loss` from the samples ``indices``."""
        raise NotImplementedError(f"{type(self).__name__} has no finite data set")

    def log_loss(self, model: AbstractModel, params: PyTree) -> Float[Array, ""]:
        r""":math:`\log L`. Problems whose loss can fall below float64's range (exponential
        tails on separable data) compute it without forming L; log-time dynamics use it."""
        return jnp.log(self.loss(model, params))

    def draw_batches(self, key: PRNGKeyArray, n_batches: int, batch_size: int) -> PyTree:
        """``n_batches`` mini-batches at once (leading axis), for ``n_batches`` SGD steps.

        Default: ``batch_size`` distinct indices per batch, uniformly. Drawing a block of
        batches in one call is what makes sampling cheap inside a compiled loop."""
        n = self.n_samples
        return jax.vmap(lambda k: jax.random.choice(k, n, (batch_size,), replace=False))(
            jax.random.split(key, n_batches))

    def batch_loss(self, model: AbstractModel, params: PyTree, batch: PyTree) -> Float[Array, ""]:
        """An unbiased estimate of :meth:`loss` from one batch of :meth:`draw_batches`."""
        return self.minibatch_loss(model, params, batch)

    def notes(self, model: AbstractModel) -> list[str]:
        """Facts about this model on this problem that a reader of the results should know
        (written to the run summary); default none."""
        return []

    def sgd_time_step(self, lr: Float[Array, ""]) -> Float[Array, ""]:
        """The time one SGD step advances. Default ``lr``: gradient-flow time t = kη, shared
        with GD and GF. Online problems count samples instead (α = k/N)."""
        return lr
