r"""Online teacher–student regression with Gaussian inputs and a quadratic (or erf) teacher.

Inputs :math:`x\sim N(0, I_N)`; the teacher is :math:`y = b\sum_{r\le p^*}g(\nu_r)`,
:math:`\nu_r = w^*_r\cdot x/\sqrt N`, with :math:`g(\nu) = \nu^2` or, for the soft committee
machine, :math:`g(\nu) = \operatorname{erf}(\nu/\sqrt2)`; the per-sample loss is :math:`\tfrac12(\hat y - y)^2`.
There is no data set: SGD draws a fresh x every step (one pass) and the loss is the
population loss. Notation and formulas: ``shared/papers/quadratic-teacher-student.md``.
"""

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, PRNGKeyArray, PyTree
from pydantic import Field, NonNegativeFloat, NonNegativeInt, PositiveFloat, PositiveInt

from ..activations import ACTIVATIONS, POPULATION_LOSSES, quadratic_population_loss
from ..components import register
from ..errors import SpecError
from ..random_matrices import orthonormal_columns
from ._base import AbstractProblem, ProblemSpec

if TYPE_CHECKING:
    from ..models import AbstractModel

#: Teacher kinds: rows orthonormal (T = W*W*ᵀ/N = I exactly) or i.i.d. N(0, 1) (T ≈ I).
TEACHERS = ("orthonormal", "gaussian")


class OnlineTeacherStudent(AbstractProblem):
    r"""Teacher weights ``teacher`` (p*×N), teacher output scale ``teacher_scale`` (b).

    The population loss of a model with quadratic-form predictor :math:`f(x) = \lVert Fx
    \rVert^2` (its :meth:`~AbstractModel.end_to_end` factor F, e.g. the quadratic network's
    :math:`\sqrt{a/N}W`) against the teacher's :math:`F^* = \sqrt{b/N}W^*` is, with
    :math:`S = F^\top F - F^{*\top}F^*` and Gaussian moments,
    :math:`L = \tfrac12(\operatorname{tr}S)^2 + \operatorname{tr}S^2`, computed from the p×p,
    p×p*, p*×p* Gram matrices (never an N×N one). With ``activation = "erf"`` (student and
    teacher both :math:`\operatorname{erf}(\cdot/\sqrt2)`, the model built with the same
    activation) the population loss is the closed form of :mod:`..theory.erf_committee` in the
    overlaps :math:`Q = FF^\top/a`, :math:`M = FW^{*\top}/\sqrt{aN}`, T.

    Label noise ``label_noise`` σ: SGD's labels are :math:`y + \sigma\xi`, ξ ~ N(0, 1) fresh per
    sample (drawn with the inputs, as an extra column of the batch that :meth:`batch_loss` splits
    off); weight decay ``weight_decay`` κ adds :math:`\tfrac{\kappa}{2N}\lVert\theta\rVert^2` (θ all
    parameters: the first layer W of the committee network) to the per-sample objective, so the
    overlap ODEs (:mod:`..theory.committee`) keep an O(1) decay rate. :meth:`loss` stays the
    generalization error on clean labels without the penalty, the quantity the theory predicts.
    Both 0 by default, which leaves the draws and the objective as they were without them.

    SGD time is α = steps/N (:meth:`sgd_time_step`). Inputs are drawn in ``draw_dtype``
    (float32 by default, ~2× cheaper than float64 on CPU: benchmarks/online_sgd_throughput.py)
    and then cast to float64, so every update is computed in float64; a float32 Gaussian differs
    from a float64 one by a relative 2⁻²⁴ rounding, far below the N^{-1/2} SGD fluctuations.
    """

    teacher: Float[Array, "p_star N"]
    teacher_scale: float = eqx.field(static=True, default=1.0)
    draw_dtype: str = eqx.field(static=True, default="float32")
    activation: str = eqx.field(static=True, default="quadratic")
    label_noise: float = eqx.field(static=True, default=0.0)
    weight_decay: float = eqx.field(static=True, default=0.0)

    @property
    def input_dim(self) -> int:
        return self.teacher.shape[1]

    @property
    def output_dim(self) -> int:
        return 1

    def teacher_factor(self) -> Float[Array, "p_star N"]:
        return jnp.sqrt(self.teacher_scale / self.input_dim) * self.teacher

    def targets(self, x: Float[Array, "batch N"]) -> Float[Array, " batch"]:
        if self.activation == "quadratic":  # as the quadratic form ‖F*x‖², like the model's factor
            return jnp.sum((x @ self.teacher_factor().T) ** 2, axis=-1)
        nu = x @ self.teacher.T / jnp.sqrt(self.input_dim)
        return self.teacher_scale * jnp.sum(ACTIVATIONS[self.activation](nu), axis=-1)

    def loss(self, model: "AbstractModel", params: PyTree) -> Float[Array, ""]:
        F = model.end_to_end(params)
        if self.activation != "quadratic":
            a, b = model.output_scale, self.teacher_scale
            G, Ws = F / jnp.sqrt(a), self.teacher / jnp.sqrt(self.input_dim)
            return POPULATION_LOSSES[self.activation](G @ G.T, G @ Ws.T, Ws @ Ws.T, a, b)
        # In factor form the overlaps are G = FFᵀ, H = FF*ᵀ, K = F*F*ᵀ with a = b = 1.
        Fs = self.teacher_factor()
        return quadratic_population_loss(F @ F.T, F @ Fs.T, Fs @ Fs.T, 1.0, 1.0)

    def draw_batches(self, key: PRNGKeyArray, n_batches: int, batch_size: int) -> Float[Array, "n b N"]:
        """Inputs (n, b, N); with label noise the noise ξ as column N + 1 (its own key, so the
        inputs are the draws without noise)."""
        x = jax.random.normal(key, (n_batches, batch_size, self.input_dim), jnp.dtype(self.draw_dtype))
        x = x.astype(jnp.float64)
        if self.label_noise == 0:
            return x
        xi = jax.random.normal(jax.random.fold_in(key, 1), (n_batches, batch_size, 1), jnp.float64)
        return jnp.concatenate([x, xi], axis=-1)

    def batch_loss(self, model: "AbstractModel", params: PyTree, batch: Float[Array, "b N"]) -> Float[Array, ""]:
        x = batch[:, :self.input_dim]
        residual = model.predict(params, x)[:, 0] - self.targets(x)
        if self.label_noise != 0:
            residual = residual - self.label_noise * batch[:, self.input_dim]
        value = 0.5 * jnp.mean(residual**2)
        if self.weight_decay != 0:
            squares = sum(jnp.sum(leaf**2) for leaf in jax.tree_util.tree_leaves(params))
            value = value + 0.5 * self.weight_decay / self.input_dim * squares
        return value

    def notes(self, model: "AbstractModel") -> list[str]:
        p, p_star = model.width, self.teacher.shape[0]
        if p < p_star:
            return [f"student width p = {p} < teacher width p* = {p_star}: no zero-loss manifold, the loss "
                    "stays positive (procrustes_distance refers to the closest rank-p point)"]
        return []

    def sgd_time_step(self, lr: Float[Array, ""]) -> Float[Array, ""]:
        return jnp.asarray(1.0 / self.input_dim)


def make_teacher(kind: str, width: int, input_dim: int, seed: int) -> np.ndarray:
    """Teacher weights W* (width × input_dim) with rows of squared norm ≈ N (T ≈ I)."""
    key = jax.random.key(seed)
    if kind == "gaussian":
        return np.asarray(jax.random.normal(key, (width, input_dim)))
    return np.asarray(orthonormal_columns(key, input_dim, width).T * np.sqrt(input_dim))


@register
class OnlineTeacherStudentSpec(ProblemSpec):
    """Online teacher–student regression: x ~ N(0, I_N), y = b Σ_r g(w*_r·x/√N) + σξ, g(ν) = ν²
    (or erf(ν/√2): the soft committee machine, relu, linear; for teacher and student); per-sample
    objective ½(ŷ − y)² + κ‖W‖²/(2N), ``loss`` the exact population loss on clean labels. No data set: SGD draws fresh x each step,
    and its time is α = steps/N."""

    kind: Literal["online_teacher_student"]
    input_dim: PositiveInt = Field(1000, description="N, the input dimension")
    teacher_width: PositiveInt = Field(2, description="p*, the teacher's hidden units")
    teacher_scale: PositiveFloat | Literal["1/width"] = Field(1.0, description="b; '1/width' for 1/p*")
    teacher: Literal["orthonormal", "gaussian"] = Field(
        "orthonormal", description="orthonormal rows scaled to norm √N (T = I), or i.i.d. N(0, 1) (T ≈ I)")
    teacher_seed: NonNegativeInt = 0
    draw_dtype: Literal["float32", "float64"] = Field("float32", description="dtype inputs are drawn in "
                                                      "(cast to float64)")
    activation: Literal[tuple(ACTIVATIONS)] = Field("quadratic", description="g of teacher and student units: "
                                                    "ν², erf(ν/√2) (soft committee machine), relu, linear")
    label_noise: NonNegativeFloat = Field(0.0, description="σ: SGD's labels are y + σξ, ξ ~ N(0, 1)")
    weight_decay: NonNegativeFloat = Field(0.0, description="κ: the per-sample objective adds κ‖W‖²/(2N)")

    def create(self, base_dir: Path) -> OnlineTeacherStudent:
        if self.teacher == "orthonormal" and self.teacher_width > self.input_dim:
            raise SpecError("problem.teacher_width", f"{self.teacher_width} orthonormal rows do not fit in "
                            f"dimension {self.input_dim}", "use teacher = 'gaussian' or a smaller teacher_width")
        b = 1.0 / self.teacher_width if self.teacher_scale == "1/width" else self.teacher_scale
        W = make_teacher(self.teacher, self.teacher_width, self.input_dim, self.teacher_seed)
        return OnlineTeacherStudent(jnp.asarray(W), b, self.draw_dtype, self.activation, self.label_noise,
                                    self.weight_decay)
