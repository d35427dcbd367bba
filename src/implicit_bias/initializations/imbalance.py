r"""An init with an exactly prescribed imbalance level."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from ..models import TwoLayerLinear
from ..problems import Regression
from ..theory.linear_networks import data_svd
from ._base import AbstractInitialization, orthonormal_columns


class Imbalance(AbstractInitialization):
    r"""Θ(0) = 0 with the paper's imbalance :math:`D(0) = \pm\,|\text{level}|\,QQ^\top`.

    ``level > 0``: :math:`U = \sqrt{\text{level}}\,\Phi_1 O Q^\top` (O an r×r rotation, Q h×r
    orthonormal), V = 0, so :math:`D = \text{level}\cdot QQ^\top`, :math:`\lambda_r(D) = \text{level}`
    and :math:`\Delta(0) = \text{level}` exactly. ``level < 0``: U = 0,
    :math:`V = \sqrt{|\text{level}|}\,OQ^\top` (Q h×m), so :math:`\lambda_m(-D) = |\text{level}|`.
    Either way :math:`U_2(0) = 0` (invariant set) and the margin is zero, so the rate theorem
    predicts :math:`L - L^* \le e^{-2\lambda_r(\Sigma)|\text{level}|t}(L(0) - L^*)`. Θ(0) = 0 is not
    a saddle here: one factor is nonzero, so the other gets a nonzero gradient.
    Needs ``width ≥ rank X`` (level > 0) or ``width ≥ output_dim`` (level < 0).
    """

    level: Float[Array, ""]

    def __call__(self, key: PRNGKeyArray, model: TwoLayerLinear, problem: Regression) -> dict:
        k_o, k_q = jax.random.split(key)
        r, m, h = problem.rank, model.output_dim, model.width
        root = jnp.sqrt(jnp.abs(self.level))
        positive = self.level > 0
        U = data_svd(problem).Phi1 @ orthonormal_columns(k_o, r, r) @ orthonormal_columns(k_q, h, r).T
        V = orthonormal_columns(k_o, m, m) @ orthonormal_columns(k_q, h, m).T
        return {"U": jnp.where(positive, root, 0.0) * U, "V": jnp.where(positive, 0.0, root) * V}
