r"""The observable ``hidden_saturation``: how far the tanh units are from their linear regime."""

import jax.numpy as jnp

import implicit_bias as ib
from implicit_bias.observables import Observable
from implicit_bias.problems import Regression

from .model import TwoLayerTanh


def hidden_saturation(ctx, params, t):
    r""":math:`\frac{1}{Nh}\sum_{n,k}\tanh^2(w_k\cdot x_n)`: 0 in the linear regime
    (:math:`\tanh z\approx z` for small z), 1 when every unit is saturated."""
    return jnp.mean(jnp.tanh(ctx.problem.X @ params["W"].T) ** 2)


ib.register(Observable("hidden_saturation", "mean tanh²(w_k·x_n) over units and samples (0: linear, 1: saturated)",
                       hidden_saturation, models=(TwoLayerTanh,), problems=(Regression,)))
