"""The interface every model follows."""

import abc
from typing import ClassVar

import equinox as eqx
from jaxtyping import Array, Float, PyTree

from ..components import Component
from ..problems import AbstractDataProblem, AbstractProblem


class AbstractModel(eqx.Module):
    """A parametrization: a map from parameters to a predictor.

    A model holds only its static architecture (sizes); parameters are a separate pytree, so
    one model object serves every seed of an ensemble. Models know nothing about training:
    dynamics only see the loss a problem builds from :meth:`predict`.
    """

    input_dim: eqx.AbstractVar[int]
    """n: inputs per sample (the problem's ``input_dim``)."""
    output_dim: eqx.AbstractVar[int]
    """m: outputs per sample (the problem's ``output_dim``)."""
    width: eqx.AbstractVar[int]
    """The hidden width h that init scalings such as :math:`h^{-\alpha}` refer to."""

    @abc.abstractmethod
    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """Shape of each parameter array, by name."""

    @abc.abstractmethod
    def predict(self, params: PyTree, x: Float[Array, "batch n"]) -> Float[Array, "batch m"]:
        """The network's output on inputs ``x``."""

    @abc.abstractmethod
    def end_to_end(self, params: PyTree) -> Float[Array, "..."]:
        """The predictor as one array, a function of the parameters that determines
        :meth:`predict` up to the model's symmetries; stored as ``predictor`` in results.

        For an :class:`AbstractLinearModel` it is the matrix Θ (n×m) with f(x) = xᵀΘ. Other
        models say what theirs is (the quadratic network: the factor F with f(x) = ‖Fx‖²;
        the ReLU network: one row (a_k/√m, w_k) per neuron)."""

    def conserved(self, params: PyTree) -> dict[str, Float[Array, "..."]]:
        """Quantities conserved exactly by gradient flow on any loss of :meth:`predict`'s form.

        Observables ``<name>_drift`` report how far each moved; default: none.
        """
        return {}

    def homogeneity(self) -> int | None:
        r"""The degree k with :math:`f(c\theta; x) = c^k f(\theta; x)` for all c > 0, or None
        when the model is not positively homogeneous (Lyu & Li's smoothed margin needs it)."""
        return None


class AbstractLinearModel(AbstractModel):
    r"""A model whose predictor is linear in the input, :math:`f(x) = x^\top\Theta` with
    Θ = :meth:`end_to_end` (n×m): observables of the predictor's direction (margins, angles to
    the max-margin solution) are defined for these."""


class ModelSpec(Component):
    """The spec schema of a model kind: ``build(problem)`` makes the model for that problem's
    sizes (:attr:`AbstractProblem.input_dim`, :attr:`AbstractProblem.output_dim`). Models train
    on a data set unless their schema declares other ``problems``."""

    section: ClassVar[str] = "model"
    problems: ClassVar[tuple[type, ...]] = (AbstractDataProblem,)
    #: Small specs (``problem``, ``model``, ``init`` tables) the common model checks of
    #: :mod:`implicit_bias.testing` run this kind on; a kind without examples fails them.
    examples: ClassVar[tuple[dict, ...]] = ()

    @abc.abstractmethod
    def build(self, problem: AbstractProblem) -> AbstractModel:
        """The model these fields describe, sized for ``problem``."""
