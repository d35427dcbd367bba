"""The package declares compatible ranges; constraints.txt pins the exact tested set, which is
the ranges' lower bounds and what this environment runs."""

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = [r for reqs in project["optional-dependencies"].values() for r in reqs]
    return [r for r in project["dependencies"] + extras if not r.startswith("implicit-bias")]


def _pins() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    return dict(line.split("==") for line in lines if line and not line.startswith("#"))


def test_every_requirement_is_a_range_from_its_pin():
    pins = _pins()
    for requirement in _requirements():
        name, low = re.fullmatch(r"([A-Za-z0-9_.\-]+)>=([^,]+)(,<.+)?", requirement).group(1, 2)
        assert pins[name] == low, f"{name}: pyproject's lower bound {low} is not the pinned {pins[name]}"
    assert len(pins) == len(_requirements())


def test_the_environment_runs_the_pinned_versions():
    assert {name: version(name) for name in _pins()} == _pins()
