"""What an initialization is: a seeded map to a model's parameters."""

import abc

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray, PyTree

from ..models import AbstractModel
from ..problems import AbstractProblem


class AbstractInitialization(eqx.Module):
    """A named scheme producing initial parameters.

    Schemes that depend on the data (the invariant-set init needs the row space of X) receive
    the problem. Scalar settings (scales, levels) are array fields, so an ensemble sweeping
    them is one compiled computation.
    """

    @abc.abstractmethod
    def __call__(self, key: PRNGKeyArray, model: AbstractModel, problem: AbstractProblem) -> PyTree:
        """Initial parameters for ``model``."""


def orthonormal_columns(key: PRNGKeyArray, rows: int, cols: int) -> Float[Array, "rows cols"]:
    """A Haar-random matrix with orthonormal columns (QR of a Gaussian, signs fixed)."""
    q, r = jnp.linalg.qr(jax.random.normal(key, (rows, cols)))
    return q * jnp.sign(jnp.diagonal(r))
