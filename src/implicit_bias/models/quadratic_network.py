r"""Two-layer quadratic network :math:`f(x) = a\sum_{k\le p}\lambda_k^2`, :math:`\lambda_k = w_k\cdot x/\sqrt N`."""

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Float

from ._base import AbstractModel

Params = dict[str, Float[Array, "..."]]


class QuadraticNetwork(AbstractModel):
    r"""Parameters ``{"W": p×N}`` (rows :math:`w_k`, entries O(1)); fixed second layer
    ``output_scale`` (a): :math:`f(x) = a\lVert Wx\rVert^2/N = x^\top(aW^\top W/N)x`.

    The predictor is the quadratic form :math:`aW^\top W/N`; :meth:`end_to_end` returns its
    factor :math:`F = \sqrt{a/N}\,W` (p×N, so :math:`f(x) = \lVert Fx\rVert^2`), which is all a
    Gaussian population loss needs and never forms an N×N matrix. Since f depends on W only
    through :math:`W^\top W`, :math:`f_{OW} = f_W` for orthogonal O (p×p): a continuous
    symmetry for p > 1 (``shared/papers/quadratic-teacher-student.md``).
    """

    input_dim: int = eqx.field(static=True)
    width: int = eqx.field(static=True)
    output_scale: float = eqx.field(static=True, default=1.0)

    def predict(self, params: Params, x: Float[Array, "batch N"]) -> Float[Array, "batch 1"]:
        lam = x @ params["W"].T / jnp.sqrt(self.input_dim)
        return self.output_scale * jnp.sum(lam**2, axis=-1, keepdims=True)

    def end_to_end(self, params: Params) -> Float[Array, "p N"]:
        return jnp.sqrt(self.output_scale / self.input_dim) * params["W"]

    def param_shapes(self) -> dict[str, tuple[int, int]]:
        return {"W": (self.width, self.input_dim)}


__all__ = ["QuadraticNetwork"]
