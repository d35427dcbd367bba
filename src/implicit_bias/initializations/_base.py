"""What an initialization is: a seeded map to a model's parameters."""

import abc
from pathlib import Path
from typing import ClassVar

import equinox as eqx
from jaxtyping import PRNGKeyArray, PyTree

from ..components import Component, require_fit
from ..errors import SpecError
from ..models import AbstractModel
from ..problems import AbstractProblem


class AbstractInitialization(eqx.Module):
    """A named scheme producing initial parameters.

    Schemes that depend on the data (the invariant-set init needs the row space of X) receive
    the problem. Scalar settings (scales, levels) are array fields, so an ensemble sweeping
    them is one compiled computation.
    """

    @abc.abstractmethod
    def __call__(self, key: PRNGKeyArray, model: AbstractModel, problem: AbstractProblem) -> PyTree:
        """Initial parameters for ``model``."""


class InitSpec(Component):
    """The spec schema of an initialization kind: ``build(model, problem)`` makes the init for
    that model and problem, after the declared ``models``/``problems`` are checked
    (:meth:`checked_build`)."""

    section: ClassVar[str] = "init"
    #: A kind that reads a file (``file``) gets ``base_dir=`` in :meth:`build`: the directory
    #: the spec's relative paths resolve against, as for a problem's data file.
    reads_files: ClassVar[bool] = False

    @abc.abstractmethod
    def build(self, model: AbstractModel, problem: AbstractProblem) -> AbstractInitialization:
        """The init these fields describe, for ``model`` on ``problem``."""

    def checked_build(self, model: AbstractModel, problem: AbstractProblem,
                      base_dir: Path = Path(".")) -> AbstractInitialization:
        require_fit(self, model, problem)
        return self.build(model, problem, **({"base_dir": base_dir} if self.reads_files else {}))


def require_width(model: AbstractModel, minimum: int, what: str, name: str) -> None:
    """An init that needs ``model.width ≥ minimum`` (``name`` says what the minimum is)."""
    if model.width < minimum:
        raise SpecError("model.width", f"{what} init needs width ≥ {name} = {minimum}, got {model.width}",
                        f"set model.width ≥ {minimum}")
