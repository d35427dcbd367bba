r"""Gradient flow of the modified loss :math:`L + \tfrac h4\lVert\nabla L\rVert^2` (implicit
gradient regularization): the continuous path GD with step h follows to second order."""

from typing import Literal

from jaxtyping import Array, Float, PRNGKeyArray, PyTree
from pydantic import Field, PositiveFloat

from ..components import register, scalar
from ..errors import SpecError
from ..mirrors.euclidean import EuclideanSpec
from ..problems.modified_loss import ModifiedLoss
from ._base import AbstractDynamics, Objective, Observer, Trajectory
from .gradient_flow import GradientFlow, GradientFlowSpec


class ModifiedGradientFlow(AbstractDynamics):
    r"""``flow`` (a :class:`GradientFlow`) run on :class:`~implicit_bias.problems.modified_loss.ModifiedLoss`
    with step h = ``step``. Observables and the stop test still see the original loss L: only
    the vector field changes, :math:`\dot\theta = -\nabla L - \tfrac h2\nabla^2L\,\nabla L`.
    Barrett & Dherin: :math:`\lVert\theta_{GD}(kh) - \theta_{mod}(kh)\rVert = O(h^2)` over a
    fixed horizon (claim ``gd_follows_modified_flow``).
    """

    flow: GradientFlow
    step: Float[Array, ""]

    @property
    def t_max(self) -> Float[Array, ""]:
        return self.flow.t_max

    @property
    def stop_loss(self) -> Float[Array, ""]:
        return self.flow.stop_loss

    def solve(self, objective: Objective, params0: PyTree, key: PRNGKeyArray,
              times: Float[Array, " times"], observe: Observer) -> Trajectory:
        modified = Objective(objective.model, ModifiedLoss(objective.problem, self.step))
        return self.flow.solve(modified, params0, key, times, observe)


@register
class ModifiedGradientFlowSpec(GradientFlowSpec):
    """The flow of L + (h/4)‖∇L‖² (Barrett & Dherin), which GD with step h follows to O(h²)."""

    kind: Literal["modified_gradient_flow"]
    step: PositiveFloat = Field(description="h in the modified loss L + (h/4)‖∇L‖² (the GD step it models)")

    def build(self) -> ModifiedGradientFlow:
        if self.mirror != EuclideanSpec():
            raise SpecError("dynamics.mirror", "the modified loss is that of gradient descent, not of mirror descent",
                            "drop mirror, or use kind = \"gradient_flow\"")
        return ModifiedGradientFlow(super().build(), scalar(self.step))
