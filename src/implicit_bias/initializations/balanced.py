r"""Balanced init of a linear network: consecutive layers have equal Gram matrices."""

from typing import ClassVar, Literal

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from ..components import register
from ..models import AbstractModel, DeepLinear, TwoLayerLinear
from ..problems import AbstractProblem
from ..random_matrices import orthonormal_columns
from ._base import AbstractInitialization, require_width
from .gaussian import Gaussian, GaussianFields


def balanced_layers(key: PRNGKeyArray, A: Float[Array, "n k"], s: Float[Array, " k"], B: Float[Array, "m k"],
                    hidden: tuple[int, ...]) -> list[Float[Array, "..."]]:
    r"""Layers :math:`W_1\cdots W_N = A\,\mathrm{diag}(s)\,B^\top` (N = len(hidden) + 1) with
    :math:`W_j^\top W_j = W_{j+1}W_{j+1}^\top` for every j:
    :math:`W_1 = AS^{1/N}Q_1^\top`, :math:`W_j = Q_{j-1}S^{1/N}Q_j^\top`,
    :math:`W_N = Q_{N-1}S^{1/N}B^\top`, with :math:`Q_j` (``hidden[j−1]``×k) Haar-orthonormal
    drawn from ``fold_in(key, j)``. Needs every hidden width ≥ k."""
    root = s ** (1.0 / (len(hidden) + 1))
    Qs = [orthonormal_columns(jax.random.fold_in(key, j), h, s.shape[0]) for j, h in enumerate(hidden, start=1)]
    lefts, rights = [A, *Qs], [*Qs, B]
    return [(left * root) @ right.T for left, right in zip(lefts, rights)]


def as_params(model: TwoLayerLinear | DeepLinear, layers: list[Float[Array, "..."]]) -> dict:
    """Layers in product order as ``model``'s parameters (``U = W₁``, ``V = W₂ᵀ`` for two layers)."""
    if isinstance(model, TwoLayerLinear):
        return {"U": layers[0], "V": layers[1].T}
    return dict(zip(model.names, layers))


def hidden_widths(model: TwoLayerLinear | DeepLinear) -> tuple[int, ...]:
    return (model.width,) if isinstance(model, TwoLayerLinear) else model.hidden


class Balanced(AbstractInitialization):
    r"""Same :math:`\Theta(0)` as the :class:`Gaussian` draw with the same key, refactored
    through its thin SVD :math:`\Theta(0) = ASB^\top` (top k = min(n, m, width) values; the
    draw has rank ≤ width) by :func:`balanced_layers`. For two layers :math:`U = AS^{1/2}Q^\top`,
    :math:`V = BS^{1/2}Q^\top`, so :math:`U^\top U = V^\top V = QSQ^\top`: the full imbalance
    is zero. For N layers this is Arora, Cohen, Hu, Luo's (2019) balanced init, from which the
    end-to-end matrix follows its own ODE (:mod:`implicit_bias.theory.deep_linear`).
    """

    gaussian: Gaussian

    def __call__(self, key: PRNGKeyArray, model: TwoLayerLinear | DeepLinear, problem: AbstractProblem) -> dict:
        # The Gaussian draw uses the run's key itself, so Θ(0) equals the Gaussian init's of the
        # same seed; the Q's get keys derived from it.
        hidden = hidden_widths(model)
        A, s, Bt = jnp.linalg.svd(model.end_to_end(self.gaussian(key, model, problem)), full_matrices=False)
        k = min(s.shape[0], *hidden)
        return as_params(model, balanced_layers(key, A[:, :k], s[:k], Bt[:k].T, hidden))


@register
class BalancedSpec(GaussianFields):
    """As gaussian; the same Θ(0), refactored so every layer is balanced (UᵀU = VᵀV)."""

    models: ClassVar[tuple[type, ...]] = (TwoLayerLinear, DeepLinear)
    kind: Literal["balanced"]

    def build(self, model: AbstractModel, problem: AbstractProblem) -> Balanced:
        require_width(model, model.output_dim, "balanced", "output_dim")
        return Balanced(self.gaussian())
