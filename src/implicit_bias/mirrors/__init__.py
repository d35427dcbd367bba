"""Mirror maps of gradient flow: the geometry it descends in (``[dynamics] mirror = {…}``)."""

from ..components import import_submodules
from ._base import ElementwiseMirror, MirrorMap, MirrorSpec

import_submodules(__name__, __path__)

__all__ = ["ElementwiseMirror", "MirrorMap", "MirrorSpec"]
