"""Problems: data and the loss they define."""

from ..components import import_submodules
from ._base import AbstractDataProblem, AbstractProblem, ProblemSpec
from .classification import Classification, load_classification, make_classification, separable_classification
from .matrix_completion import MatrixCompletion, make_matrix_completion, random_completion
from .matrix_sensing import MatrixSensing, gaussian_sensing, make_matrix_sensing
from .regression import (
                         Regression,
                         digits_regression,
                         gaussian_regression,
                         load_regression,
                         make_regression,
                         quadratic_teacher_regression,
)
from .teacher_student import OnlineTeacherStudent, make_teacher
from .whitened_regression import whitened_regression

# A new module is a new kind: importing the package imports (and so registers) every module.
import_submodules(__name__, __path__)

__all__ = ["AbstractDataProblem", "AbstractProblem", "ProblemSpec", "Classification", "MatrixCompletion", "MatrixSensing", "OnlineTeacherStudent",
           "Regression", "digits_regression", "gaussian_regression", "gaussian_sensing", "load_classification",
           "load_regression", "make_classification", "make_matrix_completion", "make_matrix_sensing", "make_regression",
           "make_teacher", "quadratic_teacher_regression", "random_completion", "separable_classification",
           "whitened_regression"]
