r"""Two-layer committee network :math:`f(x) = a\sum_{k\le p}g(\lambda_k)`, :math:`\lambda_k = w_k\cdot x/\sqrt N`,
with g quadratic (:math:`g(\lambda) = \lambda^2`) or erf (:math:`g(\lambda) = \operatorname{erf}(\lambda/\sqrt2)`,
the soft committee machine)."""

import equinox as eqx
import jax.numpy as jnp
from jax.scipy.special import erf
from jaxtyping import Array, Float

from ._base import AbstractModel

Params = dict[str, Float[Array, "..."]]

#: Hidden-unit activations g, shared by the student and the teacher of ``OnlineTeacherStudent``.
ACTIVATIONS = {"quadratic": lambda z: z**2, "erf": lambda z: erf(z / jnp.sqrt(2.0))}


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

    def predict(self, params: Params, x: Float[Array, "batch N"]) -> Float[Array, "batch 1"]:
        lam = x @ params["W"].T / jnp.sqrt(self.input_dim)
        return self.output_scale * jnp.sum(ACTIVATIONS[self.activation](lam), axis=-1, keepdims=True)

    def end_to_end(self, params: Params) -> Float[Array, "p N"]:
        return jnp.sqrt(self.output_scale / self.input_dim) * params["W"]

    def param_shapes(self) -> dict[str, tuple[int, int]]:
        return {"W": (self.width, self.input_dim)}


__all__ = ["ACTIVATIONS", "QuadraticNetwork"]
