r"""Diagonal linear networks (:mod:`..theory.diagonal`): the regression observables they share with
two-layer nets, and the effective-scale shrinkage of (S)GD (Pesme et al. 2021)."""

import jax.numpy as jnp

from ..models import DiagonalLinear
from ._base import Observable, extend_to, initial_conserved, register

extend_to("distance_to_min_norm", DiagonalLinear)
extend_to("imbalance_drift", DiagonalLinear)


def _shrinkage(ctx, params):
    r"""Per coordinate :math:`\alpha_\infty/\alpha = \sqrt{I(t)/I(0)}`, I the D = 2 imbalance (u v or
    u² − v²): 1 under GF, :math:`\prod_k(1 - \gamma^2 g_k^2)^{1/2}` under (S)GD (theory.diagonal)."""
    key = "imbalance"
    return jnp.sqrt(ctx.model.conserved(params)[key] / ctx.once(initial_conserved)[key])


register(Observable(
    "scale_shrinkage", "α∞/α: geometric mean over coordinates of √(I(t)/I(0)), I the D = 2 imbalance",
    lambda ctx, p, t: jnp.exp(jnp.mean(jnp.log(_shrinkage(ctx, p)))), models=(DiagonalLinear,)))
register(Observable(
    "scale_shrinkage_spread", "max/min − 1 of α∞/α over coordinates (0: one effective scale for all)",
    lambda ctx, p, t: jnp.max(_shrinkage(ctx, p)) / jnp.min(_shrinkage(ctx, p)) - 1, models=(DiagonalLinear,)))
