r"""Greedy coordinate descent: steepest descent for the ℓ1 norm."""

from typing import Literal

import jax.numpy as jnp
import optax
from jax.flatten_util import ravel_pytree

from ..components import register
from ._base import OptimizerSpec


def _largest_coordinate_sign(updates, params=None):
    r""":math:`\mathrm{sign}(g_{i^*})e_{i^*}`, :math:`i^* = \arg\max_i |g_i|` over all parameters:
    the maximizer of :math:`\langle g, d\rangle` over the ℓ1 unit ball (first index on ties)."""
    del params
    flat, unravel = ravel_pytree(updates)
    i = jnp.argmax(jnp.abs(flat))
    return unravel(jnp.zeros_like(flat).at[i].set(jnp.sign(flat[i])))


def greedy_coordinate(learning_rate):
    return optax.chain(optax.stateless(_largest_coordinate_sign), optax.scale_by_learning_rate(learning_rate))


@register
class CoordinateSpec(OptimizerSpec):
    r"""Greedy (Gauss–Southwell) coordinate steps θ ← θ − η sign(g_{i*}) e_{i*}, i* = argmax_i |g_i|
    over all parameters: normalized steepest descent for ‖·‖₁ (its unit ball's vertex best aligned
    with the gradient), so each step moves one coordinate by exactly η. Its implicit bias on
    separable data is the ℓ1 max-margin direction (Gunasekar et al. 2018), as sign descent's is
    the ℓ∞ one."""

    kind: Literal["coordinate"]
    transformation = staticmethod(greedy_coordinate)
