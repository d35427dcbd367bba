r"""I.i.d. Gaussian init with a scale and a width exponent."""

from typing import Literal

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray
from pydantic import Field, PositiveFloat

from ..components import register, scalar
from ..errors import SpecError
from ..models import AbstractModel
from ..problems import AbstractProblem
from ._base import AbstractInitialization, InitSpec


class Gaussian(AbstractInitialization):
    r"""Every parameter array has i.i.d. :math:`N(0, s^2 h^{-2\alpha})` entries, where
    ``s = scale`` (or ``factor_scales[name]`` for that array), ``α = width_exponent`` and ``h``
    the model's width. Min et al.'s wide-network regime is ``scale = 1``,
    :math:`1/4 < \alpha \le 1/2`; their experiment 2 uses per-factor scales ``σ_U, σ_V``.

    The key is split once per array, in sorted order of names, so adding a scale override never
    changes another array's draw.
    """

    scale: Float[Array, ""]
    width_exponent: Float[Array, ""]
    factor_scales: dict[str, Float[Array, ""]] = eqx.field(default_factory=dict)

    def std(self, model: AbstractModel, name: str) -> Float[Array, ""]:
        s = self.factor_scales.get(name, self.scale)
        return s * jnp.asarray(model.width, float) ** (-self.width_exponent)

    def __call__(self, key: PRNGKeyArray, model: AbstractModel, problem: AbstractProblem) -> dict:
        shapes = model.param_shapes()
        keys = jax.random.split(key, len(shapes))
        return {name: self.std(model, name) * jax.random.normal(k, shapes[name])
                for k, name in zip(keys, sorted(shapes))}


class GaussianFields(InitSpec):
    """Fields of the Gaussian draw that several inits refine (abstract: not a kind)."""

    scale: PositiveFloat = 1.0
    width_exponent: float = Field(0.0, description="α in std = scale·width^(−α)")

    def gaussian(self, factor_scales: dict[str, float] | None = None) -> Gaussian:
        return Gaussian(scalar(self.scale), scalar(self.width_exponent),
                        {k: scalar(v) for k, v in (factor_scales or {}).items()})


@register
class GaussianSpec(GaussianFields):
    """I.i.d. entries N(0, scale²·h^(−2α)), h the model's width; per-array overrides."""

    kind: Literal["gaussian"]
    factor_scales: dict[str, PositiveFloat] = Field(
        default_factory=dict, description="per-array scale overrides, e.g. {U = 0.5, V = 0.02}")

    def build(self, model: AbstractModel, problem: AbstractProblem) -> Gaussian:
        unknown = set(self.factor_scales) - set(model.param_shapes())
        if unknown:
            raise SpecError("init.factor_scales", f"no parameter named {sorted(unknown)}",
                            f"use names among {sorted(model.param_shapes())}")
        return self.gaussian(self.factor_scales)
