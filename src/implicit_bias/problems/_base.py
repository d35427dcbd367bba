"""What a problem is: data (or a sampler) plus the loss it defines on a model's predictions."""

import abc

import equinox as eqx
from jaxtyping import Array, Float, Int, PyTree

from ..models import AbstractModel


class AbstractProblem(eqx.Module):
    """A training objective over a model's parameters.

    Dynamics see a problem only through :meth:`loss` and :meth:`minibatch_loss`, so any
    problem trains with any dynamics.
    """

    @property
    @abc.abstractmethod
    def n_samples(self) -> int:
        """Number of training samples (the population a mini-batch is drawn from)."""

    @property
    def has_test_set(self) -> bool:
        """Whether held-out samples exist (observables of test error need them)."""
        return False

    @abc.abstractmethod
    def loss(self, model: AbstractModel, params: PyTree) -> Float[Array, ""]:
        """The full training loss."""

    @abc.abstractmethod
    def minibatch_loss(
        self, model: AbstractModel, params: PyTree, indices: Int[Array, " batch"]
    ) -> Float[Array, ""]:
        """An unbiased estimate of :meth:`loss` from the samples ``indices``."""
