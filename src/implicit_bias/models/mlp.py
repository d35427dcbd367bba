r"""Fully connected network of any depth and width in the NTK parametrization,
:math:`h_0 = x,\ h_l = \sigma(W_l h_{l-1}/\sqrt{n_{l-1}})\ (l \le D),\ f(x) = W_{D+1} h_D/\sqrt{n_D}`.

D = ``depth`` hidden layers of ``width`` units, no biases, :math:`n_0` the input dimension. With
the 1/√fan-in factors in the forward pass, i.i.d. N(0, 1) weights (``init = { kind = "gaussian" }``)
are the standard ("LeCun") scale at any width, and gradient flow's time scale does not depend on
it (Jacot et al. 2018). Parameters ``{"W1": n₁×n₀, …, "W{D+1}": m×n_D}``.

With ReLU the network is positively (D+1)-homogeneous (:meth:`MLP.homogeneity`) and every hidden
unit's rescaling :math:`(w_{in}, w_{out}) \mapsto (c\,w_{in}, w_{out}/c)` leaves f unchanged, so
gradient flow conserves its balance :math:`\lVert w_{in}\rVert^2 - \lVert w_{out}\rVert^2` (Du, Hu &
Lee 2018; :meth:`MLP.conserved`). Tanh has neither.
"""

from typing import ClassVar, Literal

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float
from pydantic import Field, PositiveInt

from ..components import register
from ..problems import AbstractProblem
from ._base import AbstractModel, ModelSpec

Params = dict[str, Float[Array, "..."]]

#: Hidden-layer nonlinearities; ReLU is the positively homogeneous one.
ACTIVATIONS = {"relu": jax.nn.relu, "tanh": jnp.tanh}


class MLP(AbstractModel):
    """``depth`` hidden layers of ``width`` units with ``activation``, a linear read-out."""

    input_dim: int = eqx.field(static=True)
    output_dim: int = eqx.field(static=True)
    width: int = eqx.field(static=True)
    depth: int = eqx.field(static=True, default=1)
    activation: str = eqx.field(static=True, default="relu")

    def __check_init__(self):
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {tuple(ACTIVATIONS)}, got {self.activation!r}")

    @property
    def layers(self) -> list[str]:
        return [f"W{layer}" for layer in range(1, self.depth + 2)]

    def param_shapes(self) -> dict[str, tuple[int, int]]:
        sizes = [self.input_dim, *[self.width] * self.depth, self.output_dim]
        return {name: (fan_out, fan_in) for name, fan_in, fan_out in zip(self.layers, sizes, sizes[1:])}

    def predict(self, params: Params, x: Float[Array, "batch n"]) -> Float[Array, "batch m"]:
        sigma = ACTIVATIONS[self.activation]
        h = x
        for name in self.layers:
            W = params[name]
            h = h @ W.T / jnp.sqrt(jnp.asarray(W.shape[1], W.dtype))
            if name != self.layers[-1]:
                h = sigma(h)
        return h

    def end_to_end(self, params: Params) -> Float[Array, "P 1"]:
        """Every weight, layer by layer (W1 first), each flattened row-major, as one column: f
        is a function of it (there is no smaller array that determines a nonlinear net)."""
        return jnp.concatenate([params[name].ravel() for name in self.layers])[:, None]

    def conserved(self, params: Params) -> dict[str, Float[Array, " units"]]:
        if self.activation != "relu":
            return {}
        # Unit j of hidden layer l: its incoming row of W_l against its outgoing column of W_{l+1}.
        return {"unit_balance": jnp.concatenate([
            jnp.sum(params[inner] ** 2, axis=1) - jnp.sum(params[outer] ** 2, axis=0)
            for inner, outer in zip(self.layers, self.layers[1:])])}

    def homogeneity(self) -> int | None:
        # ReLU(cz) = c ReLU(z) for c > 0, and each of the D + 1 weight matrices contributes one c.
        return self.depth + 1 if self.activation == "relu" else None


@register
class MLPSpec(ModelSpec):
    """Fully connected net, `depth` hidden layers of `width` units (ReLU or tanh, no biases), NTK
    parametrization: N(0, 1) weights are the standard scale at any width."""

    # Small enough for the common checks: GF through ReLU kinks crawls (a depth-3 net on 6 samples
    # took 100 s to conserve its balances at rtol 1e-11; on 3 samples, 6 s).
    examples: ClassVar[tuple[dict, ...]] = tuple(
        {"problem": {"kind": "regression", "n_samples": n, "input_dim": 5, "output_dim": output_dim, "data_seed": 3},
         "model": {"kind": "mlp", "width": 4, "depth": depth, "activation": activation},
         "init": {"kind": "gaussian", "scale": 1.0}}
        for depth, activation, output_dim, n in ((1, "relu", 1, 6), (3, "relu", 1, 3), (2, "tanh", 2, 6)))
    kind: Literal["mlp"]
    width: PositiveInt = Field(description="units per hidden layer")
    depth: PositiveInt = Field(1, description="number of hidden layers D (D + 1 weight matrices)")
    activation: Literal[tuple(ACTIVATIONS)] = "relu"

    def build(self, problem: AbstractProblem) -> MLP:
        return MLP(problem.input_dim, problem.output_dim, self.width, self.depth, self.activation)
