"""Models: parametrizations with a common interface."""

from ._base import AbstractModel
from .diagonal import DiagonalLinear
from .linear import Linear
from .two_layer_linear import TwoLayerLinear
from .quadratic_network import QuadraticNetwork

__all__ = ["AbstractModel", "DiagonalLinear", "Linear", "QuadraticNetwork", "TwoLayerLinear"]
