"""What a problem is: data (or a sampler) plus the loss it defines on a model's predictions."""

import abc

import equinox as eqx
import jax.numpy as jnp
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

    @abc.abstractmethod
    def loss(self, model: AbstractModel, params: PyTree) -> Float[Array, ""]:
        """The full training loss."""

    @abc.abstractmethod
    def minibatch_loss(
        self, model: AbstractModel, params: PyTree, indices: Int[Array, " batch"]
    ) -> Float[Array, ""]:
        """An unbiased estimate of :meth:`loss` from the samples ``indices``."""

    def log_loss(self, model: AbstractModel, params: PyTree) -> Float[Array, ""]:
        r""":math:`\log L`. Problems whose loss can fall below float64's range (exponential
        tails on separable data) compute it without forming L; log-time dynamics use it."""
        return jnp.log(self.loss(model, params))
