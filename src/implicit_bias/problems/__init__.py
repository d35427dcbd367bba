"""Problems: data and the loss they define."""

from ._base import AbstractProblem
from .regression import Regression, gaussian_regression, load_regression, make_regression

__all__ = ["AbstractProblem", "Regression", "gaussian_regression", "load_regression", "make_regression"]
from .matrix_completion import MatrixCompletion, make_matrix_completion, random_completion
from .matrix_sensing import MatrixSensing, gaussian_sensing, make_matrix_sensing
from .whitened_regression import whitened_regression

__all__ += ["MatrixCompletion", "MatrixSensing", "gaussian_sensing", "make_matrix_completion",
            "make_matrix_sensing", "random_completion", "whitened_regression"]
