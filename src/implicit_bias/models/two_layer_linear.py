r"""Two-layer linear network :math:`f(x) = V U^\top x`, end to end :math:`\Theta = U V^\top`."""

import equinox as eqx
from jaxtyping import Array, Float

from ._base import AbstractModel

Params = dict[str, Float[Array, "..."]]


class TwoLayerLinear(AbstractModel):
    r"""Parameters ``{"U": n×h, "V": m×h}``; :math:`f(x) = V U^\top x`.

    For any loss of :math:`\Theta = UV^\top`, gradient flow has
    :math:`\dot U = -\nabla_\Theta L\, V`, :math:`\dot V = -\nabla_\Theta L^\top U`, so
    :math:`\tfrac{d}{dt}(U^\top U - V^\top V) = 0`: the imbalance is conserved.
    """

    input_dim: int = eqx.field(static=True)
    output_dim: int = eqx.field(static=True)
    width: int = eqx.field(static=True)

    def predict(self, params: Params, x: Float[Array, "batch n"]) -> Float[Array, "batch m"]:
        # (x U) Vᵀ costs O(batch·n·h + batch·h·m), never forming the n×m product first.
        return (x @ params["U"]) @ params["V"].T

    def end_to_end(self, params: Params) -> Float[Array, "n m"]:
        return params["U"] @ params["V"].T

    def conserved(self, params: Params) -> dict[str, Float[Array, "h h"]]:
        U, V = params["U"], params["V"]
        return {"imbalance": U.T @ U - V.T @ V}

    def param_shapes(self) -> dict[str, tuple[int, int]]:
        return {"U": (self.input_dim, self.width), "V": (self.output_dim, self.width)}


__all__ = ["TwoLayerLinear"]
