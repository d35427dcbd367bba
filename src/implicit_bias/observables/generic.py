r"""Observables of any model and problem: the loss, norms, the gradient, the sharpness."""

import jax
import jax.flatten_util
import jax.numpy as jnp

from ._base import Observable, register

register(Observable("loss", "training loss", lambda ctx, p, t: ctx.objective.loss(p)))
register(Observable(
    "param_norm", "‖θ‖² (sum of squared parameters)",
    lambda ctx, p, t: sum(jnp.sum(a**2) for a in jax.tree.leaves(p))))
register(Observable(
    "gradient_norm", "‖∇L(θ)‖",
    lambda ctx, p, t: jnp.sqrt(sum(jnp.sum(g**2) for g in jax.tree.leaves(jax.grad(ctx.objective.loss)(p))))))
register(Observable(
    "predictor_norm", "‖Θ‖_F, the end-to-end matrix's Frobenius norm",
    lambda ctx, p, t: jnp.linalg.norm(ctx.model.end_to_end(p))))
register(Observable(
    "nuclear_norm", "‖Θ‖_*, the sum of the end-to-end matrix's singular values",
    lambda ctx, p, t: jnp.sum(jnp.linalg.svd(ctx.model.end_to_end(p), compute_uv=False))))


def _sharpness(ctx, params, t):
    flat, unravel = jax.flatten_util.ravel_pytree(params)
    return jnp.linalg.eigvalsh(jax.hessian(lambda x: ctx.objective.loss(unravel(x)))(flat))[-1]


register(Observable(
    "sharpness", "λ_max(∇²L(θ)), the largest Hessian eigenvalue (GD is stable near a minimum iff η < 2/λ_max)",
    _sharpness))
