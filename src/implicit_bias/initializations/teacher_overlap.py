r"""Init of a teacher–student student with a given overlap with the teacher."""

from typing import ClassVar, Literal

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray
from pydantic import Field, NonNegativeFloat, PositiveFloat

from ..components import register, scalar
from ..errors import SpecError
from ..models import AbstractModel, QuadraticNetwork
from ..problems import AbstractProblem
from ._base import AbstractInitialization, InitSpec


class TeacherOverlap(AbstractInitialization):
    r""":math:`W(0) = m\,ZW^* + \operatorname{diag}(s)G`, Z (p×p*) and G (p×N) i.i.d. N(0, 1),
    m = ``overlap``, :math:`s_k` = ``scales[k]``; needs a problem with a ``teacher`` (p*×N).

    For T = W*W*ᵀ/N = I: :math:`M(0) = mZ + O(N^{-1/2})` and
    :math:`Q_\perp(0) = Q - MT^{-1}M^\top = \operatorname{diag}(s_k^2) + O(N^{-1/2})`. With m = 0
    the overlaps start at the random :math:`O(N^{-1/2})` of a high-dimensional init (the
    plateau-escape setting); with m > 0 they start at O(1) and the N → ∞ ODE starts at mZ.
    Equal scales are the isotropic init (:math:`Q_\perp(0)\propto I`, under which polar(M) is
    conserved); unequal ones are anisotropic.
    """

    overlap: Float[Array, ""]
    scales: Float[Array, " width"]

    def __call__(self, key: PRNGKeyArray, model: AbstractModel, problem: AbstractProblem) -> dict:
        teacher = problem.teacher
        kz, kg = jax.random.split(key)
        Z = jax.random.normal(kz, (model.width, teacher.shape[0]))
        G = jax.random.normal(kg, (model.width, teacher.shape[1]))
        return {"W": self.overlap * Z @ teacher + self.scales[:, None] * G}


@register
class TeacherOverlapSpec(InitSpec):
    """Quadratic network: W = m·Z·W* + diag(s)·G (Z, G i.i.d. N(0, 1))."""

    models: ClassVar[tuple[type, ...]] = (QuadraticNetwork,)
    kind: Literal["teacher_overlap"]
    overlap: NonNegativeFloat = Field(0.0, description="m: M(0) = m·Z, Z i.i.d. N(0, 1) (0: the random O(N^-1/2))")
    scale: PositiveFloat = Field(1.0, description="std of the random part: Q⊥(0) ≈ scale²·I")
    row_scales: list[PositiveFloat] | None = Field(None, description="one std per hidden unit (anisotropic), "
                                                   "instead of scale")

    def build(self, model: QuadraticNetwork, problem: AbstractProblem) -> TeacherOverlap:
        scales = self.row_scales if self.row_scales is not None else [self.scale] * model.width
        if len(scales) != model.width:
            raise SpecError("init.row_scales", f"has {len(scales)} entries for width {model.width}",
                            "give one scale per hidden unit")
        return TeacherOverlap(scalar(self.overlap), jnp.asarray(scales, dtype=jnp.float64))
