"""implicit-bias: train overparametrized models by gradient flow, GD and SGD, and check
convergence and implicit-bias theorems numerically.

Importing the package switches JAX to float64 (see :mod:`implicit_bias._jax_setup`).
"""

from . import _jax_setup  # noqa: F401  (must run before any JAX array is created)
from .errors import SpecError
from .experiment import run
from .spec import Spec, load_spec, validate_spec

__version__ = "0.1.0"
__all__ = ["Spec", "SpecError", "load_spec", "run", "validate_spec"]
