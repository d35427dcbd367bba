"""Models: parametrizations with a common interface."""

from ._base import AbstractModel
from .two_layer_linear import TwoLayerLinear
from .two_layer_relu import TwoLayerReLU

__all__ = ["AbstractModel", "TwoLayerLinear", "TwoLayerReLU"]
