r"""Diagonal linear networks (:mod:`..theory.diagonal`): the regression observables they share with
two-layer nets, the distances to the kernel → rich references, and the effective-scale shrinkage
of (S)GD (Pesme et al. 2021)."""

import jax
import jax.numpy as jnp
import numpy as np

from ..errors import SpecError
from ..mirrors.hyperbolic_entropy import HyperbolicEntropy
from ..models import DiagonalLinear
from ..problems import Regression
from ..theory import diagonal as th
from ..theory import mirror as mirror_theory
from ._base import Observable, extend_to, initial_conserved, register

extend_to("distance_to_min_norm", DiagonalLinear)
extend_to("imbalance_drift", DiagonalLinear)


def _shrinkage(ctx, params):
    r"""Per coordinate :math:`\alpha_\infty/\alpha = \sqrt{I(t)/I(0)}`, I the D = 2 imbalance (u v or
    u² − v²): 1 under GF, :math:`\prod_k(1 - \gamma^2 g_k^2)^{1/2}` under (S)GD (theory.diagonal)."""
    key = "imbalance"
    return jnp.sqrt(ctx.model.conserved(params)[key] / ctx.once(initial_conserved)[key])


register(Observable(
    "scale_shrinkage", "α∞/α: geometric mean over coordinates of √(I(t)/I(0)), I the D = 2 imbalance",
    lambda ctx, p, t: jnp.exp(jnp.mean(jnp.log(_shrinkage(ctx, p)))), models=(DiagonalLinear,)))
register(Observable(
    "scale_shrinkage_spread", "max/min − 1 of α∞/α over coordinates (0: one effective scale for all)",
    lambda ctx, p, t: jnp.max(_shrinkage(ctx, p)) / jnp.min(_shrinkage(ctx, p)) - 1, models=(DiagonalLinear,)))


def _on_host(reference):
    """``reference(X, y, u0, v0)`` (NumPy, SciPy inside) as a constant of the run: a host callback
    in the compiled run, evaluated once per run (``ctx.once``), its result a vector of β's size."""
    def compute(ctx):
        problem, params0 = ctx.objective.problem, ctx.params0

        def host(X, Y, u0, v0):
            return np.asarray(reference(np.asarray(X), np.asarray(Y)[:, 0], np.asarray(u0), np.asarray(v0)), np.float64)
        return jax.pure_callback(host, jax.ShapeDtypeStruct((problem.input_dim,), jnp.float64),
                                 problem.X, problem.Y, params0["u"], params0["v"], vmap_method="sequential")
    return compute


_min_l1 = _on_host(lambda X, y, u0, v0: th.min_l1_interpolant(X, y))


def _gf_limit(X, y, u0, v0):
    # u̇ = −2ug, v̇ = 2vg keep uv, so β̇ = −4√(β² + 4(uv)²)∇L: mirror flow with the hyperbolic
    # entropy of scale 2u₀v₀ from β(0) = u₀² − v₀² (mirrors/hyperbolic_entropy.py); from u = v = α,
    # argmin Q_α.
    return mirror_theory.bregman_projection(X, y, HyperbolicEntropy(jnp.asarray(2 * u0 * v0)), u0**2 - v0**2).beta


_gf_limit_of_run = _on_host(_gf_limit)


def _require_two_layer_difference(model, problem):
    if model.depth != 2 or model.parametrization != "difference":
        raise SpecError("observe.quantities", "distance_to_argmin_q is the limit of β = u² − v² only",
                        "use it with model.depth = 2 and parametrization = \"difference\"")


register(Observable(
    "distance_to_min_l1", "‖β(t) − argmin{‖β‖₁ : Xβ = y}‖ (SciPy HiGHS LP): the rich end of kernel → rich",
    lambda ctx, p, t: jnp.linalg.norm(ctx.model.beta(p) - ctx.once(_min_l1)),
    models=(DiagonalLinear,), problems=(Regression,)))
register(Observable(
    "distance_to_argmin_q", "‖β(t) − GF's limit‖: argmin Q_α from u = v = α (Woodworth et al.); from any u₀v₀ > 0 the "
    "hyperbolic-entropy projection of β(0) (theory.mirror)",
    lambda ctx, p, t: jnp.linalg.norm(ctx.model.beta(p) - ctx.once(_gf_limit_of_run)),
    models=(DiagonalLinear,), problems=(Regression,), validate=_require_two_layer_difference))
