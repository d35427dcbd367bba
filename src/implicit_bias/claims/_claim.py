"""A claim: a theorem made executable — runs, a measured quantity, the prediction, a tolerance
and why that tolerance is right."""

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import xarray as xr

from ..analysis import FitError
from ..experiment import run

Results = dict[str, xr.Dataset]


@dataclass(frozen=True)
class ClaimResult:
    name: str
    paper: str
    passed: bool
    measured: float
    predicted: float
    tolerance: float
    detail: dict = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        clean = lambda x: x if not isinstance(x, float) or math.isfinite(x) else None  # noqa: E731
        return {"name": self.name, "paper": self.paper, "passed": self.passed,
                "measured": clean(self.measured), "predicted": clean(self.predicted),
                "tolerance": clean(self.tolerance), "detail": self.detail, "seconds": round(self.seconds, 2)}


@dataclass(frozen=True)
class Claim:
    """``runs`` are specs (dicts, as in TOML) run by :func:`implicit_bias.run`; ``measure``
    maps their Datasets to ``(measured, predicted, tolerance, detail)``. The claim passes when
    ``|measured − predicted| ≤ tolerance`` (``comparison="close"``) or
    ``measured ≤ predicted + tolerance`` (``comparison="at_most"``, for bounds).
    The tolerance is computed by ``measure`` from the runs when it depends on them (e.g. a
    solver's step count or the data's smallest singular value); ``reason`` says why it is right.
    """

    name: str
    paper: str
    theorem: str
    statement: str
    runs: dict[str, dict]
    measure: Callable[[Results], tuple[float, float, float, dict]]
    comparison: Literal["close", "at_most"]
    reason: str

    def check(self) -> ClaimResult:
        start = time.perf_counter()
        results = {name: _run_once(spec) for name, spec in self.runs.items()}
        try:
            measured, predicted, tolerance, detail = self.measure(results)
        except FitError as e:  # runs that give no fit (a NaN or zero point) fail the claim, not the check
            return ClaimResult(self.name, self.paper, False, math.nan, math.nan, math.nan, {"error": str(e)},
                               time.perf_counter() - start)
        measured, predicted, tolerance = float(measured), float(predicted), float(tolerance)
        if self.comparison == "close":
            passed = abs(measured - predicted) <= tolerance
        else:
            passed = measured <= predicted + tolerance
        return ClaimResult(self.name, self.paper, bool(passed and math.isfinite(measured)), measured,
                           predicted, tolerance, detail, time.perf_counter() - start)


_RESULTS: dict[str, xr.Dataset] = {}


def _run_once(spec: dict) -> xr.Dataset:
    """``run(spec)``, once per process: the same spec gives the same numbers bit for bit, so
    claims that measure different quantities of one sweep share its runs."""
    key = json.dumps(spec, sort_keys=True)
    if key not in _RESULTS:
        _RESULTS[key] = run(spec)
    return _RESULTS[key]


REGISTRY: dict[str, Claim] = {}


def register(claim: Claim) -> Claim:
    if claim.name in REGISTRY:
        raise ValueError(f"claim '{claim.name}' registered twice")
    REGISTRY[claim.name] = claim
    return claim
