"""Closed-form and cheaply computed predictions, one module per family of results."""

from . import linear_networks, max_margin

__all__ = ["linear_networks", "max_margin"]
