"""Reproductions of papers' experiments: ``implicit-bias reproduce PAPER``.

Each paper is one module with ``reproduce(out, quick) -> dict``: it reruns the paper's
experiments through the package (specs, compiled ensembles, observables, theory), writes
``out/figures/*.png``, ``out/table.md`` and ``out/table.json``, and returns the paths and the
key numbers. ``quick=True`` shrinks every size so the whole paper runs in well under a minute.
"""

from collections.abc import Callable
from pathlib import Path

from . import (barrett2021, bocchi2026, chizat2019, elkabetz2021, gunasekar2017, lyu2020, min2021, pesme2021, razin2020, satpathi2021,
               saxe2014, soudry2018, woodworth2020)
from . import cohen2021, moroshko2020

#: Paper name (as typed after ``reproduce``) → its ``reproduce(out, quick)``.
PAPERS: dict[str, Callable[[Path, bool], dict]] = {
    "min2021": min2021.reproduce,
    "woodworth2020": woodworth2020.reproduce,
    "pesme2021": pesme2021.reproduce,
    "soudry2018": soudry2018.reproduce,
    "barrett2021": barrett2021.reproduce,
    "elkabetz2021": elkabetz2021.reproduce,
    "bocchi2026": bocchi2026.reproduce,
    "saxe2014": saxe2014.reproduce,
    "gunasekar2017": gunasekar2017.reproduce,
    "razin2020": razin2020.reproduce,
    "satpathi2021": satpathi2021.reproduce,
    "lyu2020": lyu2020.reproduce,
    "chizat2019": chizat2019.reproduce,
    "moroshko2020": moroshko2020.reproduce,
    "cohen2021": cohen2021.reproduce,
}

__all__ = ["PAPERS", "barrett2021", "bocchi2026", "chizat2019", "cohen2021", "elkabetz2021", "gunasekar2017", "lyu2020", "min2021", "moroshko2020", "pesme2021",
           "razin2020", "satpathi2021", "saxe2014", "soudry2018", "woodworth2020"]
