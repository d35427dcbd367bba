"""Executable claims: each theorem as runs + a measured quantity + prediction + tolerance."""

from . import diagonal, discretization, linear_networks, max_margin, quadratic_teacher_student  # noqa: F401
from ._claim import REGISTRY, Claim, ClaimResult, register

__all__ = ["Claim", "ClaimResult", "REGISTRY", "register"]
