"""Initialization schemes."""

from ..components import import_submodules
from ..random_matrices import orthonormal_columns
from ._base import AbstractInitialization, InitSpec
from .aligned import Aligned
from .antisymmetric import Antisymmetric
from .at_init import AtInit
from .balanced import Balanced
from .diagonal_scale import DiagonalScale
from .gaussian import Gaussian
from .imbalance import Imbalance
from .invariant_set import InvariantSet
from .scaled_identity import ScaledIdentity
from .sign_gaussian import SignGaussian
from .teacher_overlap import TeacherOverlap
from .zero_imbalance import ZeroImbalance

# A new module is a new kind: importing the package imports (and so registers) every module.
import_submodules(__name__, __path__)

__all__ = ["AbstractInitialization", "InitSpec", "Aligned", "Antisymmetric", "AtInit", "Balanced", "DiagonalScale", "Gaussian", "Imbalance",
           "InvariantSet", "ScaledIdentity", "SignGaussian", "TeacherOverlap", "ZeroImbalance", "orthonormal_columns"]
