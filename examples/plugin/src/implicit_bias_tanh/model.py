r"""Two-layer tanh network :math:`f(x) = a\tanh(Wx)/\sqrt h` (h hidden units)."""

from typing import ClassVar, Literal

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Float
from pydantic import PositiveInt

import implicit_bias as ib
from implicit_bias.models import AbstractModel, ModelSpec
from implicit_bias.problems import AbstractProblem

Params = dict[str, Float[Array, "..."]]


class TwoLayerTanh(AbstractModel):
    r"""Parameters ``{"W": h×n, "a": m×h}``; :math:`f(x) = a\tanh(Wx)/\sqrt h`.

    Not homogeneous and with no conserved quantity (tanh is not positively homogeneous, so the
    per-neuron balance :math:`a_k^2 - \lVert w_k\rVert^2` of ReLU nets moves). Near a small init
    :math:`\tanh z\approx z` and it trains like the two-layer linear net.
    """

    input_dim: int = eqx.field(static=True)
    output_dim: int = eqx.field(static=True)
    width: int = eqx.field(static=True)

    def predict(self, params: Params, x: Float[Array, "batch n"]) -> Float[Array, "batch m"]:
        return jnp.tanh(x @ params["W"].T) @ params["a"].T / jnp.sqrt(self.width)

    def end_to_end(self, params: Params) -> Float[Array, "h m+n"]:
        """One row (a_k, w_k) per hidden unit: the predictor is a function of these rows."""
        return jnp.concatenate([params["a"].T, params["W"]], axis=1)

    def param_shapes(self) -> dict[str, tuple[int, int]]:
        return {"W": (self.width, self.input_dim), "a": (self.output_dim, self.width)}


@ib.register
class TwoLayerTanhSpec(ModelSpec):
    """Two-layer tanh network f(x) = a tanh(Wx)/√h (the implicit-bias-tanh plugin)."""

    examples: ClassVar[tuple[dict, ...]] = (
        {"problem": {"kind": "regression", "n_samples": 6, "input_dim": 5, "output_dim": 2},
         "model": {"kind": "two_layer_tanh", "width": 8}, "init": {"kind": "gaussian", "scale": 0.5}},
    )
    kind: Literal["two_layer_tanh"]
    width: PositiveInt

    def build(self, problem: AbstractProblem) -> TwoLayerTanh:
        return TwoLayerTanh(problem.input_dim, problem.output_dim, self.width)
