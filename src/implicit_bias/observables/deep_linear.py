r"""Deep linear networks and matrix factorization (:mod:`..theory.deep_linear`): mode strengths,
balancedness, the end-to-end ODE, matrix sensing and completion."""

import jax
import jax.numpy as jnp

from ..models import DeepLinear
from ..problems import MatrixCompletion, MatrixSensing, Regression
from ..theory import deep_linear as deep
from ._base import Observable, conserved_drift, register
from .linear_networks import min_norm

#: Target modes recorded as ``mode_1`` … (Saxe's mode strengths); larger k are not recorded.
N_MODES = 4


def _target_svd(ctx):
    A, s, Bt = jnp.linalg.svd(ctx.once(min_norm), full_matrices=False)
    return A, s, Bt.T


def _mode(k: int) -> Observable:
    def compute(ctx, p, t):
        A, s, B = ctx.once(_target_svd)
        if k > s.shape[0]:  # static: this target has fewer modes
            return jnp.asarray(jnp.nan)
        return A[:, k - 1] @ ctx.model.end_to_end(p) @ B[:, k - 1]
    return Observable(f"mode_{k}", f"a_{k}ᵀ Θ b_{k}: strength of the target X⁺Y's {k}-th singular pair in Θ",
                      compute, problems=(Regression,))


def _theta_gradient(ctx, theta):
    """∇_Θ of the loss, through the depth-1 linear model Θ = W₁ (every problem here is a loss of Θ)."""
    plain = DeepLinear(*theta.shape, ())
    return jax.grad(lambda w: ctx.problem.loss(plain, {"W1": w}))(theta)


def _end_to_end_ode_residual(ctx, p, t):
    velocity = jax.tree.map(jnp.negative, jax.grad(ctx.objective.loss)(p))
    _, actual = jax.jvp(ctx.model.end_to_end, (p,), (velocity,))
    theta = ctx.model.end_to_end(p)
    predicted = deep.end_to_end_velocity(theta, _theta_gradient(ctx, theta), ctx.model.depth)
    return jnp.linalg.norm(actual - predicted) / jnp.linalg.norm(actual)


def _target(ctx):
    return ctx.problem.target


def _unobserved_times_residual(ctx, p, t):
    theta = ctx.model.end_to_end(p)
    observed = jnp.zeros(theta.shape, bool).at[ctx.problem.rows, ctx.problem.cols].set(True)
    return jnp.max(jnp.where(observed, 0.0, jnp.abs(theta))) * jnp.sqrt(2 * ctx.objective.loss(p))


for _k in range(1, N_MODES + 1):
    register(_mode(_k))
register(conserved_drift("balancedness", models=(DeepLinear,)))
register(Observable(
    "end_to_end_ode_residual", "‖Θ̇ − Θ̇_balanced‖/‖Θ̇‖: the measured end-to-end velocity vs Arora et al.'s balanced ODE",
    _end_to_end_ode_residual, models=(DeepLinear,)))
register(Observable(
    "target_distance", "‖Θ − X*‖_F / ‖X*‖_F, relative distance to the matrix that was measured",
    lambda ctx, p, t: jnp.linalg.norm(ctx.model.end_to_end(p) - ctx.once(_target)) / jnp.linalg.norm(ctx.once(_target)),
    problems=(MatrixSensing,)))
register(Observable(
    "unobserved_times_residual", "max over unobserved (i, j) of |Θ_ij|·√(2L) (Razin & Cohen's |W₁₁|·√(2L) in 2×2)",
    _unobserved_times_residual, problems=(MatrixCompletion,)))
