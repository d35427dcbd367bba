"""Initialization schemes."""

from ._base import AbstractInitialization, orthonormal_columns
from .antisymmetric import Antisymmetric
from .balanced import Balanced
from .gaussian import Gaussian
from .imbalance import Imbalance
from .invariant_set import InvariantSet
from .sign_gaussian import SignGaussian
from .zero_imbalance import ZeroImbalance

__all__ = ["AbstractInitialization", "Balanced", "Gaussian", "Imbalance", "InvariantSet",
           "ZeroImbalance", "Antisymmetric", "SignGaussian", "orthonormal_columns"]
