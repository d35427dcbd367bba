"""Closed-form and cheaply computed predictions, one module per family of results."""

from . import diagonal, linear_networks, max_margin, ntk, quadratic_teacher_student

__all__ = ["diagonal", "linear_networks", "max_margin", "ntk", "quadratic_teacher_student"]
