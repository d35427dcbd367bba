"""Optimizers and learning-rate schedules of the discrete dynamics: optax transformations."""

from ..components import import_submodules
from ._base import Optax, OptimizerSpec, ScheduleSpec

import_submodules(__name__, __path__)

__all__ = ["Optax", "OptimizerSpec", "ScheduleSpec"]
