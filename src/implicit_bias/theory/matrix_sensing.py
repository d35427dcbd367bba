r"""Reference solutions for matrix sensing: the minimum-nuclear-norm interpolant.

Gunasekar et al. (2017) conjecture, and Li, Ma, Zhang (2018) prove under RIP, that gradient
flow on :math:`\Theta = UU^\top` from :math:`U_0 \to 0` ends at
:math:`\arg\min\{\lVert X\rVert_* : \mathcal A(X) = y,\ X \succeq 0\}`; on the PSD cone the
nuclear norm is the trace, so this is a semidefinite program. It is solved by Clarabel (an
interior-point conic solver) through cvxpy: the optional ``refs`` extra.
"""

import warnings

import numpy as np
from scipy.optimize import least_squares

from ..errors import SpecError
from ..problems import MatrixSensing

#: Clarabel's stopping tolerance (gap and feasibility). Interior-point methods stop near 1e-8 to
#: 1e-9 on SDPs whose solution is low rank (strict complementarity fails there), so the
#: solution is then polished on its face of the PSD cone (:func:`polish_on_face`).
SOLVER_TOLERANCE = 1e-8
#: Eigenvalues below this fraction of the largest count as zero when finding the face.
FACE_THRESHOLD = 1e-6


def min_nuclear_norm(problem: MatrixSensing) -> np.ndarray:
    r""":math:`\arg\min_X \operatorname{tr}X` s.t. :math:`\langle A_k, X\rangle = y_k`, :math:`X \succeq 0`.

    Returns the d×d solution, polished by :func:`polish_on_face`. Raises :class:`SpecError` if
    cvxpy is missing or the solver reports neither an optimal nor an optimal-but-inaccurate
    (tolerance not met to the last digit, common for low-rank SDP solutions) status.
    """
    try:
        import cvxpy as cp
    except ImportError:  # the optional 'refs' extra
        raise SpecError("theory", "min_nuclear_norm needs cvxpy with Clarabel",
                        "pip install 'implicit-bias[refs]'") from None
    A, y = np.asarray(problem.A), np.asarray(problem.y)
    d = A.shape[1]
    X = cp.Variable((d, d), PSD=True)
    constraints = [A.reshape(len(y), d * d) @ cp.vec(X, order="C") == y]
    sdp = cp.Problem(cp.Minimize(cp.trace(X)), constraints)
    with warnings.catch_warnings():
        # cvxpy warns on OPTIMAL_INACCURATE; that case is expected here and handled by the polish.
        warnings.filterwarnings("ignore", message="Solution may be inaccurate")
        sdp.solve(solver=cp.CLARABEL, tol_gap_abs=SOLVER_TOLERANCE, tol_gap_rel=SOLVER_TOLERANCE,
                  tol_feas=SOLVER_TOLERANCE)
    if sdp.status not in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE):
        raise SpecError("theory", f"the nuclear-norm SDP ended with status '{sdp.status}'",
                        "check that the measurements are consistent")
    return polish_on_face(problem, (X.value + X.value.T) / 2)


def polish_on_face(problem: MatrixSensing, X: np.ndarray) -> np.ndarray:
    r"""Refine an approximate solution of rank k on the rank-k PSD matrices.

    With :math:`X \approx VSV^\top` (the k eigenvalues above ``FACE_THRESHOLD`` × the largest),
    solve :math:`\mathcal A(ZZ^\top) = y` for Z (d×k) from :math:`Z_0 = VS^{1/2}` by
    Levenberg–Marquardt (SciPy's MINPACK ``least_squares``): where the feasible rank-k point
    near X is locally unique (M ≥ dk − k(k−1)/2 generic measurements), this converges
    quadratically to it, removing the interior-point method's ~1e-7 error. The polished point is
    returned only if it fits the measurements better and lies within ``FACE_THRESHOLD`` · ‖X‖ of X
    (so it is the same solution, refined); otherwise, and when M < dk (too few measurements for
    that uniqueness, and for MINPACK), X is returned unchanged.
    """
    A, y = np.asarray(problem.A), np.asarray(problem.y)
    d = X.shape[0]
    vals, vecs = np.linalg.eigh(X)
    keep = vals > FACE_THRESHOLD * vals.max()
    k = int(keep.sum())
    Z0 = vecs[:, keep] * np.sqrt(vals[keep])
    if len(y) < d * k:
        return X

    def residual(z):
        Z = z.reshape(d, k)
        return np.einsum("mij,ij->m", A, Z @ Z.T) - y

    def jacobian(z):  # ∂⟨A_m, ZZᵀ⟩/∂Z = (A_m + A_mᵀ)Z = 2A_mZ
        return 2 * np.einsum("mij,jk->mik", A, z.reshape(d, k)).reshape(len(y), d * k)

    fit = least_squares(residual, Z0.ravel(), jac=jacobian, method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15)
    Z = fit.x.reshape(d, k)
    polished = Z @ Z.T
    close = np.linalg.norm(polished - X) <= FACE_THRESHOLD * np.linalg.norm(X)
    better = np.linalg.norm(fit.fun) < np.linalg.norm(np.einsum("mij,ij->m", A, X) - y)
    return polished if close and better else X


def tangent_conditioning(problem: MatrixSensing, X: np.ndarray, rank: int) -> float:
    r"""Smallest singular value of the measurement operator on the tangent space at X of the
    rank-r PSD matrices, :math:`T = \{UZ^\top + ZU^\top\}` (:math:`X = UU^\top`):
    :math:`\rho = \min_{\Delta\in T} \lVert\mathcal A(\Delta)\rVert / \lVert\Delta\rVert_F`.
    A rank-r point :math:`X + \Delta` near X with loss L then has
    :math:`\lVert\Delta\rVert_F \le \sqrt{2L}/\rho` to first order."""
    A = np.asarray(problem.A)
    d = X.shape[0]
    vals, vecs = np.linalg.eigh(X)
    U = vecs[:, -rank:] * np.sqrt(np.clip(vals[-rank:], 0, None))
    # Columns: UZᵀ + ZUᵀ for Z running over the unit d×r matrices, flattened.
    units = np.eye(d * rank).reshape(d * rank, d, rank)
    tangents = (np.einsum("ia,pja->pij", U, units) + np.einsum("pia,ja->pij", units, U)).reshape(d * rank, d * d).T
    left, sv, _ = np.linalg.svd(tangents, full_matrices=False)
    basis = left[:, sv > 1e-10 * sv.max()]  # orthonormal basis of T (dimension dr − r(r−1)/2)
    return float(np.linalg.svd(A.reshape(len(A), d * d) @ basis, compute_uv=False).min())


__all__ = ["FACE_THRESHOLD", "SOLVER_TOLERANCE", "min_nuclear_norm", "polish_on_face", "tangent_conditioning"]
