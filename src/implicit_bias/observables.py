r"""Observables: functions of (parameters, time) recorded inside the compiled loop.

Each is registered once, with the models and problems it is defined for, so a spec asking for
an observable that makes no sense for its model fails at validation, not mid-run. Quantities
needing per-run precomputation (the data SVD, the min-norm solution, the initial conserved
quantities) get it from :class:`RunContext`, which computes each once per run.
"""

from collections.abc import Callable
from dataclasses import dataclass

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PyTree

from .dynamics import AbstractDynamics, Objective
from .models import AbstractModel, TwoLayerLinear
from .problems import AbstractProblem, Regression
from .theory import linear_networks as lin


class RunContext:
    """One run's model, problem, initial parameters and (when known) dynamics, with memoized
    precomputations."""

    def __init__(self, objective: Objective, params0: PyTree, dynamics: AbstractDynamics | None = None):
        self.objective, self.model, self.problem, self.params0, self.dynamics = (
            objective, objective.model, objective.problem, params0, dynamics)
        self._memo: dict[Callable, object] = {}

    def once(self, compute: Callable[["RunContext"], object]):
        """``compute(self)``, evaluated at most once per run (per trace)."""
        if compute not in self._memo:
            self._memo[compute] = compute(self)
        return self._memo[compute]


Compute = Callable[[RunContext, PyTree, Float[Array, ""]], Float[Array, ""]]


@dataclass(frozen=True)
class Observable:
    """A named recorded quantity. ``overlay_on`` names the observable whose figure it is drawn
    on as the theory's prediction (dashed)."""

    name: str
    description: str
    compute: Compute
    models: tuple[type[AbstractModel], ...] = (AbstractModel,)
    problems: tuple[type[AbstractProblem], ...] = (AbstractProblem,)
    overlay_on: str | None = None
    requires: Callable[[AbstractModel, AbstractProblem], str | None] | None = None
    """What a particular model or problem must provide beyond its type (a held-out set, a fixed
    output layer): returns what is missing, or None."""

    def applies_to(self, model: type, problem: type) -> bool:
        return issubclass(model, self.models) and issubclass(problem, self.problems)

    def missing(self, model: AbstractModel, problem: AbstractProblem) -> str | None:
        return self.requires(model, problem) if self.requires else None


REGISTRY: dict[str, Observable] = {}


def register(observable: Observable) -> Observable:
    REGISTRY[observable.name] = observable
    return observable


def make_observer(names: tuple[str, ...], objective: Objective, params0: PyTree,
                  dynamics: AbstractDynamics | None = None):
    """``observe(params, t) -> {name: value}`` for the named observables of one run."""
    ctx = RunContext(objective, params0, dynamics)
    chosen = [REGISTRY[name] for name in names]

    def observe(params, t):
        return {o.name: o.compute(ctx, params, t) for o in chosen}

    # Fill the per-run memo now, in the run's own trace: filled lazily inside the solver's
    # inner trace, it would leak that trace's tracers. XLA drops this unused evaluation.
    observe(params0, jnp.zeros(()))
    return observe


# --- generic -------------------------------------------------------------------------------

def _conserved0(ctx):
    return ctx.model.conserved(ctx.params0)


def conserved_drift(quantity: str, models: tuple[type[AbstractModel], ...]) -> Observable:
    """``<quantity>_drift`` = :math:`\\lVert C(t) - C(0)\\rVert_F` for a conserved quantity C
    of the model: zero under exact GF, so it measures the integrator's (or GD's) error."""
    def compute(ctx, params, t):
        return jnp.linalg.norm(ctx.model.conserved(params)[quantity] - ctx.once(_conserved0)[quantity])
    return Observable(f"{quantity}_drift", f"‖{quantity}(t) − {quantity}(0)‖_F (zero under exact GF)",
                      compute, models=models)


register(Observable("loss", "training loss", lambda ctx, p, t: ctx.objective.loss(p)))
register(Observable(
    "param_norm", "‖θ‖² (sum of squared parameters)",
    lambda ctx, p, t: sum(jnp.sum(a**2) for a in jax.tree.leaves(p))))
register(Observable(
    "gradient_norm", "‖∇L(θ)‖",
    lambda ctx, p, t: jnp.sqrt(sum(jnp.sum(g**2) for g in jax.tree.leaves(jax.grad(ctx.objective.loss)(p))))))


# --- regression with a linear end-to-end predictor ------------------------------------------

def _svd(ctx):
    return lin.data_svd(ctx.problem)


def _min_norm(ctx):
    return lin.min_norm_solution(ctx.problem, ctx.once(_svd))


def _loss_star(ctx):
    return lin.optimal_loss(ctx.problem, ctx.once(_svd))


def _rate0(ctx):
    return lin.rate_terms(ctx.params0, ctx.problem, ctx.once(_svd)).rate


register(Observable(
    "distance_to_min_norm", "‖Θ(t) − X⁺Y‖_F, distance of the end-to-end predictor to min-norm",
    lambda ctx, p, t: jnp.linalg.norm(ctx.model.end_to_end(p) - ctx.once(_min_norm)),
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


# --- NTK of two-layer ReLU networks and held-out data (issue 3) -------------------------------
from . import _ntk_observables  # noqa: E402, F401  (registers them)
