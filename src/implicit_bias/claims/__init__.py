"""Executable claims: each theorem as runs + a measured quantity + prediction + tolerance."""

from . import (committee_teacher_student, deep_linear, diagonal, diagonal_margin, discretization, lazy, linear_networks, matrix_sensing, max_margin,  # noqa: F401
               mirror, momentum, ntk, quadratic_teacher_student, steepest_descent)
from ._claim import REGISTRY, Claim, ClaimResult, register

__all__ = ["Claim", "ClaimResult", "REGISTRY", "register"]
