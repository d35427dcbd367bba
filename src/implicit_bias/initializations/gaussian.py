r"""I.i.d. Gaussian init with a scale and a width exponent."""

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from ..models import AbstractModel
from ..problems import AbstractProblem
from ._base import AbstractInitialization


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
