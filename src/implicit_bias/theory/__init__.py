"""Closed-form and cheaply computed predictions, one module per family of results."""

from . import linear_networks, ntk

__all__ = ["linear_networks", "ntk"]
