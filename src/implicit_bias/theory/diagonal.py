r"""Theory of diagonal linear networks: which interpolant gradient flow, GD and SGD pick.

Data ``X`` (N×n, N < n), targets ``y`` (N,), interpolants :math:`X\beta = y`.

**Mirror form of the limits.** For the ``difference`` network :math:`\beta = u^D - v^D` from
:math:`u = v = \alpha\mathbf 1`, and for ``product`` :math:`\beta = u\odot v` from
:math:`u = \sqrt2\alpha\mathbf 1, v = 0`, the GF iterates satisfy :math:`\beta(t) = \phi(X^\top\nu(t))`
for a coordinatewise increasing *link* φ and some :math:`\nu(t)\in\mathbb R^N`
(integrate the coordinate ODEs of :mod:`implicit_bias.models.diagonal`):

- difference, D = 2: :math:`\phi(z) = 2\alpha^2\sinh z` (Woodworth et al.), so the
  limit is :math:`\arg\min\{Q_\alpha(\beta): X\beta = y\}`,
  :math:`Q_\alpha(\beta) = \sum_i \alpha^2 q(\beta_i/\alpha^2)`,
  :math:`q(z) = 2 - \sqrt{4 + z^2} + z\,\mathrm{arcsinh}(z/2)`;
- difference, D ≥ 3: :math:`\phi(z) = \alpha^D h_D(z)`,
  :math:`h_D(z) = (1-z)^{-D/(D-2)} - (1+z)^{-D/(D-2)}` on :math:`|z| < 1` (ibid., deeper networks);
- product: :math:`\phi(z) = \alpha^2\sinh z`, the limit is :math:`\arg\min\psi_\alpha`,
  :math:`\psi_\alpha(\beta) = \sum_i \beta_i\,\mathrm{arcsinh}(\beta_i/\alpha^2) - \sqrt{\beta_i^2 + \alpha^4} + \alpha^2`
  (Pesme et al. 2021, the hyperbolic entropy).

φ = H' for a convex H, so the limit's ν is the minimizer of the concave dual's negative
:math:`F(\nu) = \sum_i H((X^\top\nu)_i) - y^\top\nu`, whose gradient :math:`X\phi(X^\top\nu) - y` is the
residual and whose Hessian is :math:`X\,\mathrm{diag}(\phi'(X^\top\nu))X^\top`: N unknowns however
large n is. :func:`mirror_interpolant` minimizes F by SciPy's trust-region Newton method
(``trust-exact``: globally convergent, and it rejects steps that leave the domain |z| < 1 of
D ≥ 3 because F = +∞ there), then polishes the root of the gradient with MINPACK's ``hybrj``
(Newton–Powell), which converges quadratically where F's values no longer resolve progress.

**Scale α → 0 and ∞.** :math:`Q_\alpha/(\alpha^2\log(1/\alpha^2)) \to \lVert\cdot\rVert_1`
as α → 0 and :math:`Q_\alpha \to \lVert\cdot\rVert_2^2/(4\alpha^2)` as α → ∞, so the limit moves
from the min-ℓ2 to the min-ℓ1 interpolant — but only logarithmically in 1/α.

**The product identity (Pesme et al.; Even et al. 2023).** For ``product`` with
:math:`a = u + v`, :math:`b = u - v`, an (S)GD step :math:`\theta \leftarrow \theta - \gamma\nabla`
with β-gradient g gives :math:`a \leftarrow (1 - \gamma g)a`, :math:`b \leftarrow (1 + \gamma g)b`, so
:math:`ab = u^2 - v^2` is multiplied by :math:`1 - \gamma^2 g^2` per coordinate and
:math:`\beta_k = \tfrac{\alpha_k^2}{2}(e^{-2S_k} - e^{2S_k})` with :math:`\alpha_k^2 = \alpha^2\prod(1 - \gamma^2 g^2)`,
:math:`S_k = \sum \mathrm{artanh}(\gamma g)`. With ±1 features and one sample per step,
:math:`g = c_k x_{i_k}` so :math:`\gamma^2g^2` is the same for every coordinate and
:math:`S_k = \sum \mathrm{artanh}(\gamma c_k) x_{i_k} \in \mathrm{range}(X^\top)`: the SGD limit is exactly
:math:`\arg\min\psi_{\alpha_\infty}` (:func:`effective_scale`).

**Margins (classification; derived here, Moroshko et al. 2020).** The same integration on
folded data :math:`z_n = y_nx_n` (rows of Z) with any loss :math:`\sum_n\ell(z_n^\top\beta)` gives
:math:`\beta(t) = 2\alpha^2\sinh(Z^\top c(t))`, :math:`c(t) = 4\int_0^t|\ell'(z^\top\beta)|\ge 0`
(:math:`\dot u = -2ug`, :math:`u = \alpha e^{-2G}`, :math:`v = \alpha e^{2G}`, :math:`G = \int g`). With the
min margin :math:`\gamma = \min_n z_n^\top\beta` and :math:`b = \beta/\gamma` (so :math:`Zb\ge1`),
:math:`b = 2\mu\sinh(Z^\top c)`, :math:`\mu = \alpha^2/\gamma`: stationarity and dual feasibility of
:math:`\min\{Q_{\sqrt\mu}(b) : Zb \ge 1\}` (:math:`\nabla Q_{\sqrt\mu}(b) = \mathrm{arcsinh}(b/2\mu)`), with the
multipliers λ = c. :func:`q_margin` solves that program. Only complementary slackness is
missing, and it is where the limit α → ∞ at fixed μ can fail: c never decreases, so β/γ tends to
:math:`b^*(\mu)` only while the multipliers :math:`\lambda^*(\mu')` grow as μ' falls from ∞ to μ
(:func:`margin_path_break`); beyond, to the flow limit :math:`b_\infty(\mu)` of
:func:`margin_flow_path`. The logistic loss has :math:`|\ell'(m)| = e^{-m}(1 + O(e^{-m}))`, the same
tail, so the same limits. Moroshko et al. (2020) state the regimes through α^D against
:math:`\log(1/\epsilon)` (ε the training loss; here :math:`\log(1/\epsilon) = \gamma + O(1)`); we could
not read their theorem statements from the sources available, so the constants, the 1/γ rate and
the path condition here are derived, not quoted.
"""

from typing import NamedTuple

import numpy as np
from scipy import optimize

from .max_margin import require_separable

#: Solver tolerance: the residual ‖Xβ − y‖∞ at which the dual solve stops, relative to 1 + ‖y‖∞.
RESIDUAL_TOL = 1e-13


# --- the two classical interpolants ----------------------------------------------------------

def min_l2_interpolant(X, y) -> np.ndarray:
    r""":math:`X^+y`, the interpolant of least Euclidean norm."""
    return np.linalg.lstsq(np.asarray(X, float), np.asarray(y, float).ravel(), rcond=None)[0]


def min_l1_interpolant(X, y) -> np.ndarray:
    r""":math:`\arg\min\{\lVert\beta\rVert_1 : X\beta = y\}` by SciPy's HiGHS LP solver, as
    :math:`\beta = p - q`, :math:`\min \mathbf 1^\top(p + q)` s.t. :math:`X(p - q) = y`, p, q ≥ 0.
    HiGHS returns a vertex (basic) solution, exact to ~1e-14."""
    X = np.asarray(X, float)
    y = np.asarray(y, float).ravel()
    n = X.shape[1]
    res = optimize.linprog(np.ones(2 * n), A_eq=np.hstack([X, -X]), b_eq=y, bounds=(0, None), method="highs")
    if res.status != 0:
        raise ValueError(f"min-ℓ1 LP failed: {res.message}")
    return res.x[:n] - res.x[n:]


# --- potentials --------------------------------------------------------------------------------

def q_potential(z) -> np.ndarray:
    r""":math:`q(z) = 2 - \sqrt{4 + z^2} + z\,\mathrm{arcsinh}(z/2)`."""
    z = np.asarray(z, float)
    return 2 - np.sqrt(4 + z**2) + z * np.arcsinh(z / 2)


def Q(beta, alpha) -> float:
    r"""Woodworth et al.'s :math:`Q_\alpha(\beta) = \sum_i \alpha_i^2 q(\beta_i/\alpha_i^2)` (α may be a vector)."""
    a2 = np.asarray(alpha, float) ** 2
    return float(np.sum(a2 * q_potential(np.asarray(beta, float) / a2)))


def psi(beta, alpha) -> float:
    r"""Pesme et al.'s hyperbolic entropy
    :math:`\psi_\alpha(\beta) = \sum_i \beta_i\,\mathrm{arcsinh}(\beta_i/\alpha_i^2) - \sqrt{\beta_i^2 + \alpha_i^4} + \alpha_i^2`."""
    beta = np.asarray(beta, float)
    a2 = np.asarray(alpha, float) ** 2
    return float(np.sum(beta * np.arcsinh(beta / a2) - np.sqrt(beta**2 + a2**2) + a2))


# --- the link φ = H' of each parametrization -----------------------------------------------------

class Link(NamedTuple):
    r"""A coordinatewise link :math:`\beta = \phi(z)` with :math:`\phi = H'`, H convex on ``|z| < bound``."""

    H: object
    phi: object
    dphi: object
    bound: float


def link(alpha, depth: int = 2, parametrization: str = "difference") -> Link:
    """The link of the GF limit from the scale-α init (module docstring); α may be a vector."""
    a = np.asarray(alpha, float)
    if parametrization == "product":
        c = a**2
        return Link(lambda z: c * np.cosh(z), lambda z: c * np.sinh(z), lambda z: c * np.cosh(z), np.inf)
    if depth == 2:
        c = 2 * a**2
        return Link(lambda z: c * np.cosh(z), lambda z: c * np.sinh(z), lambda z: c * np.cosh(z), np.inf)
    p = depth / (depth - 2)
    c = a**depth
    return Link(
        lambda z: c * (depth - 2) / 2 * ((1 - z) ** (1 - p) + (1 + z) ** (1 - p)),
        lambda z: c * ((1 - z) ** -p - (1 + z) ** -p),
        lambda z: c * p * ((1 - z) ** (-p - 1) + (1 + z) ** (-p - 1)),
        1.0,
    )


class MirrorSolution(NamedTuple):
    beta: np.ndarray
    nu: np.ndarray
    residual: float
    """‖Xβ − y‖∞ at the returned point."""


def mirror_interpolant(X, y, phi: Link) -> MirrorSolution:
    r"""The interpolant :math:`\beta = \phi(X^\top\nu)`, :math:`X\beta = y`: the minimizer of the
    dual :math:`F(\nu) = \sum_i H((X^\top\nu)_i) - y^\top\nu` (module docstring).

    Raises ``ValueError`` if the residual does not reach :data:`RESIDUAL_TOL` relative to
    :math:`1 + \lVert y\rVert_\infty`."""
    X = np.asarray(X, float)
    y = np.asarray(y, float).ravel()

    def F(nu):
        z = X.T @ nu
        if np.max(np.abs(z)) >= phi.bound:
            return np.inf
        return float(np.sum(phi.H(z)) - y @ nu)

    def grad(nu):
        return X @ phi.phi(X.T @ nu) - y

    def hess(nu):
        return (X * phi.dphi(X.T @ nu)) @ X.T

    tol = RESIDUAL_TOL * (1 + np.max(np.abs(y)))
    nu = optimize.minimize(F, np.zeros(X.shape[0]), jac=grad, hess=hess, method="trust-exact",
                           options={"gtol": tol, "maxiter": 2000}).x
    residual = np.max(np.abs(grad(nu)))
    if residual > tol:
        # Near the optimum F's rounding hides the decrease a trust region needs; the gradient's
        # root is still resolved, and Newton–Powell on it converges quadratically from here.
        polished = optimize.root(lambda v: (grad(v), hess(v)), nu, jac=True, method="hybr",
                                 options={"xtol": 1e-15})
        if np.max(np.abs(X.T @ polished.x)) < phi.bound and np.max(np.abs(grad(polished.x))) < residual:
            nu = polished.x
            residual = np.max(np.abs(grad(nu)))
    if not residual <= tol:
        raise ValueError(f"dual Newton solve stopped at residual {residual:.3g} > {tol:.3g}")
    return MirrorSolution(phi.phi(X.T @ nu), nu, float(residual))


def argmin_Q(X, y, alpha, depth: int = 2) -> np.ndarray:
    r"""The GF limit of the ``difference`` network from :math:`u = v = \alpha\mathbf 1`:
    :math:`\arg\min\{Q_\alpha(\beta) : X\beta = y\}` for D = 2, its depth-D analogue
    :math:`\beta = \alpha^D h_D(X^\top\nu)` for D ≥ 3."""
    return mirror_interpolant(X, y, link(alpha, depth, "difference")).beta


def argmin_psi(X, y, alpha) -> np.ndarray:
    r""":math:`\arg\min\{\psi_\alpha(\beta) : X\beta = y\}`: the GF limit of ``product`` from
    :math:`u = \sqrt2\alpha\mathbf 1, v = 0`, and the exact SGD limit for ±1 features at α∞."""
    return mirror_interpolant(X, y, link(alpha, 2, "product")).beta


def interpolant_sensitivity(X, solution: MirrorSolution, phi: Link, dy) -> np.ndarray:
    r"""First-order change of the mirror interpolant when the targets move by ``dy``:
    :math:`\delta\beta = DX^\top(XDX^\top)^{-1}\delta y`, :math:`D = \mathrm{diag}(\phi'(X^\top\nu))`.
    Bounds how far a run stopped at residual ``dy`` is from the limit it is heading to."""
    X = np.asarray(X, float)
    d = phi.dphi(X.T @ solution.nu)
    return d * (X.T @ np.linalg.solve((X * d) @ X.T, np.asarray(dy, float).ravel()))


def effective_scale(alpha, imbalance_initial, imbalance_final) -> np.ndarray:
    r"""α∞ from the product identity: :math:`\alpha_\infty^2 = \alpha^2\,(u^2 - v^2)_\infty/(u^2 - v^2)_0`
    per coordinate, i.e. :math:`\alpha^2\prod_k(1 - \gamma^2 g_k^2)` (module docstring). Equal to α
    under GF, where :math:`u^2 - v^2` is conserved."""
    return np.asarray(alpha, float) * np.sqrt(np.asarray(imbalance_final, float) / np.asarray(imbalance_initial, float))


# --- the margin program of classification ------------------------------------------------------

class MarginSolution(NamedTuple):
    r""":math:`b^*(\mu)`, its multipliers λ (N,) and the KKT residual
    max(primal infeasibility, |λ_S| on the wrong side, complementarity, active-set equality)."""

    b: np.ndarray
    dual: np.ndarray
    kkt_residual: float


def q_margin(Z, mu: float, lower=None, max_rounds: int = 20) -> MarginSolution:
    r""":math:`b^*(\mu) = \arg\min\{Q_{\sqrt\mu}(b) : Zb \ge 1\}`, :math:`Q_{\sqrt\mu}(b) = \sum_i\mu\,q(b_i/\mu)`.

    Dual: :math:`\max_{\lambda\ge0}\sum_n\lambda_n - 2\mu\sum_i(\cosh((Z^\top\lambda)_i) - 1)` with
    :math:`b = 2\mu\sinh(Z^\top\lambda)` (the convex conjugate of :math:`\mu q(\cdot/\mu)` is
    :math:`2\mu(\cosh - 1)`). SciPy's L-BFGS-B (bounds λ ≥ 0) finds the active set S; on S the
    equality-constrained program :math:`\min\{Q : Z_Sb = 1\}` is then solved by the dual Newton
    method of :func:`mirror_interpolant` (residual 1e-13); samples with a negative multiplier
    leave S and violated ones join it until KKT holds. As μ → ∞,
    :math:`Q_{\sqrt\mu} = \lVert b\rVert^2/4\mu + O(\mu^{-3})` and :math:`b^*` is the hard-margin SVM;
    as μ → 0, :math:`Q_{\sqrt\mu}/\log(1/\mu) \to \lVert\cdot\rVert_1` and :math:`b^*` tends to the
    ℓ1 max-margin (only as :math:`1/\log(1/\mu)`). Data that are not separable raise
    :class:`~implicit_bias.errors.SpecError` (the dual is then unbounded).

    ``lower`` (N,) replaces the bounds λ ≥ 0 by λ ≥ ``lower``: then samples with λ > lower are on
    the margin and the others above it (one step of :func:`margin_flow_path`)."""
    Z = np.asarray(Z, float)
    require_separable(Z)
    return _q_margin(Z, mu, np.zeros(Z.shape[0]) if lower is None else np.asarray(lower, float),
                     max_rounds=max_rounds)


def _q_margin(Z: np.ndarray, mu: float, lower: np.ndarray, on_margin=None, max_rounds: int = 20) -> MarginSolution:
    """``on_margin``: a guess of the samples on the margin (a neighbouring μ's); without one,
    L-BFGS-B on the dual makes the guess."""
    N = Z.shape[0]
    base = link(np.sqrt(mu))
    if on_margin is None:
        def negative_dual(lam):
            z = Z.T @ lam
            return 2 * mu * np.sum(np.cosh(z) - 1) - lam.sum(), Z @ (2 * mu * np.sinh(z)) - 1

        # λ ≈ a/(2μ) for large μ (a the SVM's dual): start at that scale, or at the bounds when given.
        start = lower if lower.any() else np.full(N, min(1 / (2 * mu), 1.0))
        with np.errstate(over="ignore", invalid="ignore"):  # trial steps may overflow cosh: L-BFGS-B backtracks
            lam = optimize.minimize(negative_dual, start, jac=True, method="L-BFGS-B",
                                    bounds=list(zip(lower, [None] * N)),
                                    options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10_000}).x
        margins = Z @ base.phi(Z.T @ lam)
        on_margin = (lam - lower > 1e-8 * max(lam.max(), 1e-300)) | (margins < 1 + 1e-8)
    active = np.asarray(on_margin, bool)
    for _ in range(max_rounds):
        # Multipliers held at their bounds enter as a fixed shift z0 of the link's argument.
        z0 = Z[~active].T @ lower[~active]
        phi = Link(lambda z: base.H(z + z0), lambda z: base.phi(z + z0), lambda z: base.dphi(z + z0), np.inf)
        dual = lower.copy()
        if active.any():
            dual[active] = mirror_interpolant(Z[active], np.ones(active.sum()), phi).nu
        b = base.phi(Z.T @ dual)
        margins = Z @ b
        # Rounding tolerances: a degenerate sample (on the margin with λ at its bound) would
        # otherwise leave and rejoin the set forever.
        below = active & (dual < lower - 1e-12 * (1 + np.abs(lower)))
        violated = ~active & (margins < 1 - 1e-12)
        if not below.any() and not violated.any():
            residual = max(float(np.max(np.abs(margins[active] - 1), initial=0.0)),
                           float(np.max(np.maximum(1 - margins, 0))),
                           float(np.max(np.abs((dual - lower) * (margins - 1)))))
            return MarginSolution(b, dual, residual)
        active = (active & ~below) | violated
    raise ValueError(f"active-set polish of the margin program did not settle in {max_rounds} rounds")


def _margin_path(Z, mus, monotone: bool) -> list[MarginSolution]:
    """b* (``monotone=False``) or b∞ (``True``: λ ≥ the previous λ) along the decreasing grid ``mus``."""
    Z = np.asarray(Z, float)
    require_separable(Z)
    zero = np.zeros(Z.shape[0])
    path = [_q_margin(Z, mus[0], zero)]
    for m in mus[1:]:
        lower = path[-1].dual if monotone else zero
        # The previous μ's margin set is the guess: it changes at a few grid points only; where
        # the active-set loop does not settle from it, L-BFGS-B on the bounded dual guesses instead.
        try:
            path.append(_q_margin(Z, m, lower, on_margin=np.abs(Z @ path[-1].b - 1) < 1e-9))
        except ValueError:
            path.append(_q_margin(Z, m, lower))
    return path


def q_margin_path(Z, mus) -> list[MarginSolution]:
    r""":func:`q_margin` at each μ of the decreasing grid ``mus``, each solve warm-started from the last."""
    return _margin_path(Z, mus, monotone=False)


def margin_flow_path(Z, mus) -> list[MarginSolution]:
    r"""The α → ∞ limit :math:`b_\infty(\mu)` of GF's :math:`\beta/\gamma` at each :math:`\mu = \alpha^2/\gamma`
    of the decreasing grid ``mus`` (derived here; ``mus[0]`` large enough that the path starts as b*).

    With :math:`\tilde b = \beta/\alpha^2 = 2\sinh(Z^\top c)` and :math:`s = \gamma/\alpha^2 = 1/\mu`, the
    weights :math:`\dot c_n \propto e^{-\alpha^2(Z\tilde b)_n}` go, as α → ∞, only to the samples at the
    min margin, so c grows (never falls) and keeps every sample it feeds on the margin. Step by
    step this is :func:`q_margin` with the bounds :math:`\lambda \ge \lambda_{k-1}` (implicit Euler:
    its KKT conditions are exactly "λ grew only on the margin, every margin ≥ 1"). Where
    :math:`\lambda^*(\mu)` only grows the bounds never bind and this is :math:`b^*(\mu)` exactly; below
    :func:`margin_path_break` it is not. The grid error is O(Δlog μ) near the μ where bounds start
    to bind, zero elsewhere."""
    return _margin_path(Z, mus, monotone=True)


def margin_path_break(Z, mus) -> float:
    r"""The largest μ of the decreasing grid ``mus`` at which a multiplier of :math:`b^*(\mu)` is
    smaller than at the grid's previous (larger) μ; 0 if the multipliers only grow.

    Why it matters (derived here): along GF, :math:`\mu(t) = \alpha^2/\gamma(t)` falls from ∞, and
    :math:`b(t) = b^*(\mu(t))` would need :math:`c(t) = \lambda^*(\mu(t))` (Z has independent rows), but
    c only grows. So even as α → ∞ the run follows :math:`b^*(\mu)` only down to this μ, and
    :func:`margin_flow_path` after it."""
    duals = np.array([solution.dual for solution in q_margin_path(Z, mus)])
    # Below 1e-9 of the largest multiplier a decrease is the solve's rounding (KKT residual ~1e-13).
    shrinks = np.any(np.diff(duals, axis=0) < -1e-9 * duals.max(), axis=1)
    return float(np.asarray(mus)[1:][shrinks][0]) if shrinks.any() else 0.0


__all__ = ["Link", "MarginSolution", "MirrorSolution", "Q", "RESIDUAL_TOL", "argmin_Q", "argmin_psi", "effective_scale",
           "interpolant_sensitivity", "link", "margin_flow_path", "margin_path_break", "q_margin_path", "min_l1_interpolant", "min_l2_interpolant", "mirror_interpolant",
           "psi", "q_margin", "q_potential"]
