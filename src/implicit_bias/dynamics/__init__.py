"""Dynamics: gradient flow, and the discrete methods (GD, SGD, any optax optimizer)."""

from ..components import import_submodules
from ._base import CONVERGED, DIVERGED, MAX_STEPS, MAX_TIME, STATUSES, AbstractDynamics, DynamicsSpec, Objective, Observer, Trajectory
from .discrete import DiscreteDynamics, DiscreteSpec
from .gradient_flow import GradientFlow
from .modified_flow import ModifiedGradientFlow

import_submodules(__name__, __path__)

__all__ = ["AbstractDynamics", "CONVERGED", "DIVERGED", "DiscreteDynamics", "DiscreteSpec", "DynamicsSpec",
           "GradientFlow", "MAX_STEPS", "MAX_TIME", "ModifiedGradientFlow", "Objective", "Observer", "STATUSES", "Trajectory"]
