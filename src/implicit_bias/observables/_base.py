r"""What an observable is, the registry, and the per-run context they share (:class:`RunContext`)."""

from collections.abc import Callable
from dataclasses import dataclass, replace

import jax.numpy as jnp
from jaxtyping import Array, Float, PyTree

from ..dynamics import AbstractDynamics, Objective
from ..models import AbstractModel
from ..problems import AbstractProblem


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
    #: ``validate(model, problem)`` raises :class:`SpecError` when this run's data or model
    #: cannot define it (e.g. a max-margin direction of non-separable data); run at build time.
    validate: Callable[[AbstractModel, AbstractProblem], None] | None = None

    def applies_to(self, model: type, problem: type) -> bool:
        return issubclass(model, self.models) and issubclass(problem, self.problems)


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


def extend_to(name: str, *model_types: type[AbstractModel]) -> None:
    """Declare an observable defined on more models (additive: other families extend it too)."""
    REGISTRY[name] = replace(REGISTRY[name], models=REGISTRY[name].models + model_types)


def initial_conserved(ctx):
    return ctx.model.conserved(ctx.params0)


def conserved_drift(quantity: str, models: tuple[type[AbstractModel], ...]) -> Observable:
    """``<quantity>_drift`` = :math:`\\lVert C(t) - C(0)\\rVert_F` for a conserved quantity C
    of the model: zero under exact GF, so it measures the integrator's (or GD's) error."""
    def compute(ctx, params, t):
        return jnp.linalg.norm(ctx.model.conserved(params)[quantity] - ctx.once(initial_conserved)[quantity])
    return Observable(f"{quantity}_drift", f"‖{quantity}(t) − {quantity}(0)‖_F (zero under exact GF)",
                      compute, models=models)
