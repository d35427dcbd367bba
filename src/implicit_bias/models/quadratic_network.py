r"""Two-layer committee network :math:`f(x) = a\sum_{k\le p}g(\lambda_k)`, :math:`\lambda_k = w_k\cdot x/\sqrt N`,
with g quadratic (:math:`g(\lambda) = \lambda^2`) or erf (:math:`g(\lambda) = \operatorname{erf}(\lambda/\sqrt2)`,
the soft committee machine)."""

from typing import ClassVar, Literal

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Float
from pydantic import Field, PositiveFloat, PositiveInt

from ..activations import ACTIVATIONS
from ..components import register
from ..problems import OnlineTeacherStudent
from ._base import AbstractModel, ModelSpec

Params = dict[str, Float[Array, "..."]]


class QuadraticNetwork(AbstractModel):
    r"""Parameters ``{"W": p×N}`` (rows :math:`w_k`, entries O(1)); fixed second layer
    ``output_scale`` (a); ``activation`` g, quadratic by default.

    Quadratic g: :math:`f(x) = a\lVert Wx\rVert^2/N = x^\top(aW^\top W/N)x`, the quadratic form
    :math:`aW^\top W/N`; :meth:`end_to_end` returns its factor :math:`F = \sqrt{a/N}\,W` (p×N, so
    :math:`f(x) = \lVert Fx\rVert^2`), which is all a Gaussian population loss needs and never
    forms an N×N matrix. Since f depends on W only through :math:`W^\top W`, :math:`f_{OW} = f_W`
    for orthogonal O (p×p): a continuous symmetry for p > 1
    (``shared/papers/quadratic-teacher-student.md``). Erf g: the predictor is not a quadratic form;
    :meth:`end_to_end` returns the same F, from which the overlaps :math:`Q = FF^\top/a` follow
    (only permutations of the units are symmetries).
    """

    input_dim: int = eqx.field(static=True)
    width: int = eqx.field(static=True)
    output_scale: float = eqx.field(static=True, default=1.0)
    activation: str = eqx.field(static=True, default="quadratic")


    @property
    def output_dim(self) -> int:
        return 1

    def predict(self, params: Params, x: Float[Array, "batch N"]) -> Float[Array, "batch 1"]:
        lam = x @ params["W"].T / jnp.sqrt(self.input_dim)
        return self.output_scale * jnp.sum(ACTIVATIONS[self.activation](lam), axis=-1, keepdims=True)

    def end_to_end(self, params: Params) -> Float[Array, "p N"]:
        return jnp.sqrt(self.output_scale / self.input_dim) * params["W"]

    def param_shapes(self) -> dict[str, tuple[int, int]]:
        return {"W": (self.width, self.input_dim)}

@register
class QuadraticNetworkSpec(ModelSpec):
    """Committee network ŷ = a Σ_k g(w_k·x/√N), g the problem's ``activation`` (ν² by default)."""

    problems: ClassVar[tuple[type, ...]] = (OnlineTeacherStudent,)
    examples: ClassVar[tuple[dict, ...]] = (
        {"problem": {"kind": "online_teacher_student", "input_dim": 8, "teacher_width": 2}, "model": {"kind": "quadratic_network", "width": 3}, "init": {"kind": "gaussian", "scale": 0.5}},
    )
    kind: Literal["quadratic_network"]
    width: PositiveInt = Field(description="p, the student's hidden units")
    output_scale: PositiveFloat | Literal["1/width"] = Field(1.0, description="a; '1/width' for 1/p")

    def build(self, problem: OnlineTeacherStudent) -> QuadraticNetwork:
        a = 1.0 / self.width if self.output_scale == "1/width" else self.output_scale
        return QuadraticNetwork(problem.input_dim, self.width, a, problem.activation)
