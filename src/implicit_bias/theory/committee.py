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

from typing import NamedTuple

import diffrax
import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Float

from ..activations import COMMITTEE_ACTIVATIONS, Activation, erf_joint
from ..dynamics._adaptive import integrate


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


# --- trained second layer ---------------------------------------------------------------------

class CommitteeState(NamedTuple):
    """Overlaps and the student's second layer: Q (p×p), R (p×p*), v (p)."""
    Q: Float[Array, "... p p"]
    R: Float[Array, "... p ps"]
    v: Float[Array, "... p"]


def trained_velocity(y: CommitteeState, T, b, eta, eta_v, activation: Activation, noise: bool = True,
                     label_noise=None, weight_decay=None) -> CommitteeState:
    r"""(dQ/dα, dR/dα, dv/dα) with the second layer trained: student :math:`\hat y = \sum_i v_ig(\lambda_i)`,
    the step :math:`v_i \leftarrow v_i - \tfrac{\eta_v}{N}\delta\,g(\lambda_i)` beside the first layer's
    (with :math:`v_i` for a), so with :math:`s = (v, -b\mathbf 1_{p^*})` (Goldt et al. 2019 for σ = κ = 0)

    .. math::
        \dot v_i = -\eta_v\sum_c s_cI_2(i, c),\qquad
        \dot R_{in} = -\eta v_i\sum_c s_cI_3(i, n, c) - \eta\kappa R_{in},\\
        \dot Q_{ik} = -\eta\sum_c s_c\big(v_iI_3(i,k,c) + v_kI_3(k,i,c)\big) - 2\eta\kappa Q_{ik}
                      + \eta^2v_iv_k\Big(\sum_{c,d}s_cs_dI_4(i,k,c,d) + \sigma^2J_2(i,k)\Big);

    the second layer's own noise is :math:`O(\eta_v^2/N)` per unit of α and drops out (its step is
    O(1/N)); ``weight_decay`` acts on the first layer only."""
    Q, R, v = y
    p = Q.shape[0]
    C = jnp.block([[Q, R], [R.T, T]])
    s = jnp.concatenate([v, jnp.full(T.shape[0], -b, C.dtype)])
    J3 = activation.i3(C, p) @ s
    dR = -eta * v[:, None] * J3[:, p:]
    G = v[:, None] * J3[:, :p]
    dQ = -eta * (G + G.T)
    if noise:
        E = jnp.einsum("ikcd,c,d->ik", activation.i4(C, p), s, s)
        if label_noise is not None:
            E = E + label_noise**2 * activation.j2(C)[:p, :p]
        dQ = dQ + eta**2 * v[:, None] * v[None, :] * E
    if weight_decay is not None:
        dR = dR - eta * weight_decay * R
        dQ = dQ - 2 * eta * weight_decay * Q
    dv = -eta_v * activation.i2(C)[:p] @ s
    return CommitteeState(dQ, dR, dv)


def solve_trained(Q0, R0, v0, T, b, eta, eta_v, alphas: Float[Array, " n"], activation: str, noise: bool = True,
                  label_noise: float = 0.0, weight_decay: float = 0.0, rtol: float = 1e-9, atol: float = 1e-12,
                  max_steps: int = 1_000_000) -> CommitteeState:
    """:func:`trained_velocity` of ``activation`` (a name in
    :data:`~implicit_bias.activations.COMMITTEE_ACTIVATIONS`) integrated like
    :func:`.quadratic_teacher_student.solve_overlaps` (Tsit5, PID controller) from (Q0, R0, v0),
    saved at ``alphas``."""
    f = lambda x: jnp.asarray(x, jnp.float64)  # noqa: E731  (arrays: new values reuse the compile)
    extras = (None if label_noise == 0 else f(label_noise), None if weight_decay == 0 else f(weight_decay))
    return _solve_trained(CommitteeState(f(Q0), f(R0), f(v0)), f(T), f(b), f(eta), f(eta_v), f(alphas), noise,
                          extras, f(rtol), f(atol), max_steps, COMMITTEE_ACTIVATIONS[activation])


@eqx.filter_jit
def _solve_trained(y0, T, b, eta, eta_v, alphas, noise, extras, rtol, atol, max_steps, activation) -> CommitteeState:
    return integrate(diffrax.Tsit5(), diffrax.PIDController(rtol=rtol, atol=atol),
                     lambda t, y: trained_velocity(y, T, b, eta, eta_v, activation, noise, *extras), y0, alphas[-1],
                     alphas, lambda t, y: y, lambda t, y: False, max_steps).saved


def trained_population_loss(Q, R, v, T, b, activation: str) -> Float[Array, ""]:
    r""":math:`\tfrac12 s^\top I_2 s` with :math:`s = (v, -b\mathbf 1_{p^*})`: the generalization error."""
    C = jnp.block([[Q, R], [R.T, T]])
    s = jnp.concatenate([v, jnp.full(T.shape[0], -b, C.dtype)])
    return 0.5 * s @ COMMITTEE_ACTIVATIONS[activation].i2(C) @ s
