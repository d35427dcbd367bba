r"""Balanced init of a two-layer linear network: :math:`U^\top U = V^\top V`."""

import jax
import jax.numpy as jnp
from jaxtyping import PRNGKeyArray

from ..models import TwoLayerLinear
from ..problems import AbstractProblem
from ._base import AbstractInitialization, orthonormal_columns
from .gaussian import Gaussian


class Balanced(AbstractInitialization):
    r"""Same :math:`\Theta(0) = U_0V_0^\top` as the :class:`Gaussian` draw with the same key,
    refactored as :math:`\Theta(0) = ASB^\top` (thin SVD), :math:`U = AS^{1/2}Q^\top`,
    :math:`V = BS^{1/2}Q^\top` with :math:`Q` (h×m) Haar-orthonormal, so
    :math:`U^\top U = V^\top V = QSQ^\top`: the full imbalance is zero. Needs ``width ≥ output_dim``.
    """

    gaussian: Gaussian

    def __call__(self, key: PRNGKeyArray, model: TwoLayerLinear, problem: AbstractProblem) -> dict:
        # The Gaussian draw uses the run's key itself, so Θ(0) equals the Gaussian init's of the
        # same seed; Q gets a key derived from it.
        p = self.gaussian(key, model, problem)
        k_q = jax.random.fold_in(key, 1)
        A, s, Bt = jnp.linalg.svd(p["U"] @ p["V"].T, full_matrices=False)
        Q = orthonormal_columns(k_q, model.width, s.shape[0])
        root = jnp.sqrt(s)
        return {"U": (A * root) @ Q.T, "V": (Bt.T * root) @ Q.T}
