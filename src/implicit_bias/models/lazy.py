r"""Lazy training (Chizat, Oyallon & Bach 2019): any model scaled by α around its init, and its
linearization there.

For a model :math:`f(w; x)` and its init :math:`w_0`, the *scaled* model is
:math:`\alpha\,(f(w) - f(w_0))` (``center=True``) or :math:`\alpha f(w)` (``center=False``, for a
paired init with :math:`f(w_0) = 0`), and the *linearized* model replaces f by its first-order
Taylor expansion :math:`\bar f(w) = f(w_0) + Df(w_0)(w - w_0)` (one ``jax.jvp``). Chizat et al.
train on :math:`L/\alpha^2`; gradient flow on :math:`L/\alpha^2` for a time T is gradient flow on L
for the time :math:`T/\alpha^2` (the velocity is 1/α² times as large), which is how specs run it:
``t_max = T/α²``. The gap between the two trained predictors is then O(1/α) (their Thm. 2.3), and
O(1/α²) for a paired init (the second-order term of f around a paired init cancels; README).

Parameters ``{"w": f's parameters, "w0": the init}``: :meth:`predict` stops the gradient of w0,
so every dynamics leaves it where it started (the init draws w and copies it, see
:class:`~implicit_bias.initializations.AtInit`). Works for any model through its
:meth:`~AbstractModel.predict`; neither f nor the dynamics know about it.
"""

from typing import ClassVar, Literal

import equinox as eqx
import jax
import jax.flatten_util
import jax.numpy as jnp
from jaxtyping import Array, Float, PyTree
from pydantic import Field, PositiveFloat

from ..components import Section, register
from ..problems import AbstractProblem
from ._base import AbstractModel, ModelSpec


class LazyModel(AbstractModel):
    r""":math:`\alpha\,(g(w) - [\text{center}]\,f(w_0))` with g = f (``linearized=False``) or
    g = f's linearization at w0 (``linearized=True``)."""

    base: AbstractModel
    alpha: float = eqx.field(static=True)
    center: bool = eqx.field(static=True, default=True)
    linearized: bool = eqx.field(static=True, default=False)

    @property
    def width(self) -> int:
        return self.base.width

    @property
    def input_dim(self) -> int:
        return self.base.input_dim

    @property
    def output_dim(self) -> int:
        return self.base.output_dim

    def _output(self, params: PyTree, x: Float[Array, "batch n"]) -> Float[Array, "batch m"]:
        w0 = jax.lax.stop_gradient(params["w0"])
        if not self.linearized:
            return self.base.predict(params["w"], x)
        displacement = jax.tree.map(jnp.subtract, params["w"], w0)
        at_init, change = jax.jvp(lambda w: self.base.predict(w, x), (w0,), (displacement,))
        return at_init + change

    def predict(self, params: PyTree, x: Float[Array, "batch n"]) -> Float[Array, "batch m"]:
        output = self._output(params, x)
        if self.center:
            output = output - self.base.predict(jax.lax.stop_gradient(params["w0"]), x)
        return self.alpha * output

    def end_to_end(self, params: PyTree) -> Float[Array, "2 P"]:
        """Rows: w and w0 flattened (the predictor is a function of both; :meth:`unflatten` inverts)."""
        return jnp.stack([jax.flatten_util.ravel_pytree(params[k])[0] for k in ("w", "w0")])

    def unflatten(self, rows: Float[Array, "2 P"], like: PyTree) -> PyTree:
        """Parameters from :meth:`end_to_end`'s rows, shaped like ``like`` (any parameters of f)."""
        unravel = jax.flatten_util.ravel_pytree(like)[1]
        return {"w": unravel(jnp.asarray(rows[0])), "w0": unravel(jnp.asarray(rows[1]))}

    def param_shapes(self) -> dict[str, dict[str, tuple[int, ...]]]:
        shapes = self.base.param_shapes()
        return {"w": shapes, "w0": shapes}


@register
class LazySpec(ModelSpec):
    """Any model scaled by α around its init, α(f(w) − f(w₀)), or its linearization there
    (Chizat et al. 2019). Their loss L/α² is a time change: run to ``t_max = T/α²``. The
    ``[init]`` table is the base model's init; w₀ is kept in the parameters (``{w, w0}``)."""

    examples: ClassVar[tuple[dict, ...]] = (
        {"problem": {"kind": "regression", "n_samples": 6, "input_dim": 9, "output_dim": 2, "data_seed": 3}, "model": {"kind": "lazy", "alpha": 2.0, "base": {"kind": "two_layer_linear", "width": 5}}, "init": {"kind": "gaussian", "scale": 0.5}},
    )
    kind: Literal["lazy"]
    base: Section("model") = Field(description="the model f that is scaled (its own model table)")
    alpha: PositiveFloat = Field(description="the scale α; train for t_max = T/α² (the loss L/α² of Chizat et al.)")
    center: bool = Field(True, description="α(f(w) − f(w₀)); false: αf(w), for a paired init with f(w₀) = 0")
    linearized: bool = Field(False, description="replace f by its linearization at w₀ (one jvp)")

    def build(self, problem: AbstractProblem) -> LazyModel:
        return LazyModel(self.base.build(problem), float(self.alpha), self.center, self.linearized)
