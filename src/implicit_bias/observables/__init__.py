r"""Observables: functions of (parameters, time) recorded inside the compiled loop.

Each is registered once, with the models and problems it is defined for, so a spec asking for
an observable that makes no sense for its model fails at validation, not mid-run. Quantities
needing per-run precomputation (the data SVD, the min-norm solution, the initial conserved
quantities) get it from :class:`RunContext`, which computes each once per run.

One module per family: :mod:`.generic` (any model), :mod:`.linear_networks`, :mod:`.diagonal`,
:mod:`.margin` (classification), :mod:`.teacher_student`, :mod:`.deep_linear`, :mod:`.ntk`.
"""

from ..components import import_submodules
from ._base import REGISTRY, Observable, RunContext, conserved_drift, extend_to, make_observer, register
from . import generic, linear_networks, diagonal, margin, teacher_student, deep_linear, ntk  # noqa: E402, F401, I001

# A new module is a new kind: importing the package imports (and so registers) every module.
import_submodules(__name__, __path__)

__all__ = ["REGISTRY", "Observable", "RunContext", "conserved_drift", "extend_to", "make_observer", "register"]
