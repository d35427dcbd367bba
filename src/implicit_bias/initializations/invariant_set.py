r"""An init in the paper's invariant set: :math:`U_2(0) = \Phi_2^\top U(0) = 0`."""

from typing import ClassVar, Literal

from jaxtyping import PRNGKeyArray

from ..components import register
from ..models import AbstractModel, TwoLayerLinear
from ..problems import Regression
from ..theory.linear_networks import data_svd
from ._base import AbstractInitialization
from .gaussian import Gaussian, GaussianFields


class InvariantSet(AbstractInitialization):
    r"""The Gaussian draw with U's columns projected onto the row space of X:
    :math:`U \leftarrow \Phi_1\Phi_1^\top U`. Then :math:`U_2(0) = 0`, which satisfies both
    conditions of the invariant-set theorem (:math:`V(0)U_2(0)^\top = 0`,
    :math:`U_1(0)U_2(0)^\top = 0`), so a converging flow ends exactly at :math:`\hat\Theta = X^+Y`.
    """

    gaussian: Gaussian

    def __call__(self, key: PRNGKeyArray, model: TwoLayerLinear, problem: Regression) -> dict:
        p = self.gaussian(key, model, problem)
        Phi1 = data_svd(problem).Phi1
        return {"U": Phi1 @ (Phi1.T @ p["U"]), "V": p["V"]}


@register
class InvariantSetSpec(GaussianFields):
    """As gaussian, U projected on the row space of X (U₂(0) = 0): the paper's invariant set."""

    models: ClassVar[tuple[type, ...]] = (TwoLayerLinear,)
    problems: ClassVar[tuple[type, ...]] = (Regression,)
    kind: Literal["invariant_set"]

    def build(self, model: AbstractModel, problem: Regression) -> InvariantSet:
        return InvariantSet(self.gaussian())
