"""Models: parametrizations with a common interface."""

from ._base import AbstractModel
from .diagonal import DiagonalLinear
from .linear import Linear
from .two_layer_linear import TwoLayerLinear

__all__ = ["AbstractModel", "DiagonalLinear", "Linear", "TwoLayerLinear"]
