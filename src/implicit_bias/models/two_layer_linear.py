r"""Two-layer linear network :math:`f(x) = V U^\top x`, end to end :math:`\Theta = U V^\top`."""

from typing import ClassVar, Literal

import equinox as eqx
from jaxtyping import Array, Float
from pydantic import PositiveInt

from ..components import register
from ..problems import AbstractProblem
from ._base import AbstractLinearModel, ModelSpec

Params = dict[str, Float[Array, "..."]]


class TwoLayerLinear(AbstractLinearModel):
    r"""Parameters ``{"U": n×h, "V": m×h}``; :math:`f(x) = V U^\top x`.

    For any loss of :math:`\Theta = UV^\top`, gradient flow has
    :math:`\dot U = -\nabla_\Theta L\, V`, :math:`\dot V = -\nabla_\Theta L^\top U`, so
    :math:`\tfrac{d}{dt}(U^\top U - V^\top V) = 0`: the imbalance is conserved.
    """

    input_dim: int = eqx.field(static=True)
    output_dim: int = eqx.field(static=True)
    width: int = eqx.field(static=True)

    def predict(self, params: Params, x: Float[Array, "batch n"]) -> Float[Array, "batch m"]:
        # Multiply in the cheaper order, chosen from the static shapes: (xU)Vᵀ costs
        # B·h·(n + m), x(UVᵀ) costs n·h·m + B·n·m. With few outputs (m ≪ B) forming Θ first
        # is ~10× cheaper (benchmarks/gd_vs_numpy.py); with many outputs the other way round.
        B, n, h, m = x.shape[0], self.input_dim, self.width, self.output_dim
        if B * h * (n + m) <= n * h * m + B * n * m:
            return (x @ params["U"]) @ params["V"].T
        return x @ (params["U"] @ params["V"].T)

    def end_to_end(self, params: Params) -> Float[Array, "n m"]:
        return params["U"] @ params["V"].T

    def conserved(self, params: Params) -> dict[str, Float[Array, "h h"]]:
        U, V = params["U"], params["V"]
        return {"imbalance": U.T @ U - V.T @ V}

    def homogeneity(self) -> int:
        return 2

    def param_shapes(self) -> dict[str, tuple[int, int]]:
        return {"U": (self.input_dim, self.width), "V": (self.output_dim, self.width)}

@register
class TwoLayerLinearSpec(ModelSpec):
    """Two-layer linear network f(x) = VUᵀx, Θ = UVᵀ (Min et al. 2021)."""

    examples: ClassVar[tuple[dict, ...]] = (
        {"problem": {"kind": "regression", "n_samples": 6, "input_dim": 9, "output_dim": 2, "data_seed": 3}, "model": {"kind": "two_layer_linear", "width": 5}, "init": {"kind": "gaussian", "scale": 0.5}},
        {"problem": {"kind": "regression", "n_samples": 6, "input_dim": 9, "output_dim": 2, "data_seed": 3}, "model": {"kind": "two_layer_linear", "width": 30}, "init": {"kind": "gaussian", "scale": 0.5}},
    )
    kind: Literal["two_layer_linear"]
    width: PositiveInt

    def build(self, problem: AbstractProblem) -> TwoLayerLinear:
        return TwoLayerLinear(problem.input_dim, problem.output_dim, self.width)
