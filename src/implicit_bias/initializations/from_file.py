r"""Initial parameters read from a file: θ(0) exactly as given (e.g. saved from another run or
drawn by another program)."""

from pathlib import Path
from typing import ClassVar, Literal

import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, PRNGKeyArray
from pydantic import Field

from ..components import register
from ..errors import SpecError
from ..models import AbstractModel
from ..problems import AbstractProblem
from ..problems._data_file import read_npz, require_finite
from ._base import AbstractInitialization, InitSpec

FIELD = "init.file"


class FromFile(AbstractInitialization):
    """θ(0) = the stored arrays (every seed starts from them: the key is unused)."""

    params: dict[str, Array]

    def __call__(self, key: PRNGKeyArray, model: AbstractModel, problem: AbstractProblem) -> dict:
        del key
        return dict(self.params)


def read_params(path: Path, model: AbstractModel) -> dict[str, np.ndarray]:
    """The model's parameters from an ``.npz`` holding one array per parameter, named and shaped
    as ``model.param_shapes()`` says; anything else is a one-line :class:`SpecError`."""
    shapes = model.param_shapes()
    arrays = read_npz(path, FIELD)
    if set(arrays) != set(shapes):
        raise SpecError(FIELD, f"'{path.name}' holds {sorted(arrays)}, the model's parameters are {sorted(shapes)}",
                        f"store exactly these arrays, e.g. np.savez(path, {', '.join(f'{n}=...' for n in shapes)})")
    for name, shape in shapes.items():
        a = arrays[name]
        if a.shape != tuple(shape) or not np.issubdtype(a.dtype, np.number):
            raise SpecError(f"{FIELD}.{name}", f"has shape {a.shape} and dtype {a.dtype}",
                            f"store a numeric array of shape {tuple(shape)}")
        require_finite(a, f"{FIELD}.{name}")
    return {name: np.asarray(arrays[name], np.float64) for name in shapes}


@register
class FileInitSpec(InitSpec):
    """θ(0) from an ``.npz`` with one array per parameter (names and shapes as the model's),
    relative to the spec's directory; the same start for every seed."""

    reads_files: ClassVar[bool] = True
    kind: Literal["file"]
    file: str = Field(description="path of the .npz (relative to the spec's directory)")

    def build(self, model: AbstractModel, problem: AbstractProblem, base_dir: Path = Path(".")) -> FromFile:
        return FromFile({name: jnp.asarray(a) for name, a in read_params(Path(base_dir) / self.file, model).items()})
