"""Models: parametrizations with a common interface."""

from ..components import import_submodules
from ._base import AbstractLinearModel, AbstractModel, ModelSpec
from .deep_linear import DeepLinear
from .diagonal import DiagonalLinear
from .lazy import LazyModel
from .linear import Linear
from .quadratic_network import QuadraticNetwork
from .symmetric_factorization import SymmetricFactorization
from .two_layer_linear import TwoLayerLinear
from .two_layer_relu import TwoLayerReLU

# A new module is a new kind: importing the package imports (and so registers) every module.
import_submodules(__name__, __path__)

__all__ = ["AbstractLinearModel", "AbstractModel", "ModelSpec", "DeepLinear", "DiagonalLinear", "LazyModel", "Linear", "QuadraticNetwork", "SymmetricFactorization",
           "TwoLayerLinear", "TwoLayerReLU"]
