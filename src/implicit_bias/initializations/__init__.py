"""Initialization schemes."""

from ._base import AbstractInitialization, orthonormal_columns
from .balanced import Balanced
from .gaussian import Gaussian
from .imbalance import Imbalance
from .invariant_set import InvariantSet
from .zero_imbalance import ZeroImbalance

__all__ = ["AbstractInitialization", "Balanced", "Gaussian", "Imbalance", "InvariantSet",
           "ZeroImbalance", "orthonormal_columns"]
from .aligned import Aligned
from .scaled_identity import ScaledIdentity

__all__ += ["Aligned", "ScaledIdentity"]
