r"""Theory of one-pass SGD on two-layer quadratic networks learning a quadratic teacher.

Bocchi, Regimbeau, Lucibello, Saglietti, Cammarota (arXiv:2604.03068, 2026); formulas derived
in ``shared/papers/quadratic-teacher-student.md``. Student :math:`\hat y = a\sum_k\lambda_k^2`
(p neurons), teacher :math:`y = b\sum_r\nu_r^2` (p* neurons), overlaps :math:`Q = WW^\top/N`
(p×p), :math:`M = WW^{*\top}/N` (p×p*), :math:`T = W^*W^{*\top}/N`; time α = steps/N.
With :math:`\tau_1 = a\operatorname{tr}Q - b\operatorname{tr}T`,
:math:`\tau_2 = a^2\lVert Q\rVert_F^2 - 2ab\lVert M\rVert_F^2 + b^2\lVert T\rVert_F^2`,
:math:`X_{11} = aQ^2 - bMM^\top`, :math:`X_{12} = aQM - bMT`, the N → ∞ overlaps solve

.. math::
    \dot M = -2a\eta(\tau_1 M + 2X_{12}),\qquad
    \dot Q = -4a\eta(\tau_1 Q + 2X_{11})
             + 4a^2\eta^2\big((\tau_1^2 + 2\tau_2)Q + 4\tau_1X_{11} + 8(aX_{11}Q - bX_{12}M^\top)\big),

the η² term being the SGD noise (without it and in time ηα: gradient flow on the population
loss :math:`L = \tfrac12\tau_1^2 + \tau_2`).

The same ODE machinery serves committee networks with other unit functions (:mod:`.committee`:
the erf soft committee machine, a cross-check against direct SGD with a classical closed form,
ReLU, linear): ``activation`` in :func:`solve_overlaps` and :data:`VELOCITIES`.

Functions taking arrays are pure JAX (they run inside compiled ensembles); the plateau and
escape formulas are host-side scalars.
"""

import math
from typing import NamedTuple

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from ..activations import quadratic_population_loss as population_loss
from ..activations import COMMITTEE_ACTIVATIONS
from ..activations import quadratic_taus as _taus
from ..dynamics._adaptive import integrate
from . import committee


class Overlaps(NamedTuple):
    Q: Float[Array, "... p p"]
    M: Float[Array, "... p ps"]


def overlap_velocity(y: Overlaps, T, a, b, eta, noise: bool = True, label_noise=None,
                     weight_decay=None) -> Overlaps:
    r"""(dQ/dα, dM/dα) of the module docstring; ``noise=False`` drops the η² term. Label noise σ
    (:math:`y = b\sum_r\nu_r^2 + \sigma\xi`) adds :math:`4a^2\eta^2\sigma^2Q` to the η² term and weight
    decay κ (objective :math:`+\tfrac{\kappa}{2N}\lVert W\rVert_F^2`) adds :math:`-2\eta\kappa Q`, :math:`-\eta\kappa M`
    (derived here as in :mod:`.committee`, with :math:`g'(\lambda) = 2\lambda`); None leaves them out."""
    Q, M = y
    tau1, tau2 = _taus(Q, M, T, a, b)
    X11 = a * Q @ Q - b * M @ M.T
    X12 = a * Q @ M - b * M @ T
    dM = -2 * a * eta * (tau1 * M + 2 * X12)
    dQ = -4 * a * eta * (tau1 * Q + 2 * X11)
    if noise:
        dQ = dQ + 4 * a**2 * eta**2 * ((tau1**2 + 2 * tau2) * Q + 4 * tau1 * X11
                                       + 8 * (a * X11 @ Q - b * X12 @ M.T))
        if label_noise is not None:
            dQ = dQ + 4 * a**2 * eta**2 * label_noise**2 * Q
    if weight_decay is not None:
        dM = dM - eta * weight_decay * M
        dQ = dQ - 2 * eta * weight_decay * Q
    return Overlaps(dQ, dM)


def _committee_velocity(activation: str):
    act = COMMITTEE_ACTIVATIONS[activation]

    def velocity(y: Overlaps, T, a, b, eta, noise: bool = True, label_noise=None, weight_decay=None) -> Overlaps:
        return Overlaps(*committee.overlap_velocity(y.Q, y.M, T, a, b, eta, act, noise, label_noise, weight_decay))
    return velocity


#: Overlap velocity (Q, M, T, a, b, η, noise, label_noise, weight_decay) per activation g of student
#: and teacher: the quadratic network's closed form, the committee ODE for the others.
VELOCITIES = {"quadratic": overlap_velocity, **{name: _committee_velocity(name) for name in COMMITTEE_ACTIVATIONS}}


def solve_overlaps(Q0, M0, T, a, b, eta, alphas: Float[Array, " n"], noise: bool = True,
                   rtol: float = 1e-9, atol: float = 1e-12, max_steps: int = 1_000_000,
                   activation: str = "quadratic", label_noise: float = 0.0, weight_decay: float = 0.0) -> Overlaps:
    """The overlap ODEs (of ``activation``'s :data:`VELOCITIES`, with label noise σ = ``label_noise``
    and first-layer weight decay κ = ``weight_decay``) integrated by diffrax (Tsit5, PID controller)
    from (Q0, M0), saved at ``alphas`` (increasing, from 0). A diverging solution (past the noise's
    stability limit) reads NaN from where the solver failed."""
    f = lambda x: jnp.asarray(x, jnp.float64)  # noqa: E731  (arrays: new values reuse the compile)
    # σ = κ = 0 leave their terms out of the compiled velocity (the solve is then the one without them).
    extras = (None if label_noise == 0 else f(label_noise), None if weight_decay == 0 else f(weight_decay))
    return _solve_overlaps(f(Q0), f(M0), f(T), f(a), f(b), f(eta), f(alphas), noise, f(rtol), f(atol),
                           max_steps, VELOCITIES[activation], extras)


@eqx.filter_jit
def _solve_overlaps(Q0, M0, T, a, b, eta, alphas, noise, rtol, atol, max_steps, velocity, extras) -> Overlaps:
    # The same loop as gradient flow's (diffrax's Tsit5 step and PID controller); never stopped early.
    return integrate(diffrax.Tsit5(), diffrax.PIDController(rtol=rtol, atol=atol),
                     lambda t, y: velocity(y, T, a, b, eta, noise, *extras), Overlaps(Q0, M0), alphas[-1], alphas,
                     lambda t, y: y, lambda t, y: False, max_steps).saved


def overlaps(W: Float[Array, "p N"], teacher: Float[Array, "ps N"]) -> tuple[Array, Array, Array]:
    """(Q, M, T) of student weights W and teacher weights W*."""
    N = W.shape[-1]
    return W @ W.T / N, W @ teacher.T / N, teacher @ teacher.T / N


# --- plateau and escape -------------------------------------------------------------------

class Plateau(NamedTuple):
    q: float
    """Q = qI on the plateau (M = 0)."""
    loss: float
    u: float
    r"""u = τ₁ + 2aq: zero without noise, the noise's slow-down of the escape with it."""


def plateau(T, p: int, a: float, b: float, eta: float = 0.0, noise: bool = True) -> Plateau:
    r"""The fixed point M = 0, Q = qI of the overlap ODEs.

    Without noise :math:`q^* = b\operatorname{tr}T/(a(p+2))` and
    :math:`L = b^2(\operatorname{tr}T)^2/(p+2) + b^2\operatorname{tr}T^2`. With noise
    :math:`u = \tau_1 + 2aq` solves :math:`u = a\eta(u^2 + 4a^2q^2 + 2\tau_2)`, a quadratic in q;
    its root nearest :math:`q^*` is the plateau (the other one lies beyond the stability limit).
    """
    T = np.asarray(T)
    trT, trT2 = float(np.trace(T)), float(np.sum(T**2))
    q_star = b * trT / (a * (p + 2))
    if noise and eta > 0:
        # u(q) = a(p+2)q − b trT, τ₂(q) = a²pq² + b² trT²: collect u − aη(u² + 4a²q² + 2τ₂) = 0.
        c1, c0 = a * (p + 2), -b * trT
        coeffs = [-a * eta * (c1**2 + 4 * a**2 + 2 * a**2 * p),
                  c1 - 2 * a * eta * c1 * c0,
                  c0 - a * eta * (c0**2 + 2 * b**2 * trT2)]
        roots = np.roots(coeffs)
        real = roots[np.isreal(roots)].real
        if real.size == 0:
            return Plateau(math.nan, math.nan, math.nan)  # no plateau: η past the stability limit
        q = float(real[np.argmin(np.abs(real - q_star))])
    else:
        q = q_star
    Q = q * np.eye(p)
    loss = float(population_loss(jnp.asarray(Q), jnp.zeros((p, T.shape[0])), jnp.asarray(T), a, b))
    return Plateau(q, loss, a * (p + 2) * q - b * trT)


def escape_rate(T, p: int, a: float, b: float, eta: float, noise: bool = True) -> float:
    r"""Growth rate of M near the plateau, top eigenvalue t of T: :math:`r = 2a\eta(2bt - u)`
    (:math:`4ab\eta t` without noise). Negative: the noise traps the run on the plateau."""
    t = float(np.linalg.eigvalsh(np.asarray(T))[-1])
    u = plateau(T, p, a, b, eta, noise).u if noise else 0.0
    return 2 * a * eta * (2 * b * t - u)


def escape_time_slope(T, p: int, a: float, b: float, eta: float, noise: bool = True) -> float:
    r""":math:`d\alpha_{esc}/d\ln N = 1/(2r)`: initial overlaps of order :math:`N^{-1/2}` grow
    like :math:`e^{r\alpha}`, so reaching O(1) takes :math:`\ln N/(2r) + O(1)`."""
    return 1.0 / (2.0 * escape_rate(T, p, a, b, eta, noise))


def escape_time(alphas, m_norm, threshold: float) -> float:
    """First α at which the recorded ‖M‖_F crosses ``threshold`` (linear interpolation in
    α between records; NaN if never)."""
    alphas, m_norm = np.asarray(alphas), np.asarray(m_norm)
    above = np.nonzero(m_norm >= threshold)[0]
    if above.size == 0 or above[0] == 0:
        return math.nan
    i = above[0]
    x0, x1, y0, y1 = alphas[i - 1], alphas[i], m_norm[i - 1], m_norm[i]
    return float(x0 + (threshold - y0) * (x1 - x0) / (y1 - y0))


# --- zero-loss manifold, implicit bias, conserved quantities -------------------------------

def polar(M: Float[Array, "p ps"]) -> Float[Array, "p ps"]:
    r"""The orthogonal factor :math:`M(M^\top M)^{-1/2}` (p ≥ p*, M of full column rank), via
    the SVD :math:`M = U\Sigma V^\top \mapsto UV^\top`."""
    U, _, Vt = jnp.linalg.svd(M, full_matrices=False)
    return U @ Vt


def procrustes_solution(M0, a: float, b: float) -> Overlaps:
    r"""The zero-loss point closest to the init (T = I, p ≥ p*): :math:`W = \sqrt{b/a}RW^*`
    with :math:`R = \operatorname{polar}(M(0))` (orthogonal Procrustes), i.e.
    :math:`M = \sqrt{b/a}R`, :math:`Q = (b/a)RR^\top`."""
    R = polar(M0)
    return Overlaps((b / a) * R @ R.T, jnp.sqrt(b / a) * R)


def procrustes_distance(Q, M, T, R, a: float, b: float) -> Float[Array, ""]:
    r""":math:`\lVert W - cRW^*\rVert_F/\sqrt N`, c = √(b/a): the distance to the zero-loss
    point :math:`cRW^*`, from overlaps: :math:`\operatorname{tr}Q - 2c\operatorname{tr}(RM^\top)
    + c^2\operatorname{tr}(RTR^\top)` under the root."""
    c = jnp.sqrt(b / a)
    d2 = jnp.trace(Q) - 2 * c * jnp.sum(R * M) + c**2 * jnp.trace(R @ T @ R.T)
    return jnp.sqrt(jnp.maximum(d2, 0.0))


def conserved_k(Q, M, T, a: float, b: float, eta: float, alpha) -> Float[Array, "ps ps"]:
    r""":math:`K = e^{-r\alpha T}M^\top Q_\perp^{-1}M e^{-r\alpha T}`, r = 4abη,
    :math:`Q_\perp = Q - MT^{-1}M^\top`: constant under the gradient-flow part of the ODEs for
    any init (p > p*, so that :math:`Q_\perp` is invertible)."""
    w, V = jnp.linalg.eigh(T)
    E = (V * jnp.exp(-4 * a * b * eta * alpha * w)) @ V.T
    Qp = Q - M @ jnp.linalg.solve(T, M.T)
    return E @ M.T @ jnp.linalg.solve(Qp, M) @ E


# --- Hessian of the population loss ---------------------------------------------------------

def weight_loss(W: Float[Array, "p N"], teacher: Float[Array, "ps N"], a: float, b: float) -> Float[Array, ""]:
    """The population loss as a function of the student weights."""
    return population_loss(*overlaps(W, teacher), a, b)


@jax.jit
def hessian_spectrum(W, teacher, a, b) -> Float[Array, " pN"]:
    """Eigenvalues (ascending) of the exact Hessian of :func:`weight_loss` in W (pN × pN),
    by JAX autodiff."""
    p, N = W.shape
    H = jax.hessian(weight_loss)(W, teacher, a, b).reshape(p * N, p * N)
    return jnp.linalg.eigvalsh(H)


class HessianCounts(NamedTuple):
    negative: int
    zero: int
    positive: int


def count_eigenvalues(eigs, tol: float) -> HessianCounts:
    eigs = np.asarray(eigs)
    return HessianCounts(int(np.sum(eigs < -tol)), int(np.sum(np.abs(eigs) <= tol)), int(np.sum(eigs > tol)))


def plateau_weights(key, p: int, teacher, q: float) -> Float[Array, "p N"]:
    r"""Student weights on the plateau: rows orthogonal to each other and to the teacher's
    rows, :math:`\lVert w_k\rVert^2 = qN` (so Q = qI, M = 0)."""
    ps, N = teacher.shape
    G = jax.random.normal(key, (N, p))
    # Orthonormal basis of the teacher's row space, then project it out of G and orthonormalize.
    Ut, _ = jnp.linalg.qr(teacher.T)
    G = G - Ut @ (Ut.T @ G)
    Qw, _ = jnp.linalg.qr(G)
    return jnp.sqrt(q * N) * Qw.T


def predicted_plateau_counts(p: int, ps: int, N: int) -> HessianCounts:
    """At the plateau (T = I, no noise): p·p* eigenvalues −4ab/N, p(p+1)/2 positive, rest zero."""
    neg, pos = p * ps, p * (p + 1) // 2
    return HessianCounts(neg, p * N - neg - pos, pos)


def predicted_manifold_counts(p: int, ps: int, N: int) -> HessianCounts:
    """On the zero-loss manifold (T = I, p ≥ p*): none negative, (p − p*)N + p*(p*−1)/2 zero."""
    zero = (p - ps) * N + ps * (ps - 1) // 2
    return HessianCounts(0, zero, p * N - zero)
