"""What dynamics are, what they see (an :class:`Objective`) and what they return."""

import abc
from collections.abc import Callable
from typing import ClassVar, NamedTuple

import equinox as eqx
from jaxtyping import Array, Float, Int, PRNGKeyArray, PyTree
from pydantic import Field, NonNegativeFloat, PositiveFloat

from ..components import Component, Section
from ..mirrors.euclidean import EuclideanSpec
from ..models import AbstractModel
from ..problems import AbstractProblem

#: Run outcomes, stored as integer codes (their index here; the store's ``status`` variable says so
#: in its ``flag_values``/``flag_meanings``): the loss fell below ``stop_loss``; the run reached
#: ``t_max``; the loss blew up or went NaN; the run used its ``max_steps`` before ``t_max``.
STATUSES = ("converged", "max_time", "diverged", "max_steps")
CONVERGED, MAX_TIME, DIVERGED, MAX_STEPS = 0, 1, 2, 3
RUNNING = -1

#: Observables at one time: ``observe(params, t) -> {name: scalar}``.
Observer = Callable[[PyTree, Float[Array, ""]], dict[str, Float[Array, ""]]]


class Objective(eqx.Module):
    """A problem's loss as a function of a model's parameters: all that dynamics see."""

    model: AbstractModel
    problem: AbstractProblem

    @property
    def n_samples(self) -> int:
        return self.problem.n_samples

    def loss(self, params: PyTree) -> Float[Array, ""]:
        return self.problem.loss(self.model, params)

    def log_loss(self, params: PyTree) -> Float[Array, ""]:
        return self.problem.log_loss(self.model, params)

    def minibatch_loss(self, params: PyTree, indices: Int[Array, " batch"]) -> Float[Array, ""]:
        return self.problem.minibatch_loss(self.model, params, indices)

    def draw_batches(self, key: PRNGKeyArray, n_batches: int, batch_size: int) -> PyTree:
        return self.problem.draw_batches(key, n_batches, batch_size)

    def batch_loss(self, params: PyTree, batch: PyTree) -> Float[Array, ""]:
        return self.problem.batch_loss(self.model, params, batch)


class Trajectory(NamedTuple):
    """What one run returns.

    ``observed`` holds each observable at the record times (NaN at times the run did not
    reach: after it stopped, or past its ``t_max``); ``final_params`` are the parameters where
    it stopped, at time ``t_final`` after ``n_steps`` steps (solver steps for GF);
    ``status`` indexes :data:`STATUSES`; ``diverged_at`` is the step whose loss blew up, or -1.
    """

    observed: dict[str, Float[Array, " times"]]
    final_params: PyTree
    t_final: Float[Array, ""]
    n_steps: Int[Array, ""]
    status: Int[Array, ""]
    diverged_at: Int[Array, ""]


class AbstractDynamics(eqx.Module):
    """How parameters move. Dynamics see the model only through :class:`Objective`.

    Time is gradient-flow time: a discrete method with step η is at time kη after k steps, so
    GD, SGD and GF share one time axis; the exception is SGD on an online problem, whose time
    is samples per dimension α = k/N (:meth:`AbstractProblem.sgd_time_step`). Scalar settings are array fields, so a
    sweep over them reuses one compiled computation.
    """

    t_max: eqx.AbstractVar[Float[Array, ""]]
    stop_loss: eqx.AbstractVar[Float[Array, ""]]

    @property
    def step_size(self) -> Float[Array, ""] | None:
        """The step η of a discrete method (time kη after k steps); None for gradient flow.
        Observables whose prediction differs between GF and GD (kernel dynamics) read it."""
        return None

    @abc.abstractmethod
    def solve(
        self, objective: Objective, params0: PyTree, key: PRNGKeyArray,
        times: Float[Array, " times"], observe: Observer,
    ) -> Trajectory:
        """Run from ``params0`` until the loss is below ``stop_loss`` or time ``t_max``,
        recording ``observe`` at ``times`` (nondecreasing, starting at 0)."""


class DynamicsSpec(Component):
    """The spec schema of a dynamics kind: ``build()`` makes the dynamics (they depend on
    nothing but their fields). Every dynamics stops at ``t_max`` or once the loss is below
    ``stop_loss``, and moves in the geometry of its ``mirror`` map."""

    section: ClassVar[str] = "dynamics"
    #: Written out in a saved spec only when not Euclidean, so plain specs keep their hash.
    omit_when_default: ClassVar[tuple[str, ...]] = ("mirror",)

    t_max: PositiveFloat = Field(description="gradient-flow time to stop at (steps × lr for GD/SGD; "
                                 "α = steps/N for SGD on online_teacher_student)")
    stop_loss: NonNegativeFloat = Field(0.0, description="stop once the loss is below this")
    mirror: Section("mirror") = Field(
        EuclideanSpec(), description="potential ψ: the method moves ∇ψ(θ) along −∇L (mirror flow, mirror "
                                     "descent), e.g. { kind = \"hyperbolic_entropy\", beta = 0.01 }")

    @abc.abstractmethod
    def build(self) -> AbstractDynamics:
        """The dynamics these fields describe."""
