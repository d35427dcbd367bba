"""Executable claims: each theorem as runs + a measured quantity + prediction + tolerance."""

from . import linear_networks, ntk  # noqa: F401  (register their claims)
from ._claim import REGISTRY, Claim, ClaimResult, register

__all__ = ["Claim", "ClaimResult", "REGISTRY", "register"]
