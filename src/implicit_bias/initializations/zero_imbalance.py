r"""The paper's zero-imbalance init :math:`D = U_1^\top U_1 - V^\top V = 0` at a given Θ(0)."""

from typing import ClassVar, Literal

import jax
import jax.numpy as jnp
from jaxtyping import PRNGKeyArray

from ..components import register
from ..errors import SpecError
from ..models import AbstractModel, TwoLayerLinear
from ..problems import Regression
from ..random_matrices import orthonormal_columns
from ..theory.linear_networks import data_svd
from ._base import AbstractInitialization, require_width
from .gaussian import Gaussian, GaussianFields


class ZeroImbalance(AbstractInitialization):
    r"""Min et al.'s experiment-2 "balanced" init with the same Θ(0) as the Gaussian draw:
    :math:`M = \Theta_0^\top\Phi_1\Phi_1^\top\Theta_0`, :math:`U = \Theta_0 M^{-1/4}Q^\top`,
    :math:`V = M^{1/4}Q^\top`, :math:`Q^\top Q = I_m`. Then :math:`UV^\top = \Theta_0` and
    :math:`U_1^\top U_1 = V^\top V = QM^{1/2}Q^\top`, so the paper's imbalance D vanishes
    (the full :math:`U^\top U - V^\top V = U_2^\top U_2` need not). Needs M invertible, i.e.
    :math:`\Phi_1^\top\Theta_0` of rank m (true a.s. for r ≥ m).
    """

    gaussian: Gaussian

    def __call__(self, key: PRNGKeyArray, model: TwoLayerLinear, problem: Regression) -> dict:
        # The Gaussian draw uses the run's key itself, so Θ(0) equals the Gaussian init's of the
        # same seed; Q gets a key derived from it.
        p = self.gaussian(key, model, problem)
        k_q = jax.random.fold_in(key, 1)
        theta0 = p["U"] @ p["V"].T
        projected = data_svd(problem).Phi1.T @ theta0
        vals, vecs = jnp.linalg.eigh(projected.T @ projected)
        quarter = (vecs * vals**0.25) @ vecs.T
        inv_quarter = (vecs * vals**-0.25) @ vecs.T
        Q = orthonormal_columns(k_q, model.width, model.output_dim)
        return {"U": theta0 @ inv_quarter @ Q.T, "V": quarter @ Q.T}


@register
class ZeroImbalanceSpec(GaussianFields):
    """As gaussian; the same Θ(0), refactored so the paper's D = U₁ᵀU₁ − VᵀV = 0."""

    models: ClassVar[tuple[type, ...]] = (TwoLayerLinear,)
    problems: ClassVar[tuple[type, ...]] = (Regression,)
    kind: Literal["zero_imbalance"]

    def build(self, model: AbstractModel, problem: Regression) -> ZeroImbalance:
        require_width(model, model.output_dim, "zero_imbalance", "output_dim")
        if problem.rank < model.output_dim:
            raise SpecError("init.kind", f"zero_imbalance needs rank X ≥ output_dim, got {problem.rank}",
                            "use more samples or the 'balanced' init")
        return ZeroImbalance(self.gaussian())
