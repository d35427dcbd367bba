"""The init of a :class:`~implicit_bias.models.LazyModel`: its wrapped model's init, remembered."""

from jaxtyping import PRNGKeyArray

from ..models import LazyModel
from ..problems import AbstractProblem
from ._base import AbstractInitialization


class AtInit(AbstractInitialization):
    """``{"w": p, "w0": p}`` with p drawn by ``inner`` for the wrapped model: the scaled and the
    linearized model start at f's init and keep it as the point they are centred/linearized at."""

    inner: AbstractInitialization

    def __call__(self, key: PRNGKeyArray, model: LazyModel, problem: AbstractProblem) -> dict:
        p = self.inner(key, model.base, problem)
        return {"w": p, "w0": p}
