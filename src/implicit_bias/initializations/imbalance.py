r"""An init with an exactly prescribed imbalance level."""

from typing import ClassVar, Literal

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray
from pydantic import Field, field_validator

from ..components import register, scalar
from ..models import AbstractModel, TwoLayerLinear
from ..problems import Regression
from ..random_matrices import orthonormal_columns
from ..theory.linear_networks import data_svd
from ._base import AbstractInitialization, InitSpec, require_width


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


@register
class ImbalanceSpec(InitSpec):
    """Θ(0) = 0 with λ_r(D) = level (> 0) or λ_m(−D) = −level (< 0) exactly."""

    models: ClassVar[tuple[type, ...]] = (TwoLayerLinear,)
    problems: ClassVar[tuple[type, ...]] = (Regression,)
    kind: Literal["imbalance"]
    level: float = Field(description="λ_r(D(0)) if > 0, or −λ_m(−D(0)) if < 0")

    @field_validator("level")
    @classmethod
    def _nonzero(cls, v):
        if v == 0:
            raise ValueError("must be nonzero (zero init is a saddle that never moves)")
        return v

    def build(self, model: AbstractModel, problem: Regression) -> Imbalance:
        if self.level > 0:
            require_width(model, problem.rank, "imbalance with level > 0", "rank X")
        else:
            require_width(model, model.output_dim, "imbalance with level < 0", "output_dim")
        return Imbalance(scalar(self.level))
