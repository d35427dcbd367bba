"""Executable claims: each theorem as runs + a measured quantity + prediction + tolerance."""

from . import (committee_teacher_student, deep_linear, diagonal, diagonal_margin, discretization,  # noqa: F401
               edge_of_stability, lazy, linear_networks, matrix_sensing, max_margin, mirror, momentum, ntk,
               quadratic_teacher_student, steepest_descent)
from ._claim import REGISTRY, Claim, ClaimResult, register

__all__ = ["Claim", "ClaimResult", "REGISTRY", "register"]
