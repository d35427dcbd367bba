"""Models: parametrizations with a common interface."""

from ._base import AbstractModel
from .two_layer_linear import TwoLayerLinear
from .quadratic_network import QuadraticNetwork

__all__ = ["AbstractModel", "TwoLayerLinear", "QuadraticNetwork"]
