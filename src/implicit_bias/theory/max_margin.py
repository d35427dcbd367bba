r"""Max-margin predictions for exponential-tailed losses on separable data.

Soudry, Hoffer, Nacson, Gunasekar, Srebro (2018), *The implicit bias of gradient descent on
separable data* (arXiv:1710.10345); Lyu & Li (2020), arXiv:1906.05890. Labels are folded into
the inputs, :math:`z_n = y_n x_n` (rows of Z); time is gradient-flow time t (GD after k steps
of size η is at t = kη).

- Hard-margin SVM :math:`\hat w = \arg\min\{\lVert w\rVert^2 : Zw \ge 1\}` with dual variables
  :math:`a \ge 0`, :math:`\hat w = Z^\top a`, :math:`a_n > 0` only on support vectors S.
- Linear model, GF or GD with a stable step: :math:`w(t) = \hat w\log t + \tilde w + o(1)` with
  :math:`\exp(-z_n^\top\tilde w) = a_n` on S. In iterations k = t/η this is Soudry et al.'s
  :math:`\eta\exp(-z_n^\top\tilde w_k) = a_n` with :math:`\tilde w_k = \tilde w + \hat w\log\eta`:
  one correction for GF and every stable GD step. Hence :math:`t\,L(t)\to\sum_S a_n =
  \lVert\hat w\rVert^2` (i.e. :math:`k\,L \to \lVert\hat w\rVert^2/\eta`).
- ℓ1 max-margin :math:`\arg\min\{\lVert w\rVert_1 : Zw\ge 1\}` (LP), the limit of steepest
  descent in ℓ1 and of small-init diagonal networks; ℓ∞ max-margin
  :math:`\arg\max\{\min_n z_n^\top w : \lVert w\rVert_\infty\le 1\}` (LP), the limit of sign descent
  and of Adam (Gunasekar et al. 2018; Zhang, Zou & Cao 2024).
- Smoothed margin :math:`\ell^{-1}(L)/\lVert\theta\rVert^k` of a k-homogeneous model (computed in
  log space by :func:`implicit_bias.problems.classification.inverse_loss`; observable
  ``smoothed_margin``). The finite-t angle of :math:`\hat w\log t + \tilde w` to
  :math:`\hat w` is the observable ``predicted_angle_to_max_margin``.

Solvers: the SVM is a least-distance program, solved exactly by Lawson & Hanson's reduction to
non-negative least squares (``scipy.optimize.nnls``, an active-set method) and polished on its
active set; separability and the ℓ1 problem are LPs solved by HiGHS (``scipy.optimize.linprog``).
All run on the host (NumPy), once per data set.
"""

from typing import NamedTuple

import numpy as np
from scipy.optimize import linprog, nnls
from scipy.special import logsumexp

from ..errors import SpecError

#: Margins below this (relative to max|Z|) count as "not separable": the LP solves to ~1e-12.
SEPARABILITY_TOL = 1e-9


def _linf_margin_lp(Z: np.ndarray) -> tuple[np.ndarray, float]:
    r""":math:`(w^*, \gamma^*)` with :math:`\gamma^* = \max\{\min_n z_n^\top w : \lVert w\rVert_\infty \le 1\}`
    (HiGHS LP)."""
    Z = np.asarray(Z, float)
    N, n = Z.shape
    # Variables (w, γ): maximize γ subject to γ − z_nᵀw ≤ 0, |w_i| ≤ 1.
    c = np.zeros(n + 1)
    c[-1] = -1.0
    A = np.hstack([-Z, np.ones((N, 1))])
    res = linprog(c, A_ub=A, b_ub=np.zeros(N), bounds=[(-1, 1)] * n + [(None, None)], method="highs")
    if res.status != 0:
        raise RuntimeError(f"ℓ∞ margin LP failed: {res.message}")
    return res.x[:n], float(res.x[-1])


def separability_margin(Z: np.ndarray) -> float:
    r""":math:`\gamma^* = \max\{\min_n z_n^\top w : \lVert w\rVert_\infty \le 1\}` (HiGHS LP).

    Positive iff the data are strictly separable by a hyperplane through the origin."""
    return _linf_margin_lp(Z)[1]


def hinge_violation(Z: np.ndarray) -> tuple[float, int]:
    r""":math:`\min_w \sum_n \max(0, 1 - z_n^\top w)` (HiGHS LP) and how many samples violate
    the margin at that optimum: zero iff Z is separable, and a measure of how far it is if not."""
    Z = np.asarray(Z, float)
    N, n = Z.shape
    # Variables (w, ξ): minimize Σξ subject to −z_nᵀw − ξ_n ≤ −1, ξ ≥ 0.
    res = linprog(np.concatenate([np.zeros(n), np.ones(N)]), A_ub=np.hstack([-Z, -np.eye(N)]), b_ub=-np.ones(N),
                  bounds=[(None, None)] * n + [(0, None)] * N, method="highs")
    if res.status != 0:
        raise RuntimeError(f"hinge LP failed: {res.message}")
    return float(res.fun), int(np.sum(res.x[n:] > 1e-9))


def require_separable(Z: np.ndarray, field: str = "problem.data") -> float:
    """Raise :class:`SpecError` (with what the LPs found) unless Z is strictly separable; return γ*."""
    gamma = separability_margin(Z)
    if gamma <= SEPARABILITY_TOL * max(1.0, float(np.abs(Z).max())):
        violation, count = hinge_violation(Z)
        raise SpecError(field, f"the data are not linearly separable through the origin: the LP's best margin "
                               f"max_(‖w‖∞≤1) min_n y_n x_nᵀw is {gamma + 0.0:.3g}, and the least total hinge "
                               f"violation min_w Σ max(0, 1 − y_n x_nᵀw) is {violation:.4g} ({count} samples "
                               "inside the margin), so there is no max-margin solution",
                        "use separable data (data = 'separable'), or a claim/observable that does not need a "
                        "max-margin solution")
    return gamma


class MaxMargin(NamedTuple):
    r"""The hard-margin SVM: ``w`` = :math:`\hat w`, ``dual`` = a (N,), ``support`` = the
    mask :math:`a_n > 0`; the geometric margin is :math:`1/\lVert\hat w\rVert`."""

    w: np.ndarray
    dual: np.ndarray
    support: np.ndarray

    @property
    def margin(self) -> float:
        return 1.0 / float(np.linalg.norm(self.w))


def hard_margin_svm(Z: np.ndarray, field: str = "problem.data") -> MaxMargin:
    r"""Solve :math:`\min\tfrac12\lVert w\rVert^2` s.t. :math:`Zw \ge 1` and its dual.

    Lawson–Hanson: with :math:`E = [Z^\top; \mathbf 1^\top]` and :math:`f = e_{n+1}`, the NNLS
    solution u of :math:`\min_{u\ge0}\lVert Eu - f\rVert` has residual r with
    :math:`r_{n+1} < 0` when Z is separable, and then :math:`a = u/(-r_{n+1})`,
    :math:`\hat w = Z^\top a`. The active set S is then polished: :math:`Z_SZ_S^\top a_S = 1`,
    :math:`\hat w = Z_S^\top a_S`, which makes every support margin 1 to rounding.
    """
    Z = np.asarray(Z, float)
    require_separable(Z, field)
    N, n = Z.shape
    E = np.vstack([Z.T, np.ones((1, N))])
    f = np.zeros(n + 1)
    f[-1] = 1.0
    u, _ = nnls(E, f, maxiter=50 * (N + n))
    r = E @ u - f
    a = u / -r[-1]
    support = a > 1e-10 * a.max()
    polished = np.zeros(N)
    polished[support] = np.linalg.lstsq(Z[support] @ Z[support].T, np.ones(support.sum()), rcond=None)[0]
    # Keep the polish only if it stays a KKT point (it does unless S was misidentified).
    w = Z.T @ polished
    if np.all(polished[support] > 0) and np.all(Z @ w >= 1 - 1e-9):
        a = polished
    return MaxMargin(w=Z.T @ a, dual=a, support=support)


def off_support_projector(Z: np.ndarray) -> np.ndarray:
    r""":math:`I - P_S`, the orthogonal projector onto the complement of the span of the support
    vectors :math:`\{z_n : a_n > 0\}` (zero when they span the input space)."""
    Z = np.asarray(Z, float)
    svm = hard_margin_svm(Z)
    basis = np.linalg.svd(Z[svm.support], full_matrices=False)[2]
    return np.eye(Z.shape[1]) - basis.T @ basis


def finite_time_correction(Z: np.ndarray, svm: MaxMargin) -> np.ndarray:
    r""":math:`\tilde w` with :math:`z_n^\top\tilde w = -\log a_n` on the support vectors.

    It is unique when the support vectors span :math:`\mathbb R^n` (generic when |S| = n);
    otherwise the part of :math:`\tilde w` orthogonal to them depends on the initialization
    and on the other samples, and this raises.
    """
    Z = np.asarray(Z, float)
    Zs = Z[svm.support]
    if np.linalg.matrix_rank(Zs) < Z.shape[1]:
        raise ValueError(f"the {Zs.shape[0]} support vectors span fewer than {Z.shape[1]} dimensions, so w̃ is not "
                         "determined by them; use data whose support vectors span the input space")
    return np.linalg.lstsq(Zs, -np.log(svm.dual[svm.support]), rcond=None)[0]


def residual_decay_exponent(Z: np.ndarray, svm: MaxMargin, loss: str = "exponential") -> float:
    r"""μ in :math:`\lVert w(t) - \hat w\log t - 	ilde w
Vert = O(t^{-\mu})` (derived here).

    With :math:`w = \hat w\log t + 	ilde w + r` and s = log t, exact GF gives
    :math:`dr/ds = \sum_S a_nz_n(e^{-z_n^	op r} - 1) + \sum_{n
otin S} c_nz_n e^{-(	heta_n-1)s}`
    with :math:`	heta_n = z_n^	op\hat w > 1`: linearized, :math:`dr/ds = -Mr + 	ext{forcing}`,
    :math:`M = Z_S^	op\mathrm{diag}(a)Z_S` (which has :math:`M\hat w = \hat w`). So r decays like
    :math:`t^{-\mu}`, :math:`\mu = \min(\lambda_{\min}(M), 	heta_2 - 1)`, :math:`	heta_2` the
    smallest non-support margin. The logistic loss adds a relative O(1/t) term
    (:math:`-\ell'(m) = e^{-m} - e^{-2m} + \dots`), capping μ at 1.
    """
    Z = np.asarray(Z, float)
    Zs, a = Z[svm.support], svm.dual[svm.support]
    mu = float(np.linalg.eigvalsh(Zs.T @ (a[:, None] * Zs)).min())
    others = Z[~svm.support] @ svm.w
    if others.size:
        mu = min(mu, float(others.min()) - 1.0)
    return min(mu, 1.0) if loss == "logistic" else mu


def loss_time_limit(svm: MaxMargin) -> float:
    r""":math:`\lim_t t\,L(w(t)) = \sum_S a_n = \lVert\hat w\rVert^2` (GF time)."""
    return float(svm.w @ svm.w)


def l1_max_margin(Z: np.ndarray, field: str = "problem.data") -> np.ndarray:
    r""":math:`\arg\min\{\lVert w\rVert_1 : Zw \ge 1\}` (HiGHS LP on :math:`w = p - q`, p, q ≥ 0)."""
    Z = np.asarray(Z, float)
    require_separable(Z, field)
    N, n = Z.shape
    res = linprog(np.ones(2 * n), A_ub=np.hstack([-Z, Z]), b_ub=-np.ones(N), bounds=[(0, None)] * (2 * n),
                  method="highs")
    if res.status != 0:
        raise RuntimeError(f"ℓ1 max-margin LP failed: {res.message}")
    return res.x[:n] - res.x[n:]


def linf_max_margin(Z: np.ndarray, field: str = "problem.data") -> np.ndarray:
    r""":math:`\arg\max\{\min_n z_n^\top w : \lVert w\rVert_\infty \le 1\}` (the LP of
    :func:`separability_margin`): the limit direction of sign descent (ℓ∞ steepest descent) and of
    Adam (Zhang, Zou & Cao 2024). HiGHS solves it to ~1e-9 in the margin, far below the gaps the
    claims resolve (≥ 1e-4), so it is not polished."""
    require_separable(Z, field)
    return _linf_margin_lp(Z)[0]


#: The three max-margin problems by the order of their norm: argmax{min_n z_nᵀw : ‖w‖_p ≤ 1} up to scale.
MAX_MARGIN_BY_NORM = {1: l1_max_margin, 2: lambda Z: hard_margin_svm(Z).w, np.inf: linf_max_margin}


def normalized_margin(Z: np.ndarray, w: np.ndarray, norm: float) -> float:
    r""":math:`\min_n z_n^\top w / \lVert w\rVert_p` (p = ``norm``: 1, 2 or ``np.inf``)."""
    return float(np.min(np.asarray(Z, float) @ w) / np.linalg.norm(w, norm))


def steepest_descent_margin_gap_bound(Z: np.ndarray, w0: np.ndarray, step_sum: float, step_square_sum: float,
                                      norm: float) -> float:
    r"""A bound on :math:`\gamma_p^* - \min_n z_n^\top w_K/\lVert w_K\rVert_p` after K normalized
    steepest-descent steps in ℓp (derived here) on the exponential loss from :math:`w_0`, step
    lengths :math:`\eta_k`, ``step_sum`` :math:`S_1 = \sum\eta_k`, ``step_square_sum``
    :math:`S_2 = \sum\eta_k^2`:

    .. math:: \gamma_p^* - \gamma_p(w_K) \le
              \frac{\gamma_p^*\lVert w_0\rVert_p + \mathrm{LSE}(-Zw_0) + B^2S_2/2}{\lVert w_0\rVert_p + S_1},
              \qquad B = \max_n\lVert z_n\rVert_q,\ 1/p + 1/q = 1.

    Proof: the steps :math:`w_{k+1} = w_k - \eta_k d_k`, :math:`d_k = \arg\max_{\lVert d\rVert_p\le1}
    \langle\nabla\ell, d\rangle` on :math:`\ell(w) = \mathrm{LSE}(-Zw)` (the log of the loss, whose
    gradient has the loss's direction) gain :math:`\eta_k\lVert\nabla\ell\rVert_q` to first order,
    and :math:`\lVert\nabla\ell\rVert_q = \lVert Z^\top p\rVert_q \ge \sum_n p_nz_n^\top u^* \ge \gamma_p^*`
    (p the softmax weights, u* the max-margin direction); the second-order term is
    :math:`\tfrac12\eta_k^2\,\mathrm{Var}_p(z^\top d) \le \tfrac12\eta_k^2B^2`. So
    :math:`-\ell(w_K) \ge -\ell(w_0) + \gamma_p^*S_1 - B^2S_2/2`, while
    :math:`\min_n z_n^\top w \ge -\ell(w)` and :math:`\lVert w_K\rVert_p \le \lVert w_0\rVert_p + S_1`.
    With :math:`\eta_k \propto 1/\sqrt{k}` the bound falls like :math:`\log K/\sqrt K` (Gunasekar et
    al. 2018 prove the limit, not this rate).
    """
    Z, w0 = np.asarray(Z, float), np.asarray(w0, float)
    gamma = normalized_margin(Z, MAX_MARGIN_BY_NORM[norm](Z), norm)
    dual = {1: np.inf, 2: 2, np.inf: 1}[norm]
    B = max(np.linalg.norm(z, dual) for z in Z)
    start = np.linalg.norm(w0, norm)
    return float((gamma * start + logsumexp(-Z @ w0) + B**2 * step_square_sum / 2) / (start + step_sum))


__all__ = ["MAX_MARGIN_BY_NORM", "MaxMargin", "finite_time_correction", "hard_margin_svm", "hinge_violation",
           "l1_max_margin", "linf_max_margin", "loss_time_limit", "normalized_margin", "require_separable",
           "residual_decay_exponent", "separability_margin", "steepest_descent_margin_gap_bound"]
