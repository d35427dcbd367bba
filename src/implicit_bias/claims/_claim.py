"""A claim: a theorem made executable — runs, a measured quantity, the prediction, a tolerance
and why that tolerance is right."""

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
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

    ``quick`` is the same claim at test size (smaller or fewer runs, a tolerance justified for
    that size, its own ``reason``), made with :meth:`at_test_size`: the test suite checks
    ``check(quick=True)``, ``implicit-bias check`` the full size unless ``--quick``. A claim
    cheap enough at full size has none and is tested as it is.
    """

    name: str
    paper: str
    theorem: str
    statement: str
    runs: dict[str, dict]
    measure: Callable[[Results], tuple[float, float, float, dict]]
    comparison: Literal["close", "at_most"]
    reason: str
    quick: "Claim | None" = None

    def at_test_size(self, runs: dict[str, dict], measure: Callable[[Results], tuple[float, float, float, dict]],
                     reason: str) -> "Claim":
        """This claim with a test-size variant: same theorem and statement, ``runs`` and
        ``measure`` at test size, and ``reason`` for that size's tolerance."""
        return replace(self, quick=replace(self, runs=runs, measure=measure, reason=reason))

    def results(self, quick: bool = False) -> Results:
        """The runs' Datasets (of the test-size variant with ``quick``), run once per process:
        a reproduction drawing the claim's figure reads the very runs its check measured."""
        if quick and self.quick is not None:
            return self.quick.results()
        return {name: _run_once(spec) for name, spec in self.runs.items()}

    def check(self, quick: bool = False) -> ClaimResult:
        """Run the claim (its test-size variant with ``quick``, where it has one) and compare."""
        if quick and self.quick is not None:
            return self.quick.check()
        start = time.perf_counter()
        results = self.results()
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
