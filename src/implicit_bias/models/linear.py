r"""Linear predictor :math:`f(x) = w^\top x` (with m outputs, :math:`f(x) = W^\top x`)."""

from typing import ClassVar, Literal

import equinox as eqx
from jaxtyping import Array, Float

from ..components import register
from ..problems import AbstractProblem
from ._base import AbstractLinearModel, ModelSpec

Params = dict[str, Float[Array, "..."]]


class Linear(AbstractLinearModel):
    r"""Parameters ``{"w": n×m}``; :math:`f(x) = x w`, end to end :math:`w` itself.

    Homogeneous of degree 1. It has no hidden layer: ``width`` is 1, so an init's width
    exponent has no effect. The model of Soudry et al. (2018) on separable data.
    """

    input_dim: int = eqx.field(static=True)
    output_dim: int = eqx.field(static=True)
    width: int = eqx.field(static=True, default=1)

    def predict(self, params: Params, x: Float[Array, "batch n"]) -> Float[Array, "batch m"]:
        return x @ params["w"]

    def end_to_end(self, params: Params) -> Float[Array, "n m"]:
        return params["w"]

    def homogeneity(self) -> int:
        return 1

    def param_shapes(self) -> dict[str, tuple[int, int]]:
        return {"w": (self.input_dim, self.output_dim)}

@register
class LinearSpec(ModelSpec):
    """f(x) = xᵀw, no fields (the model of Soudry et al. 2018)."""

    examples: ClassVar[tuple[dict, ...]] = (
        {"problem": {"kind": "regression", "n_samples": 6, "input_dim": 9, "output_dim": 2, "data_seed": 3}, "model": {"kind": "linear"}, "init": {"kind": "gaussian", "scale": 0.5}},
    )
    kind: Literal["linear"]

    def build(self, problem: AbstractProblem) -> Linear:
        return Linear(problem.input_dim, problem.output_dim)
