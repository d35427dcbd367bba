"""The interface every model follows."""

import abc

import equinox as eqx
from jaxtyping import Array, Float, PyTree


class AbstractModel(eqx.Module):
    """A parametrization: a map from parameters to a predictor.

    A model holds only its static architecture (sizes); parameters are a separate pytree, so
    one model object serves every seed of an ensemble. Models know nothing about training:
    dynamics only see the loss a problem builds from :meth:`predict`.
    """

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
        """The end-to-end predictor (e.g. ``Θ = U Vᵀ``); stored as ``predictor`` in results."""

    def conserved(self, params: PyTree) -> dict[str, Float[Array, "..."]]:
        """Quantities conserved exactly by gradient flow on any loss of :meth:`predict`'s form.

        Observables ``<name>_drift`` report how far each moved; default: none.
        """
        return {}

    def homogeneity(self) -> int | None:
        r"""The degree k with :math:`f(c\theta; x) = c^k f(\theta; x)` for all c > 0, or None
        when the model is not positively homogeneous (Lyu & Li's smoothed margin needs it)."""
        return None
