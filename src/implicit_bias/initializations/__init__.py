"""Initialization schemes."""

from ._base import AbstractInitialization, orthonormal_columns
from .balanced import Balanced
from .diagonal_scale import DiagonalScale
from .gaussian import Gaussian
from .imbalance import Imbalance
from .invariant_set import InvariantSet
from .teacher_overlap import TeacherOverlap
from .zero_imbalance import ZeroImbalance

from .aligned import Aligned
from .scaled_identity import ScaledIdentity

__all__ = ["AbstractInitialization", "Aligned", "Balanced", "DiagonalScale", "Gaussian", "Imbalance", "InvariantSet",
           "ScaledIdentity", "TeacherOverlap", "ZeroImbalance", "orthonormal_columns"]
