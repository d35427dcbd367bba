r"""Two-layer ReLU network in the NTK parametrization,
:math:`f(x) = \sum_{k\le m} \frac{a_k}{\sqrt m}\,\mathrm{ReLU}(w_k^\top\tilde x)`.

:math:`\tilde x = (x, 1)` when the bias is an input (Satpathi & Srikant), else :math:`\tilde x = x`
(Du et al., Arora et al.). Parameters ``{"W": m×d̃, "a": m}``; the output weights are fixed
(the papers' setting: they get no gradient) unless ``train_outer``.

With ``train_outer=True`` f is positively 2-homogeneous in (a, W) (:meth:`homogeneity`; a bias
input is one more column of W); ``bias=False, train_outer=True`` is *the* homogeneous two-layer ReLU
net of Lyu & Li. Gradient flow on any loss of f conserves every neuron's
balance :math:`a_k^2 - \lVert w_k\rVert^2` (reported by :meth:`conserved`).
"""

from typing import ClassVar, Literal

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float
from pydantic import Field, PositiveInt

from ..components import register
from ..errors import SpecError
from ..problems import AbstractProblem
from ._base import AbstractModel, ModelSpec

Params = dict[str, Float[Array, "..."]]


class TwoLayerReLU(AbstractModel):
    r"""``input_dim`` is d (the data's columns); the first layer acts on d̃ = d + bias inputs.

    The output weights sit in the parameters even when fixed so that one init draws them and
    one pytree carries them; when fixed, :meth:`predict` stops their gradient, so every
    dynamics leaves them exactly where they started.
    """

    input_dim: int = eqx.field(static=True)
    width: int = eqx.field(static=True)
    bias: bool = eqx.field(static=True, default=True)
    train_outer: bool = eqx.field(static=True, default=False)


    @property
    def output_dim(self) -> int:
        return 1

    @property
    def augmented_dim(self) -> int:
        return self.input_dim + int(self.bias)

    def augment(self, x: Float[Array, "batch d"]) -> Float[Array, "batch dt"]:
        r""":math:`\tilde x`: the inputs with a constant 1 appended when the bias is an input."""
        return jnp.concatenate([x, jnp.ones((x.shape[0], 1), x.dtype)], axis=1) if self.bias else x

    def outer(self, params: Params) -> Float[Array, " m"]:
        r"""The output weights divided by :math:`\sqrt m`, as the forward pass uses them."""
        a = params["a"] if self.train_outer else jax.lax.stop_gradient(params["a"])
        return a / jnp.sqrt(jnp.asarray(self.width, a.dtype))

    def predict(self, params: Params, x: Float[Array, "batch d"]) -> Float[Array, "batch 1"]:
        # One (batch × d̃)·(d̃ × m) product and one matrix–vector product; autodiff then needs
        # only the batch×m activation pattern, never per-sample Jacobians (batch × m·d̃).
        hidden = jax.nn.relu(self.augment(x) @ params["W"].T)
        return (hidden @ self.outer(params))[:, None]

    def end_to_end(self, params: Params) -> Float[Array, "m dt+1"]:
        r"""Per neuron :math:`(a_k/\sqrt m,\ w_k)`: the predictor is a function of these rows."""
        return jnp.concatenate([self.outer(params)[:, None], params["W"]], axis=1)

    def conserved(self, params: Params) -> dict[str, Float[Array, " m"]]:
        if not self.train_outer:
            return {}
        # ẇ_k = −(a_k/√m)Σᵢ gᵢ 1{·}x̃ᵢ and ȧ_k = −(1/√m)Σᵢ gᵢ ReLU(w_kᵀx̃ᵢ), so
        # d/dt ‖w_k‖² = d/dt a_k² by homogeneity (ReLU(z) = 1{z > 0} z).
        return {"neuron_balance": params["a"] ** 2 - jnp.sum(params["W"] ** 2, axis=1)}

    def homogeneity(self) -> int | None:
        # f(cθ) = Σ (c a_k/√m) ReLU(c w_kᵀx̃) = c² f(θ) for c > 0: 1/√m is a constant factor and leaves
        # the degree alone, and a bias input only adds a column to W, which scales with the rest.
        # With fixed output weights only W is trained (degree 1), but the parameter pytree (whose norm
        # the margins divide by) also holds the frozen a: no degree k makes f(cθ) = cᵏ f(θ) there.
        return 2 if self.train_outer else None

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        return {"W": (self.width, self.augmented_dim), "a": (self.width,)}

@register
class TwoLayerReLUSpec(ModelSpec):
    """f = Σ_k (a_k/√m) ReLU(w_kᵀx̃) with x̃ = (x, 1) under ``bias`` (Satpathi & Srikant; Du et
    al.); ``bias = false, train_outer = true`` is the homogeneous net."""

    examples: ClassVar[tuple[dict, ...]] = (
        {"problem": {"kind": "regression", "n_samples": 6, "input_dim": 9, "output_dim": 1, "data_seed": 3}, "model": {"kind": "two_layer_relu", "width": 7, "bias": False, "train_outer": True}, "init": {"kind": "ntk_gaussian"}},
        {"problem": {"kind": "regression", "n_samples": 6, "input_dim": 9, "output_dim": 1, "data_seed": 3}, "model": {"kind": "two_layer_relu", "width": 7}, "init": {"kind": "ntk_gaussian"}},
    )
    kind: Literal["two_layer_relu"]
    width: PositiveInt
    bias: bool = Field(True, description="append a constant 1 to the inputs (Satpathi & Srikant)")
    train_outer: bool = Field(False, description="train the output weights too (bias = false: the homogeneous net)")

    def build(self, problem: AbstractProblem) -> TwoLayerReLU:
        if problem.output_dim != 1:
            raise SpecError("problem.output_dim", f"two_layer_relu has one output, the data have "
                            f"{problem.output_dim}", "set problem.output_dim = 1")
        return TwoLayerReLU(problem.input_dim, self.width, self.bias, self.train_outer)
