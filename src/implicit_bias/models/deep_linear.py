r"""Deep linear network :math:`f(x) = x W_1 W_2 \cdots W_N`, end to end :math:`\Theta = W_1\cdots W_N`.

Conventions: layer :math:`W_j` is :math:`d_{j-1}\times d_j` with :math:`d_0 = n` (input) and
:math:`d_N = m` (output), so :math:`\Theta` is n×m as for every model here (predictions are
:math:`x\Theta`). Arora, Cohen, Hazan (2018) write :math:`W = W_N\cdots W_1` acting on column
vectors; their :math:`W_j` is our :math:`W_j^\top` and their W our :math:`\Theta^\top`, so
every formula transposes term by term (see :mod:`implicit_bias.theory.deep_linear`).

The model is loss-agnostic: problems read either :meth:`predict` (regression,
classification) or :meth:`end_to_end` (matrix sensing and completion, where a deep linear
network with n = m is the deep matrix factorization of Arora, Cohen, Hu, Luo 2019).
"""

from typing import ClassVar, Literal

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Float
from pydantic import Field, PositiveInt, model_validator

from ..components import register
from ..problems import AbstractProblem
from ._base import AbstractLinearModel, ModelSpec

Params = dict[str, Float[Array, "..."]]


class DeepLinear(AbstractLinearModel):
    r"""Parameters ``{"W1": n×d₁, …, "WN": d_{N−1}×m}`` with hidden widths
    ``hidden = (d₁, …, d_{N−1})``; depth :math:`N = \text{len(hidden)} + 1 \ge 2`.

    For any loss of :math:`\Theta`, gradient flow has
    :math:`\dot W_j = -(W_1\cdots W_{j-1})^\top\nabla_\Theta L\,(W_{j+1}\cdots W_N)^\top`, so
    :math:`\tfrac{d}{dt}(W_j^\top W_j - W_{j+1}W_{j+1}^\top) = 0` for j = 1…N−1: the
    balancedness (Arora et al. 2018, Thm. 1) is conserved. ``width`` is the smallest hidden width.
    ``hidden = ()`` is depth 1, the plain linear model Θ = W₁ (width min(n, m)): the theory uses
    it to differentiate a loss with respect to Θ itself.
    """

    input_dim: int = eqx.field(static=True)
    output_dim: int = eqx.field(static=True)
    hidden: tuple[int, ...] = eqx.field(static=True)

    @property
    def width(self) -> int:
        return min(self.hidden, default=min(self.input_dim, self.output_dim))

    @property
    def depth(self) -> int:
        return len(self.hidden) + 1

    @property
    def names(self) -> tuple[str, ...]:
        """Layer names in product order ``W1 … WN``."""
        return tuple(f"W{j}" for j in range(1, self.depth + 1))

    def param_shapes(self) -> dict[str, tuple[int, int]]:
        dims = (self.input_dim, *self.hidden, self.output_dim)
        return {name: (dims[j], dims[j + 1]) for j, name in enumerate(self.names)}

    def predict(self, params: Params, x: Float[Array, "batch n"]) -> Float[Array, "batch m"]:
        # Left to right: each step costs B·d_{j−1}·d_j, never forming Θ (cheaper for small batches
        # and equal otherwise up to the order of summation).
        for name in self.names:
            x = x @ params[name]
        return x

    def homogeneity(self) -> int:
        return len(self.names)  # one factor of c per layer

    def end_to_end(self, params: Params) -> Float[Array, "n m"]:
        theta = params[self.names[0]]
        for name in self.names[1:]:
            theta = theta @ params[name]
        return theta

    def conserved(self, params: Params) -> dict[str, Float[Array, " k"]]:
        r"""``balancedness``: the N−1 matrices :math:`W_j^\top W_j - W_{j+1}W_{j+1}^\top`,
        flattened and concatenated (their widths may differ), so its drift is the Frobenius norm
        over all of them."""
        layers = [params[name] for name in self.names]
        gaps = [(a.T @ a - b @ b.T).ravel() for a, b in zip(layers[:-1], layers[1:])]
        return {"balancedness": jnp.concatenate(gaps)}

@register
class DeepLinearSpec(ModelSpec):
    """Deep linear network Θ = W₁⋯W_N; with a sensing or completion problem, deep matrix
    factorization."""

    examples: ClassVar[tuple[dict, ...]] = (
        {"problem": {"kind": "regression", "n_samples": 6, "input_dim": 9, "output_dim": 2, "data_seed": 3}, "model": {"kind": "deep_linear", "depth": 3, "widths": [4, 6]}, "init": {"kind": "gaussian", "scale": 0.5}},
    )
    kind: Literal["deep_linear"]
    depth: int = Field(ge=2, description="number of layers N")
    width: PositiveInt | None = Field(None, description="every hidden width (give this or widths)")
    widths: list[PositiveInt] | None = Field(None, description="hidden widths d₁…d_{N−1}")

    @model_validator(mode="after")
    def _widths(self):
        if (self.width is None) == (self.widths is None):
            raise ValueError("give exactly one of width (all hidden layers) and widths (one per hidden layer)")
        if self.widths is not None and len(self.widths) != self.depth - 1:
            raise ValueError(f"depth {self.depth} needs {self.depth - 1} hidden widths, got {len(self.widths)}")
        return self

    def build(self, problem: AbstractProblem) -> DeepLinear:
        hidden = tuple(self.widths) if self.widths is not None else (self.width,) * (self.depth - 1)
        return DeepLinear(problem.input_dim, problem.output_dim, hidden)
