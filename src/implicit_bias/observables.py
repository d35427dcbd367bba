r"""Observables: functions of (parameters, time) recorded inside the compiled loop.

Each is registered once, with the models and problems it is defined for, so a spec asking for
an observable that makes no sense for its model fails at validation, not mid-run. Quantities
needing per-run precomputation (the data SVD, the min-norm solution, the initial conserved
quantities) get it from :class:`RunContext`, which computes each once per run.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

import jax
import jax.flatten_util
import jax.numpy as jnp
from jaxtyping import Array, Float, PyTree

from .dynamics import AbstractDynamics, Objective
from .models import AbstractModel, DiagonalLinear, TwoLayerLinear
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


# --- diagonal linear networks (theory.diagonal) ----------------------------------------------

def _extend_to(name: str, *model_types: type[AbstractModel]) -> None:
    """Declare an observable defined on more models (additive: other families extend it too)."""
    REGISTRY[name] = replace(REGISTRY[name], models=REGISTRY[name].models + model_types)


_extend_to("distance_to_min_norm", DiagonalLinear)
_extend_to("imbalance_drift", DiagonalLinear)


def _shrinkage(ctx, params):
    r"""Per coordinate :math:`\alpha_\infty/\alpha = \sqrt{I(t)/I(0)}`, I the D = 2 imbalance (u v or
    u² − v²): 1 under GF, :math:`\prod_k(1 - \gamma^2 g_k^2)^{1/2}` under (S)GD (theory.diagonal)."""
    key = "imbalance"
    return jnp.sqrt(ctx.model.conserved(params)[key] / ctx.once(_conserved0)[key])


register(Observable(
    "scale_shrinkage", "α∞/α: geometric mean over coordinates of √(I(t)/I(0)), I the D = 2 imbalance",
    lambda ctx, p, t: jnp.exp(jnp.mean(jnp.log(_shrinkage(ctx, p)))), models=(DiagonalLinear,)))
register(Observable(
    "scale_shrinkage_spread", "max/min − 1 of α∞/α over coordinates (0: one effective scale for all)",
    lambda ctx, p, t: jnp.max(_shrinkage(ctx, p)) / jnp.min(_shrinkage(ctx, p)) - 1, models=(DiagonalLinear,)))


# --- GD versus gradient flow (Elkabetz & Cohen 2021) ----------------------------------------

def _sharpness(ctx, params, t):
    flat, unravel = jax.flatten_util.ravel_pytree(params)
    return jnp.linalg.eigvalsh(jax.hessian(lambda x: ctx.objective.loss(unravel(x)))(flat))[-1]


register(Observable(
    "sharpness", "λ_max(∇²L(θ)), the largest Hessian eigenvalue (GD is stable near a minimum iff η < 2/λ_max)",
    _sharpness))


# --- classification: margins and max-margin directions (Soudry et al. 2018; Lyu & Li 2020) ---
# Separate module: the block is large; imported here so the registry holds it.
from . import observables_margin  # noqa: E402, F401


# --- quadratic teacher–student (online) --------------------------------------------------

from .models import QuadraticNetwork  # noqa: E402
from .problems import OnlineTeacherStudent  # noqa: E402
from .theory import quadratic_teacher_student as qts  # noqa: E402


def _qts_overlaps(ctx, params):
    return qts.overlaps(params["W"], ctx.problem.teacher)


def _qts_procrustes_r(ctx):
    return qts.polar(_qts_overlaps(ctx, ctx.params0)[1])


def _qts_procrustes_distance(ctx, params, t):
    Q, M, T = _qts_overlaps(ctx, params)
    return qts.procrustes_distance(Q, M, T, ctx.once(_qts_procrustes_r), ctx.model.output_scale,
                                   ctx.problem.teacher_scale)


_QTS = dict(models=(QuadraticNetwork,), problems=(OnlineTeacherStudent,))
register(Observable("overlap_m_norm", "‖M‖_F, M = WW*ᵀ/N (student–teacher overlaps)",
                    lambda ctx, p, t: jnp.linalg.norm(_qts_overlaps(ctx, p)[1]), **_QTS))
register(Observable("overlap_q_trace", "tr Q, Q = WWᵀ/N",
                    lambda ctx, p, t: jnp.trace(_qts_overlaps(ctx, p)[0]), **_QTS))
register(Observable("polar_m_drift", "‖polar M(t) − polar M(0)‖_F (conserved for isotropic init, T = I)",
                    lambda ctx, p, t: jnp.linalg.norm(qts.polar(_qts_overlaps(ctx, p)[1]) - ctx.once(_qts_procrustes_r)),
                    **_QTS))
register(Observable("procrustes_distance", "‖W − √(b/a) R W*‖_F/√N, R = polar M(0): distance to the "
                    "zero-loss point closest to the init", _qts_procrustes_distance, **_QTS))


# --- deep linear networks and matrix factorization (deep_linear, sensing, completion) -------
from .models import DeepLinear  # noqa: E402
from .problems import MatrixCompletion, MatrixSensing  # noqa: E402
from .theory import deep_linear as deep  # noqa: E402

#: Target modes recorded as ``mode_1`` … (Saxe's mode strengths); larger k are not recorded.
N_MODES = 4


def _target_svd(ctx):
    A, s, Bt = jnp.linalg.svd(ctx.once(_min_norm), full_matrices=False)
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
    "predictor_norm", "‖Θ‖_F, the end-to-end matrix's Frobenius norm",
    lambda ctx, p, t: jnp.linalg.norm(ctx.model.end_to_end(p))))
register(Observable(
    "nuclear_norm", "‖Θ‖_*, the sum of the end-to-end matrix's singular values",
    lambda ctx, p, t: jnp.sum(jnp.linalg.svd(ctx.model.end_to_end(p), compute_uv=False))))
register(Observable(
    "target_distance", "‖Θ − X*‖_F / ‖X*‖_F, relative distance to the matrix that was measured",
    lambda ctx, p, t: jnp.linalg.norm(ctx.model.end_to_end(p) - ctx.once(_target)) / jnp.linalg.norm(ctx.once(_target)),
    problems=(MatrixSensing,)))
register(Observable(
    "unobserved_times_residual", "max over unobserved (i, j) of |Θ_ij|·√(2L) (Razin & Cohen's |W₁₁|·√(2L) in 2×2)",
    _unobserved_times_residual, problems=(MatrixCompletion,)))


# --- NTK of two-layer ReLU networks and held-out data (issue 3) -------------------------------
from . import observables_ntk  # noqa: E402, F401  (registers them)
