r"""Gradient flow of the modified loss :math:`L + \tfrac h4\lVert\nabla L\rVert^2` (implicit
gradient regularization): the continuous path GD with step h follows to second order."""

from jaxtyping import Array, Float, PRNGKeyArray, PyTree

from ..problems.modified_loss import ModifiedLoss
from ._base import AbstractDynamics, Objective, Observer, Trajectory
from .gradient_flow import GradientFlow


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
