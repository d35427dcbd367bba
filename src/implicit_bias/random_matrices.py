"""Random matrices shared by data generators and initializations."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray


def orthonormal_columns(key: PRNGKeyArray, rows: int, cols: int) -> Float[Array, "rows cols"]:
    """A Haar-random matrix with orthonormal columns (QR of a Gaussian, signs fixed)."""
    q, r = jnp.linalg.qr(jax.random.normal(key, (rows, cols)))
    return q * jnp.sign(jnp.diagonal(r))
