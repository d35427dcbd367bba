r"""Theory of mirror descent and mirror flow on underdetermined least squares (Gunasekar, Lee,
Soudry & Srebro 2018, "Characterizing implicit bias in terms of optimization geometry", Sec. 2).

Data ``X`` (N×n, N < n), targets ``y``, a separable potential ψ (:class:`~implicit_bias.mirrors.ElementwiseMirror`).
Mirror descent :math:`\nabla\psi(\theta_{k+1}) = \nabla\psi(\theta_k) - \eta\nabla L(\theta_k)` on
:math:`L = \tfrac12\lVert X\theta - y\rVert^2` moves the dual variable by :math:`-\eta X^\top r_k`, so
:math:`\nabla\psi(\theta_k) - \nabla\psi(\theta_0)` stays in the row space of X, whatever the step;
an interpolant with that property satisfies the optimality conditions of

.. math:: \arg\min\{D_\psi(\theta, \theta_0) : X\theta = y\},

so that is where the iterates end whenever they converge to an interpolant (the paper's
Thm. 1; mirror flow is the η → 0 case). The point is :math:`\theta = \nabla\psi^*(z_0 + X^\top\nu)`,
:math:`z_0 = \nabla\psi(\theta_0)`, with ν minimizing the dual
:math:`\sum_i \phi^*((z_0 + X^\top\nu)_i) - y^\top\nu`: N unknowns, solved by
:func:`implicit_bias.theory.diagonal.mirror_interpolant` (SciPy's trust-region Newton, polished
by MINPACK), the same solver that gives the diagonal network's limits.
"""

import jax
import numpy as np

from ..mirrors import ElementwiseMirror
from .diagonal import Link, MirrorSolution, interpolant_sensitivity, mirror_interpolant


def bregman_link(mirror: ElementwiseMirror, theta0) -> Link:
    r"""The link :math:`z \mapsto \nabla\psi^*(z_0 + z)` of the projection from ``theta0``."""
    z0 = np.asarray(mirror.phi_prime(np.asarray(theta0, float)))
    # Elementwise, so the derivative is one JVP along ones (the map's scale may be a vector).
    def slope(z):
        return jax.jvp(mirror.phi_prime_inverse, (z,), (np.ones_like(z),))[1]
    return Link(lambda z: np.asarray(mirror.phi_conjugate(z0 + z)), lambda z: np.asarray(mirror.phi_prime_inverse(z0 + z)),
                lambda z: np.asarray(slope(z0 + z)), np.inf)


def bregman_projection(X, y, mirror: ElementwiseMirror, theta0) -> MirrorSolution:
    r""":math:`\arg\min\{D_\psi(\theta, \theta_0) : X\theta = y\}` (``theta0`` a vector of length n)."""
    return mirror_interpolant(X, y, bregman_link(mirror, theta0))


def projection_sensitivity(X, solution: MirrorSolution, mirror: ElementwiseMirror, theta0, residual) -> np.ndarray:
    """How far a run stopped at ``residual`` = y − Xθ is from the projection it is heading to
    (first order; see :func:`implicit_bias.theory.diagonal.interpolant_sensitivity`)."""
    return interpolant_sensitivity(X, solution, bregman_link(mirror, theta0), residual)
