"""Problems: data and the loss they define."""

from ._base import AbstractProblem
from .classification import Classification, load_classification, make_classification, separable_classification
from .regression import Regression, gaussian_regression, load_regression, make_regression
from .teacher_student import OnlineTeacherStudent, make_teacher

__all__ = ["AbstractProblem", "Classification", "OnlineTeacherStudent", "Regression", "gaussian_regression",
           "load_classification", "load_regression", "make_classification", "make_regression", "make_teacher",
           "separable_classification"]
