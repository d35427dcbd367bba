"""Executable claims: each theorem as runs + a measured quantity + prediction + tolerance."""

from . import diagonal, discretization, linear_networks, max_margin  # noqa: F401  (registers their claims)
from ._claim import REGISTRY, Claim, ClaimResult, register

__all__ = ["Claim", "ClaimResult", "REGISTRY", "register"]
