"""Problems: data and the loss they define."""

from ._base import AbstractProblem
from .classification import Classification, load_classification, make_classification, separable_classification
from .regression import Regression, gaussian_regression, load_regression, make_regression

__all__ = ["AbstractProblem", "Classification", "Regression", "gaussian_regression", "load_classification",
           "load_regression", "make_classification", "make_regression", "separable_classification"]
