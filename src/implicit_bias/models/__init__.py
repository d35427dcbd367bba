"""Models: parametrizations with a common interface."""

from ._base import AbstractModel
from .deep_linear import DeepLinear
from .symmetric_factorization import SymmetricFactorization
from .two_layer_linear import TwoLayerLinear

__all__ = ["AbstractModel", "TwoLayerLinear"]
__all__ += ["DeepLinear", "SymmetricFactorization"]
