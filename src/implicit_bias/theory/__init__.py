"""Closed-form and cheaply computed predictions, one module per family of results."""

from . import linear_networks
from . import quadratic_teacher_student

__all__ = ["linear_networks", "quadratic_teacher_student"]
