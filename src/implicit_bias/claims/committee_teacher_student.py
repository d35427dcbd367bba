r"""Claims for one-pass SGD on committee networks with label noise (Goldt, Advani, Saxe, Krzakala,
Zdeborová, NeurIPS 2019, "Dynamics of stochastic gradient descent for two-layer neural networks in
the teacher-student setup"), on the overlap ODE of :mod:`implicit_bias.theory.committee`.

What was read of the paper: its abstract (NeurIPS 2019 and arXiv:1901.09085 v1) and its eq. (1),
the teacher :math:`y = \sum_m v^*_m g(w^*_m\cdot x/\sqrt N) + \sigma\zeta` with Gaussian output
noise. The abstract states that the final generalisation error of a student with more units than
its teacher increases with the student's size when only the first layer is trained (v1: "linearly
with the network size"), and stays constant or decreases when both layers are trained. No constant
of the paper is used: the claims below assert the sign of the change with p (growth with a fixed
second layer, none with a trained one), with a tolerance from the solver.

Measured here beyond the claim (σ = 0.5, η = 0.2, p* = 2): after specialization the ODE sits at
ε = 0.0099, 0.0197, 0.0283, 0.0385 for p = 2, 3, 4, 5 (α ≈ 500), growth close to linear in p as the
abstract says. With two or more excess units this is not the end: a pair of excess units drifts
apart along the flat direction :math:`\lambda_k = -\lambda_l` (erf is odd, so the pair cancels in ŷ),
their norms grow (Q_kk ≈ 4.6 by α = 4000) and the saturated units pass on less of the label noise,
so ε(p = 4) falls to 0.0163 by α = 4000, below ε(p = 3). With one excess unit (p = p* + 1) no such
direction exists and the asymptote is a fixed point, which is what the claim compares.
"""

import numpy as np
import jax.numpy as jnp

from ..activations import POPULATION_LOSSES
from ..theory import committee
from ..theory import quadratic_teacher_student as qt
from ._claim import Claim, register

PAPER = "Goldt et al. 2019"
#: erf units, fixed second layers a = b = 1 (the paper's v = v* = 1), p* = 2 orthonormal teacher
#: units (T = I), learning rate and label noise.
P_STAR, ETA, SIGMA = 2, 0.2, 0.5
NOISE_P = (2, 3)
NOISE_ALPHAS = (0.0, 1000.0, 2000.0)


def asymptotic_error(p: int, eta: float = ETA, sigma: float = SIGMA, alphas=NOISE_ALPHAS) -> np.ndarray:
    """Generalization error ½E(ŷ − y_clean)² along the erf overlap ODE with label noise σ, at
    ``alphas``, from the specialized state: units 1…p* at overlap 0.9 with their teacher unit, the
    p − p* excess units at norm 0.1 (Q = diag(0.81, …, 0.01, …))."""
    T = np.eye(P_STAR)
    R0 = np.zeros((p, P_STAR))
    R0[:P_STAR] = 0.9 * T
    Q0 = np.diag([0.81] * P_STAR + [0.01] * (p - P_STAR))
    y = qt.solve_overlaps(Q0, R0, T, 1.0, 1.0, eta, jnp.asarray(alphas), activation="erf", label_noise=sigma)
    loss = POPULATION_LOSSES["erf"]
    return np.asarray([loss(Q, R, jnp.asarray(T), 1.0, 1.0) for Q, R in zip(y.Q, y.M)])


def _measure_noise_growth(results):
    errors = {p: asymptotic_error(p) for p in NOISE_P}
    final = [float(e[-1]) for e in errors.values()]
    # The solution converges exponentially once specialized: its last change bounds the distance
    # to the asymptote (measured from α = 1000 to 2000: 4e-8 at p = 2, 1.4e-6 at p = 3; 1e-8 at p = 3
    # from 2000 to 4000).
    unsettled = sum(abs(float(e[-1] - e[-2])) for e in errors.values())
    detail = {f"eps_p{p}": f for p, f in zip(NOISE_P, final)}
    detail["ratio"] = final[1] / final[0]
    detail["change_alpha_1000_2000"] = unsettled
    return final[0] - final[1], 0.0, unsettled, detail


register(Claim(
    name="goldt_noise_error_grows_with_width",
    paper=PAPER, theorem="asymptotic generalisation error with label noise, fixed second layer",
    statement="with label noise σ = 0.5 and fixed second layers (erf, p* = 2, η = 0.2), the asymptotic "
              "generalisation error of the ODE grows from p = p* to p = p* + 1 (it doubles): measured "
              "ε(p*) − ε(p* + 1) ≤ 0",
    runs={}, measure=_measure_noise_growth, comparison="at_most",
    reason="ε(p* + 1) exceeds ε(p*) only if the difference of the asymptotes is negative beyond how far each "
           "solution still is from its asymptote; after specialization the convergence is exponential, so the "
           "last change (α = 1000 → 2000, measured 1.4e-6 in all; the next doubling changes ε by 1e-8) bounds that distance, and rtol 1e-9 keeps the "
           "integration error below it; the tolerance is that change, so the claim fails unless the growth is "
           "resolved",
))


# --- trained second layer ---------------------------------------------------------------------

TRAINED_ALPHAS = (0.0, 1000.0, 2000.0, 4000.0)


def trained_error(excess_on: bool, eta: float = ETA, sigma: float = SIGMA, alphas=TRAINED_ALPHAS) -> np.ndarray:
    """ε along the erf ODE with the second layer trained (η_v = η) for p = p* + 1, from the
    specialized state of :func:`asymptotic_error` with v = 1. ``excess_on=False`` starts the excess
    unit at w = 0, v = 0, an exact invariant set of the ODE (g(0) = 0 and λ ≡ 0 zero every term of
    its row), so that run is the p = p* student in the same compiled solve."""
    p = P_STAR + 1
    R0 = np.zeros((p, P_STAR))
    R0[:P_STAR] = 0.9 * np.eye(P_STAR)
    Q0 = np.diag([0.81] * P_STAR + [0.01 if excess_on else 0.0])
    v0 = np.array([1.0] * P_STAR + [1.0 if excess_on else 0.0])
    T = jnp.eye(P_STAR)
    y = committee.solve_trained(Q0, R0, v0, T, 1.0, eta, eta, jnp.asarray(alphas), "erf", label_noise=sigma)
    return np.asarray([committee.trained_population_loss(Q, R, v, T, 1.0, "erf") for Q, R, v in zip(y.Q, y.R, y.v)])


def _measure_trained(results):
    base, grown = trained_error(False), trained_error(True)
    # ε(p* + 1) still falls slowly at α = 4000 (its last doubling: −2.9e-5), ε(p*) has settled (2e-7):
    # their last changes bound the distance to the asymptotes if the approach keeps its pace or slows.
    unsettled = abs(float(base[-1] - base[-2])) + abs(float(grown[-1] - grown[-2]))
    return float(grown[-1] - base[-1]), 0.0, unsettled, {
        "eps_p2": float(base[-1]), "eps_p3": float(grown[-1]), "change_last_doubling": unsettled}


register(Claim(
    name="goldt_trained_layer_error_does_not_grow",
    paper=PAPER, theorem="asymptotic generalisation error with label noise, trained second layer",
    statement="with label noise σ = 0.5 and the second layer trained (erf, p* = 2, η = η_v = 0.2), the "
              "asymptotic generalisation error of the ODE does not grow from p = p* to p* + 1: measured "
              "ε(p* + 1) − ε(p*) ≤ 0",
    runs={}, measure=_measure_trained, comparison="at_most",
    reason="as goldt_noise_error_grows_with_width: the difference at α = 4000 (ε = 0.00663 at p*, 0.00482 at "
           "p* + 1, so it falls) counts only beyond how far each run still is from its asymptote, bounded by its "
           "last change (α = 2000 → 4000, 2.9e-5 in all); the runs share one compiled solve (p = p* is the "
           "p* + 1 student with its excess unit at the invariant w = v = 0)",
))
