r"""Two-layer linear networks Θ = UVᵀ on regression (Min et al. 2021; :mod:`..theory.linear_networks`):
distance to the min-norm solution, the conserved imbalance, the convergence-rate bound."""

import jax
import jax.numpy as jnp

from ..models import TwoLayerLinear
from ..problems import Regression
from ..theory import linear_networks as lin
from ._base import Observable, conserved_drift, register

def _svd(ctx):
    return lin.data_svd(ctx.problem)


def min_norm(ctx):
    return lin.min_norm_solution(ctx.problem, ctx.once(_svd))


def _loss_star(ctx):
    return lin.optimal_loss(ctx.problem, ctx.once(_svd))


def _rate0(ctx):
    return lin.rate_terms(ctx.params0, ctx.problem, ctx.once(_svd)).rate


register(Observable(
    "distance_to_min_norm", "‖Θ(t) − X⁺Y‖_F, distance of the end-to-end predictor to min-norm",
    lambda ctx, p, t: jnp.linalg.norm(ctx.model.end_to_end(p) - ctx.once(min_norm)),
    models=(TwoLayerLinear,), problems=(Regression,)))
register(conserved_drift("imbalance", models=(TwoLayerLinear,)))
register(Observable(
    "paper_imbalance_drift", "‖D(t) − D(0)‖_F for the paper's D = U₁ᵀU₁ − VᵀV",
    lambda ctx, p, t: jnp.linalg.norm(lin.imbalance(p, ctx.once(_svd)) - lin.imbalance(ctx.params0, ctx.once(_svd))),
    models=(TwoLayerLinear,), problems=(Regression,)))
register(Observable(
    "loss_bound", "Min et al.'s bound L* + exp(−λ_r(Σ) c(0) t)(L(0) − L*)",
    lambda ctx, p, t: lin.loss_bound(t, ctx.objective.loss(ctx.params0), ctx.once(_loss_star), ctx.once(_rate0)),
    models=(TwoLayerLinear,), problems=(Regression,), overlay_on="loss"))
register(Observable(
    "instantaneous_rate", "−(d/dt)(L − L*)/(L − L*) = ‖∇L‖²/(L − L*) along gradient flow",
    lambda ctx, p, t: sum(jnp.sum(g**2) for g in jax.tree.leaves(jax.grad(ctx.objective.loss)(p)))
    / (ctx.objective.loss(p) - ctx.once(_loss_star)),
    models=(TwoLayerLinear,), problems=(Regression,)))
register(Observable(
    "instantaneous_rate_bound", "the rate bound λ_r(Σ)c(t) at the current point",
    lambda ctx, p, t: lin.rate_terms(p, ctx.problem, ctx.once(_svd), instantaneous=True).rate,
    models=(TwoLayerLinear,), problems=(Regression,), overlay_on="instantaneous_rate"))
register(Observable(
    "null_space_offset", "‖U₂Vᵀ‖_F: the distance to min-norm that remains at zero loss",
    lambda ctx, p, t: lin.null_space_offset(p, ctx.once(_svd)),
    models=(TwoLayerLinear,), problems=(Regression,), overlay_on="distance_to_min_norm"))
