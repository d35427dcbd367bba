r"""Symmetric (Burer–Monteiro) factorization :math:`\Theta = UU^\top` of a d×d PSD matrix."""

from typing import ClassVar, Literal

import equinox as eqx
from jaxtyping import Array, Float
from pydantic import Field, PositiveInt

from ..components import register
from ..errors import SpecError
from ..problems import AbstractProblem
from ._base import AbstractLinearModel, ModelSpec

Params = dict[str, Float[Array, "..."]]


class SymmetricFactorization(AbstractLinearModel):
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


    @property
    def input_dim(self) -> int:
        return self.dim

    @property
    def output_dim(self) -> int:
        return self.dim

    def param_shapes(self) -> dict[str, tuple[int, int]]:
        return {"U": (self.dim, self.width)}

    def predict(self, params: Params, x: Float[Array, "batch d"]) -> Float[Array, "batch d"]:
        return (x @ params["U"]) @ params["U"].T

    def end_to_end(self, params: Params) -> Float[Array, "d d"]:
        return params["U"] @ params["U"].T

@register
class SymmetricFactorizationSpec(ModelSpec):
    """Θ = UUᵀ, U dim × width; square problems only (Gunasekar et al. 2017)."""

    examples: ClassVar[tuple[dict, ...]] = (
        {"problem": {"kind": "matrix_sensing", "dim": 4, "rank": 1, "n_measurements": 6}, "model": {"kind": "symmetric_factorization"}, "init": {"kind": "gaussian", "scale": 0.5}},
    )
    kind: Literal["symmetric_factorization"]
    width: PositiveInt | None = Field(None, description="columns of U; default dim (full rank)")

    def build(self, problem: AbstractProblem) -> SymmetricFactorization:
        n, m = problem.input_dim, problem.output_dim
        if n != m:
            raise SpecError("model.kind", f"Θ = UUᵀ is square but the problem asks for {n}×{m}",
                            "use a square problem (matrix_sensing) or another model")
        return SymmetricFactorization(n, self.width if self.width is not None else n)
