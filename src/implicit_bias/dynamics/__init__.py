"""Dynamics: gradient flow, gradient descent, SGD."""

from ._base import CONVERGED, DIVERGED, MAX_TIME, STATUSES, AbstractDynamics, DynamicsSpec, Objective, Observer, Trajectory
from .gradient_descent import GradientDescent
from .gradient_flow import GradientFlow
from .modified_flow import ModifiedGradientFlow
from .sgd import SGD

__all__ = ["AbstractDynamics", "DynamicsSpec", "CONVERGED", "DIVERGED", "GradientDescent", "GradientFlow",
           "MAX_TIME", "ModifiedGradientFlow", "Objective", "Observer", "SGD", "STATUSES", "Trajectory"]
