"""Executable claims: each theorem as runs + a measured quantity + prediction + tolerance."""

from . import linear_networks  # noqa: F401  (registers its claims)
from . import deep_linear, matrix_sensing  # noqa: F401
from ._claim import REGISTRY, Claim, ClaimResult, register

__all__ = ["Claim", "ClaimResult", "REGISTRY", "register"]
