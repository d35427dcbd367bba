r"""Symmetric (Burer–Monteiro) factorization :math:`\Theta = UU^\top` of a d×d PSD matrix."""

import equinox as eqx
from jaxtyping import Array, Float

from ._base import AbstractModel

Params = dict[str, Float[Array, "..."]]


class SymmetricFactorization(AbstractModel):
    r"""Parameters ``{"U": d×k}``, :math:`\Theta = UU^\top`, ``width = k``.

    ``k = d`` is the full-rank (overparametrized) factorization of Gunasekar et al. (2017);
    ``k = r`` constrains :math:`\operatorname{rank}\Theta \le r` for all time (Li, Ma, Zhang
    2018). :meth:`predict` applies Θ as a linear map (``x Θ``); sensing and completion read
    :meth:`end_to_end`. There is no conserved imbalance: with one factor,
    :math:`\tfrac{d}{dt}U^\top U = -4U^\top\nabla_\Theta L\,U` (for symmetric
    :math:`\nabla_\Theta L`) moves freely, so :meth:`conserved` is empty.
    """

    dim: int = eqx.field(static=True)
    width: int = eqx.field(static=True)

    def param_shapes(self) -> dict[str, tuple[int, int]]:
        return {"U": (self.dim, self.width)}

    def predict(self, params: Params, x: Float[Array, "batch d"]) -> Float[Array, "batch d"]:
        return (x @ params["U"]) @ params["U"].T

    def end_to_end(self, params: Params) -> Float[Array, "d d"]:
        return params["U"] @ params["U"].T


__all__ = ["SymmetricFactorization"]
