"""Problems: data and the loss they define."""

from ._base import AbstractProblem
from .ntk_data import digits_regression, quadratic_teacher_regression
from .regression import Regression, gaussian_regression, load_regression, make_regression

__all__ = ["AbstractProblem", "Regression", "gaussian_regression", "load_regression", "make_regression",
           "digits_regression", "quadratic_teacher_regression"]
