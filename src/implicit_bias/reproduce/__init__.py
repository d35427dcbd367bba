"""Reproductions of papers' experiments: ``implicit-bias reproduce PAPER``.

Each paper is one module with ``reproduce(out, quick) -> dict``: it reruns the paper's
experiments through the package (specs, compiled ensembles, observables, theory), writes
``out/figures/*.png``, ``out/table.md`` and ``out/table.json``, and returns the paths and the
key numbers. ``quick=True`` shrinks every size so the whole paper runs in well under a minute.
"""

from collections.abc import Callable
from pathlib import Path

from . import min2021, satpathi2021

#: Paper name (as typed after ``reproduce``) → its ``reproduce(out, quick)``.
PAPERS: dict[str, Callable[[Path, bool], dict]] = {
    "min2021": min2021.reproduce,
    "satpathi2021": satpathi2021.reproduce,
}

__all__ = ["PAPERS", "min2021", "satpathi2021"]
