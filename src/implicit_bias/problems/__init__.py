"""Problems: data and the loss they define."""

from ._base import AbstractProblem
from .regression import Regression, gaussian_regression, load_regression, make_regression
from .teacher_student import OnlineTeacherStudent, make_teacher

__all__ = ["AbstractProblem", "Regression", "gaussian_regression", "load_regression", "make_regression",
           "OnlineTeacherStudent", "make_teacher"]
