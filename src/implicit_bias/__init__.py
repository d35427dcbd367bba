"""implicit-bias: train overparametrized models by gradient flow, GD and SGD, and check
convergence and implicit-bias theorems numerically.

Importing the package switches JAX to float64 (see :mod:`implicit_bias._jax_setup`). Its names
(``ib.run``, ``ib.Spec``, …) and subpackages load on first use, so that importing it, and the
command line's ``--help``, do not wait for JAX, SciPy and xarray.
"""

import importlib

from . import _jax_setup  # noqa: F401  (must run before any JAX array is created)

__version__ = "0.1.0"
__all__ = ["Component", "Observable", "Spec", "SpecError", "load_plugins", "load_spec", "problem_data", "register",
           "run", "validate_spec"]

#: Where each public name lives (imported when first asked for).
_HOMES = {"Component": "components", "load_plugins": "components", "SpecError": "errors", "problem_data": "experiment",
          "run": "experiment", "Observable": "observables", "Spec": "spec", "load_spec": "spec", "validate_spec": "spec"}


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    try:  # a subpackage or module, as `implicit_bias.claims`
        return importlib.import_module(f".{name}", __name__)
    except ModuleNotFoundError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])


def register(item):
    """Make ``item`` usable by name, and return it (so it serves as a class decorator):

    - a :class:`~implicit_bias.components.Component` subclass: its ``kind`` in its spec section;
    - an :class:`~implicit_bias.observables.Observable`: its name in ``[observe] quantities``;
    - a :class:`~implicit_bias.claims.Claim`: in ``implicit-bias check`` and the claim tests.

    Registered from Python, a component serves every run of this process (the local executor);
    for Dask workers, which are fresh processes, ship it as a plugin (an installed distribution
    with an entry point in the group ``implicit_bias.plugins``; see ``examples/plugin``).
    """
    from . import components, observables

    if isinstance(item, type) and issubclass(item, components.Component):
        return components.register(item)
    if isinstance(item, observables.Observable):
        return observables.register(item)
    from . import claims  # only for claims: the built-in ones run specs' imports

    if isinstance(item, claims.Claim):
        return claims.register(item)
    raise TypeError(f"cannot register {item!r}: give a Component subclass, an Observable or a Claim")
