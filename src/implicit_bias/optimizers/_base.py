r"""What an optimizer and a learning-rate schedule are: an optax constructor and its settings.

The discrete dynamics (:class:`~implicit_bias.dynamics.DiscreteDynamics`) step with
``optimizer(schedule(lr))``: an :class:`optax.GradientTransformation` built inside the compiled
run from an :class:`Optax` value. Each optimizer or schedule kind is one module that declares
its spec fields and names the optax constructor they are the keyword arguments of::

    @register
    class AdamSpec(OptimizerSpec):
        '''Adam (Kingma & Ba, 2015).'''
        kind: Literal["adam"]
        b1: float = 0.9
        transformation = staticmethod(optax.adam)   # called as optax.adam(lr, b1=…)
"""

from collections.abc import Callable
from typing import Any, ClassVar

import equinox as eqx
from jaxtyping import Array, Float

from ..components import Component, scalar


class Optax(eqx.Module):
    """``make(first, **settings)``: an optax constructor with its settings bound.

    Float settings are arrays, so runs that differ only in them (a sweep over Adam's β₂, say)
    share one compiled computation; the others (flags, step counts) are static.
    """

    make: Callable[..., Any] = eqx.field(static=True)
    arrays: dict[str, Float[Array, ""]]
    static: tuple[tuple[str, Any], ...] = eqx.field(static=True, default=())

    def __call__(self, first: Any) -> Any:
        return self.make(first, **self.arrays, **dict(self.static))


class _OptaxSpec(Component):
    #: The optax constructor the fields (other than ``kind``) are keyword arguments of.
    transformation: ClassVar[Callable[..., Any]]

    def build(self) -> Optax:
        settings = {name: getattr(self, name) for name in type(self).model_fields if name != "kind"}
        return Optax(type(self).transformation,
                     {k: scalar(v) for k, v in settings.items() if isinstance(v, float)},
                     tuple((k, v) for k, v in settings.items() if not isinstance(v, float)))


class OptimizerSpec(_OptaxSpec):
    """The spec schema of an optimizer of the discrete dynamics (``[dynamics] optimizer = {…}``):
    ``transformation(learning_rate, **fields)`` is its :class:`optax.GradientTransformation`."""

    section: ClassVar[str] = "optimizer"
    nested_in: ClassVar[str] = "dynamics"


class ScheduleSpec(_OptaxSpec):
    """The spec schema of a learning-rate schedule (``[dynamics] schedule = {…}``):
    ``transformation(lr, **fields)`` is the step size, or an optax schedule k ↦ η_k."""

    section: ClassVar[str] = "schedule"
    nested_in: ClassVar[str] = "dynamics"
