"""implicit-bias: train overparametrized models by gradient flow, GD and SGD, and check
convergence and implicit-bias theorems numerically.

Importing the package switches JAX to float64 (see :mod:`implicit_bias._jax_setup`).
"""

from . import _jax_setup  # noqa: F401  (must run before any JAX array is created)
from .components import Component, load_plugins
from .components import register as _register_component
from .errors import SpecError
from .experiment import run
from .observables import Observable
from .observables import register as _register_observable
from .spec import Spec, load_spec, validate_spec

__version__ = "0.1.0"
__all__ = ["Spec", "SpecError", "load_plugins", "load_spec", "register", "run", "validate_spec"]


def register(item):
    """Make ``item`` usable by name, and return it (so it serves as a class decorator):

    - a :class:`~implicit_bias.components.Component` subclass: its ``kind`` in its spec section;
    - an :class:`~implicit_bias.observables.Observable`: its name in ``[observe] quantities``;
    - a :class:`~implicit_bias.claims.Claim`: in ``implicit-bias check`` and the claim tests.

    Registered from Python, a component serves every run of this process (the local executor);
    for Dask workers, which are fresh processes, ship it as a plugin (an installed distribution
    with an entry point in the group ``implicit_bias.plugins``; see ``examples/plugin``).
    """
    if isinstance(item, type) and issubclass(item, Component):
        return _register_component(item)
    if isinstance(item, Observable):
        return _register_observable(item)
    from . import claims  # on demand: importing the package should not import every built-in claim

    if isinstance(item, claims.Claim):
        return claims.register(item)
    raise TypeError(f"cannot register {item!r}: give a Component subclass, an Observable or a Claim")
