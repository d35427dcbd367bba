r"""Overlap ODEs of one-pass SGD on a committee network with any unit function g, the Gaussian
integrals from g's :class:`~implicit_bias.activations.Activation`; label noise and weight decay.

Student :math:`\hat y = a\sum_{i\le p} g(\lambda_i)`, teacher :math:`y = b\sum_{n\le p^*} g(\nu_n) + \sigma\xi`
(label noise :math:`\xi\sim N(0,1)`, independent of x), per-sample objective
:math:`\tfrac12\delta^2 + \tfrac{\kappa}{2N}\lVert W\rVert_F^2` with :math:`\delta = \hat y - y` and weight
decay κ on the first layer, so the step is
:math:`w_i \leftarrow w_i - \eta a\,\delta\,g'(\lambda_i)\,x/\sqrt N - \eta\kappa\,w_i/N`. With
:math:`s = (a\mathbf 1_p, -b\mathbf 1_{p^*})` and the integrals of :mod:`implicit_bias.activations`,
in time α = steps/N, as N → ∞ (Saad & Solla 1995 for σ = κ = 0; the σ and κ terms derived here):

.. math::
    \dot R_{in} = -\eta a\sum_c s_c I_3(i, n, c) - \eta\kappa R_{in},\\
    \dot Q_{ik} = -\eta a\sum_c s_c\big(I_3(i, k, c) + I_3(k, i, c)\big) - 2\eta\kappa Q_{ik}
                  + \eta^2a^2\Big(\sum_{c,d}s_cs_d\,I_4(i, k, c, d) + \sigma^2J_2(i, k)\Big).

Derivation of the new terms: ξ is independent of the inputs with mean 0, so it drops from the
drift (first order in η) and adds :math:`\sigma^2\mathbb E\,g'(\lambda_i)g'(\lambda_k) = \sigma^2J_2(i,k)`
to :math:`\mathbb E\,\delta^2g'(\lambda_i)g'(\lambda_k)` in the second-order term
:math:`N\,\mathbb E\,\Delta w_i\cdot\Delta w_k/N`; the decay changes :math:`Q_{ik} = w_i\cdot w_k/N` by
:math:`-2\eta\kappa Q_{ik}/N` and :math:`R_{in}` by :math:`-\eta\kappa R_{in}/N` per step, and its cross
terms with the gradient step are :math:`O(N^{-2})` per step, negligible. The generalization error
is the noise-free population loss :math:`\tfrac12 s^\top I_2 s` (the label noise adds the constant
:math:`\sigma^2/2` to the test loss on noisy labels).
"""

import jax.numpy as jnp
from jaxtyping import Array

from ..activations import Activation, erf_joint


def overlap_velocity(Q, R, T, a, b, eta, activation: Activation, noise: bool = True, label_noise=None,
                     weight_decay=None) -> tuple[Array, Array]:
    """(dQ/dα, dR/dα) of the module docstring; ``noise=False`` drops the η² term (the SGD noise,
    label noise's included); ``label_noise`` σ and ``weight_decay`` κ: None leaves their terms out."""
    p = Q.shape[0]
    C, s = erf_joint(Q, R, T, a, b)
    J3 = activation.i3(C, p) @ s                       # Σ_c s_c I₃(i, ·, c), shape (p, K)
    dR = -eta * a * J3[:, p:]
    dQ = -eta * a * (J3[:, :p] + J3[:, :p].T)
    if noise:
        dQ = dQ + eta**2 * a**2 * jnp.einsum("ikcd,c,d->ik", activation.i4(C, p), s, s)
        if label_noise is not None:
            dQ = dQ + eta**2 * a**2 * label_noise**2 * activation.j2(C)[:p, :p]
    if weight_decay is not None:
        dR = dR - eta * weight_decay * R
        dQ = dQ - 2 * eta * weight_decay * Q
    return dQ, dR
