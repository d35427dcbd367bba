r"""Diagonal linear networks: a scalar linear predictor :math:`f(x) = \langle\beta, x\rangle`
whose weights :math:`\beta \in \mathbb{R}^n` are a coordinatewise polynomial of the parameters.

Two parametrizations (Woodworth et al. 2020, arXiv:1906.05827; Pesme, Pillaud-Vivien,
Flammarion 2021, arXiv:2106.09524), both with parameters ``{"u": (n,), "v": (n,)}``:

- ``"difference"``: :math:`\beta = u^{D} - v^{D}` (coordinatewise powers), depth D ≥ 2.
  Gradient flow with :math:`g = \nabla_\beta L` gives :math:`\dot u = -D g u^{D-1}`,
  :math:`\dot v = D g v^{D-1}`, so each coordinate conserves :math:`u v` (D = 2) or
  :math:`u^{2-D} + v^{2-D}` (D ≥ 3).
- ``"product"``: :math:`\beta = u \odot v` (depth 2). Gradient flow gives
  :math:`\dot u = -g v`, :math:`\dot v = -g u`, so :math:`u^2 - v^2` is conserved; with
  :math:`a = u + v`, :math:`b = u - v` each (S)GD step of size γ multiplies :math:`ab = u^2 - v^2`
  by :math:`1 - \gamma^2 g^2` exactly (the product identity of :mod:`implicit_bias.theory.diagonal`).

The two are one network in two coordinate systems: :math:`u_\pm = (u \pm v)/2` gives
:math:`uv = u_+^2 - u_-^2`, so ``product`` at time t is ``difference`` (D = 2) at time t/2, and the
``product`` imbalance :math:`u^2 - v^2 = 4u_+u_-` is four times the ``difference`` one.
"""

from typing import ClassVar, Literal

import equinox as eqx
from jaxtyping import Array, Float
from pydantic import Field

from ..components import register
from ..errors import SpecError
from ..problems import AbstractProblem
from ._base import AbstractLinearModel, ModelSpec

Params = dict[str, Float[Array, " n"]]
PARAMETRIZATIONS = ("difference", "product")


class DiagonalLinear(AbstractLinearModel):
    r"""Parameters ``{"u": (n,), "v": (n,)}``; :math:`f(x) = x^\top\beta`, β as in the module
    docstring. The output is scalar (``output_dim = 1``); the hidden width is n (one unit per
    coordinate), which is what :attr:`width` reports."""

    input_dim: int = eqx.field(static=True)
    depth: int = eqx.field(static=True, default=2)
    parametrization: Literal["difference", "product"] = eqx.field(static=True, default="difference")

    def __check_init__(self):
        if self.parametrization not in PARAMETRIZATIONS:
            raise ValueError(f"parametrization must be one of {PARAMETRIZATIONS}, got {self.parametrization!r}")
        if self.depth < 2 or (self.parametrization == "product" and self.depth != 2):
            raise ValueError(f"depth must be ≥ 2 (exactly 2 for 'product'), got {self.depth}")

    @property
    def width(self) -> int:
        return self.input_dim

    @property
    def output_dim(self) -> int:
        return 1

    def beta(self, params: Params) -> Float[Array, " n"]:
        u, v = params["u"], params["v"]
        if self.parametrization == "product":
            return u * v
        return u**self.depth - v**self.depth

    def predict(self, params: Params, x: Float[Array, "batch n"]) -> Float[Array, "batch 1"]:
        return (x @ self.beta(params))[:, None]

    def homogeneity(self) -> int:
        return self.depth  # u^D − v^D, and u⊙v (depth 2)

    def end_to_end(self, params: Params) -> Float[Array, "n 1"]:
        return self.beta(params)[:, None]

    def conserved(self, params: Params) -> dict[str, Float[Array, " n"]]:
        u, v = params["u"], params["v"]
        if self.parametrization == "product":
            return {"imbalance": u**2 - v**2}
        if self.depth == 2:
            return {"imbalance": u * v}
        return {"imbalance": u ** (2 - self.depth) + v ** (2 - self.depth)}

    def param_shapes(self) -> dict[str, tuple[int]]:
        return {"u": (self.input_dim,), "v": (self.input_dim,)}

@register
class DiagonalLinearSpec(ModelSpec):
    """Diagonal linear network β = u^D − v^D (or u⊙v), one output (Woodworth et al. 2020)."""

    examples: ClassVar[tuple[dict, ...]] = (
        {"problem": {"kind": "regression", "n_samples": 6, "input_dim": 9, "output_dim": 1, "data_seed": 3}, "model": {"kind": "diagonal_linear"}, "init": {"kind": "gaussian", "scale": 0.5}},
        {"problem": {"kind": "regression", "n_samples": 6, "input_dim": 9, "output_dim": 1, "data_seed": 3}, "model": {"kind": "diagonal_linear", "depth": 3}, "init": {"kind": "gaussian", "scale": 0.5}},
        {"problem": {"kind": "regression", "n_samples": 6, "input_dim": 9, "output_dim": 1, "data_seed": 3}, "model": {"kind": "diagonal_linear", "parametrization": "product"}, "init": {"kind": "gaussian", "scale": 0.5}},
    )
    kind: Literal["diagonal_linear"]
    depth: int = Field(2, ge=2, description="D in β = u^D − v^D (2 for 'product')")
    parametrization: Literal["difference", "product"] = "difference"

    def build(self, problem: AbstractProblem) -> DiagonalLinear:
        if self.parametrization == "product" and self.depth != 2:
            raise SpecError("model.depth", f"the product parametrization u⊙v has depth 2, got {self.depth}",
                            "set depth = 2, or parametrization = 'difference' for depth D")
        if problem.output_dim != 1:
            raise SpecError("problem.output_dim", f"a diagonal network has one output, the data have "
                            f"{problem.output_dim}", "set problem.output_dim = 1 (or give y as a vector)")
        return DiagonalLinear(problem.input_dim, self.depth, self.parametrization)
