r"""The one discrete-time dynamics: steps of an optax transformation on the loss's gradient,
full-batch (gradient descent) or on mini-batches (SGD, on a data set or online)."""

from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import optax
from jaxtyping import Array, Float, PRNGKeyArray, PyTree
from pydantic import Field, PositiveFloat, PositiveInt, model_validator

from ..components import Section, scalar
from ..errors import SpecError
from ..mirrors import MirrorMap
from ..mirrors.euclidean import Euclidean
from ..optimizers import Optax
from ..optimizers.schedules import ConstantSpec, constant
from ..optimizers.sgd import SGDOptimizerSpec
from ._base import AbstractDynamics, DynamicsSpec, Objective, Observer, Trajectory
from ._iterate import iterate

OBJECTIVES = ("loss", "log_loss")


class DiscreteDynamics(AbstractDynamics):
    r"""Steps :math:`\theta_{k+1} = \theta_k + u_k` with :math:`u_k` the update of ``optimizer``
    (an :class:`~implicit_bias.optimizers.Optax`, built with the learning rate ``schedule(lr)``)
    applied to a gradient :math:`g_k`, up to time ``t_max`` (at most ``max_steps`` steps).

    The gradient is

    - full-batch (``batch_size=None``): :math:`g_k = \nabla L(\theta_k)`. With plain steps
      (``optax.sgd``) this is gradient descent, the explicit Euler scheme of gradient flow: its
      distance to GF at a fixed time is O(η) (claim ``gd_converges_to_gf``); conserved
      quantities drift by O(η²) per step.
    - mini-batch (``batch_size=B``): each step draws one batch from the problem and
      :math:`g_k` is the gradient of the problem's unbiased estimate of its loss, so in
      expectation it is the full-batch step. On a data set the batch is B distinct indices and
      the estimate :math:`\tfrac{N}{B}\sum_{i\in B}\ell_i` of the summed loss; on an online
      problem the samples are fresh draws (one pass). Batches are drawn ``block`` steps at a
      time inside the compiled loop (:func:`~implicit_bias.dynamics._iterate.iterate`): one
      generator call per block instead of one per step (benchmarks/online_sgd_throughput.py
      measured the block size). The divergence test then reads the batch loss; the stop test
      the full loss.

    With a ``mirror`` map ψ (:class:`~implicit_bias.mirrors.MirrorMap`) the steps move the dual
    variable :math:`z = \nabla\psi(\theta)` instead, :math:`z_{k+1} = z_k + u_k` with the gradient
    taken at :math:`\theta_k = \nabla\psi^*(z_k)`: mirror descent (stochastic mirror descent with
    mini-batches); on least squares its limit is :math:`\arg\min D_\psi(\theta, \theta_0)` over the
    interpolants at any stable step (Gunasekar et al. 2018).

    Time is steps × ``lr`` (GF time for plain full-batch steps, whatever the optimizer or
    schedule: it counts steps), or the problem's time for online SGD (α = k/N,
    :meth:`~implicit_bias.problems.AbstractProblem.sgd_time_step`).

    ``objective`` (full-batch only) picks what is descended:

    - ``"loss"``: L.
    - ``"log_loss"``: :math:`\log L`, i.e. :math:`\theta_{k+1} = \theta_k - \frac{\eta}{L(\theta_k)}\nabla
      L(\theta_k)` with plain steps: the loss-normalized ("aggressive") steps of Nacson et al.
      (2019) and Ji & Telgarsky (2021). The gradient comes from the problem's ``log_loss``, so
      on separable data with an exponential tail the loss goes to 10⁻³⁰, 10⁻³⁰⁰ and beyond in a
      few hundred steps (:math:`-\log L` grows linearly in k), where constant steps need
      :math:`\sim 10^{30}`. It is the Euler scheme of GF in the clock :math:`ds = L\,dt`; the
      time axis (records, ``t_max``, ``t_final``) is then s = kη, not GF time. ``stop_loss``
      still applies (L is formed for the test; below float64's range it reads 0), so to go
      further use ``t_max`` alone.
    """

    lr: Float[Array, ""]
    t_max: Float[Array, ""]
    stop_loss: Float[Array, ""]
    optimizer: Optax = Optax(optax.sgd, {})
    schedule: Optax = Optax(constant, {})
    mirror: MirrorMap = eqx.field(default_factory=Euclidean)
    batch_size: int | None = eqx.field(static=True, default=None)
    objective: str = eqx.field(static=True, default="loss")
    max_steps: int = eqx.field(static=True, default=10_000_000)
    block: int = eqx.field(static=True, default=8)

    def __check_init__(self):
        if self.objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {OBJECTIVES}, got {self.objective!r}")
        if self.objective != "loss" and self.batch_size is not None:
            raise ValueError("objective='log_loss' is full-batch only (batch_size=None)")

    @property
    def step_size(self) -> Float[Array, ""] | None:
        """η for plain steps on the loss (the kernel-dynamics observables' GD prediction); None
        for any other optimizer or schedule, whose steps are not η∇L."""
        plain = self.optimizer.make is optax.sgd and not self.optimizer.arrays and self.schedule.make is constant
        return self.lr if plain and self.objective == "loss" and isinstance(self.mirror, Euclidean) else None

    def solve(self, objective: Objective, params0: PyTree, key: PRNGKeyArray,
              times: Float[Array, " times"], observe: Observer) -> Trajectory:
        optimizer, mirror = self.optimizer(self.schedule(self.lr)), self.mirror
        if self.batch_size is None:
            del key  # deterministic
            descend = objective.log_loss if self.objective == "log_loss" else objective.loss
            gradient = lambda params, sample: jax.value_and_grad(descend)(params)  # noqa: E731
            draw, dt = None, self.lr
        else:
            gradient = jax.value_and_grad(objective.batch_loss)

            def draw(j):
                return objective.draw_batches(jax.random.fold_in(key, j), self.block, self.batch_size)
            dt = objective.problem.sgd_time_step(self.lr)

        # The loop's state is the mirror's dual variable z = ∇ψ(θ) (θ itself for the Euclidean map).
        def step(dual, opt_state, k, sample):
            value, grads = gradient(mirror.to_primal(dual), sample)
            updates, opt_state = optimizer.update(grads, opt_state, dual)
            # The loop's divergence test reads L: exp(log L) is +inf on a blow-up and 0 on underflow.
            loss = jnp.exp(value) if self.objective == "log_loss" else value
            return optax.apply_updates(dual, updates), opt_state, loss

        dual0 = mirror.to_dual(params0)
        run = iterate(step, lambda dual: objective.loss(mirror.to_primal(dual)), dual0, optimizer.init(dual0),
                      dt=dt, t_max=self.t_max, stop_loss=self.stop_loss, max_steps=self.max_steps, times=times,
                      observe=lambda dual, t: observe(mirror.to_primal(dual), t), draw=draw, block=self.block)
        return run._replace(final_params=mirror.to_primal(run.final_params))


class DiscreteSpec(DynamicsSpec):
    """The fields every discrete method has: step size, optimizer, schedule, step cap."""

    #: Written out in a saved spec only when not plain: a spec without them, as every spec was
    #: before they existed, keeps its hash (and a finished sweep's results their run ids).

    omit_when_default: ClassVar[tuple[str, ...]] = ("mirror", "optimizer", "schedule", "n_steps")

    t_max: PositiveFloat | None = Field(None, description="gradient-flow time to stop at, steps × lr (α = steps/N "
                                        "for SGD on online_teacher_student); or give n_steps")
    n_steps: PositiveInt | None = Field(None, description="run this many steps instead of to a time (t_max = "
                                        "n_steps × lr): a sweep over lr then keeps the steps, not the time")
    lr: PositiveFloat = Field(description="step size η (the schedule's starting value); time is steps × lr")
    optimizer: Section("optimizer") = Field(
        SGDOptimizerSpec(), description="optax transformation the gradient goes through, e.g. { kind = \"adam\" }")
    schedule: Section("schedule") = Field(
        ConstantSpec(), description="learning-rate schedule k ↦ ηₖ starting at lr")
    max_steps: PositiveInt = 10_000_000

    @model_validator(mode="after")
    def _length(self):
        """Exactly one of t_max and n_steps; n_steps sets t_max = n_steps × lr. Set without
        marking it given, so each point of a sweep over lr recomputes it from its own lr."""
        if self.n_steps is None:
            if self.t_max is None:
                raise SpecError("dynamics.t_max", "is missing", "give t_max or n_steps")
            return self
        if self.t_max is not None and self.t_max != self.n_steps * self.lr:  # a saved spec holds both
            raise SpecError("dynamics.n_steps", "t_max and n_steps both given", "give exactly one of them")
        object.__setattr__(self, "t_max", self.n_steps * self.lr)
        return self

    def dynamics(self, **fields) -> DiscreteDynamics:
        return DiscreteDynamics(scalar(self.lr), scalar(self.t_max), scalar(self.stop_loss), self.optimizer.build(),
                                self.schedule.build(), self.mirror.build(), max_steps=self.max_steps, **fields)
