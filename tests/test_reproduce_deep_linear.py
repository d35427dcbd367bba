"""``reproduce saxe2014 / gunasekar2017 / razin2020 --quick``: files written, numbers as the papers say.

The quick specs are the claims' own (saxe2014: at depths 2 and 4 of the claims' 2, 3, 4), so
within one test session they reuse the claims' compiled computations."""

import json
from pathlib import Path

import pytest

from implicit_bias.reproduce import PAPERS

# Module-scoped fixtures below are built once per xdist worker: keep this module on one.
pytestmark = pytest.mark.xdist_group("test_reproduce_deep_linear")

NAMES = ["saxe2014", "gunasekar2017", "razin2020"]


@pytest.fixture(scope="module", params=NAMES)
def quick(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(request.param)
    return request.param, out, PAPERS[request.param](out, True)


def test_files_and_numbers(quick):
    name, out, result = quick
    for path in result["figures"]:
        assert Path(path).parent == out / "figures"
        assert Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = json.loads((out / "table.json").read_text())
    assert table["quick"] is True and (out / "table.md").read_text().startswith("# Reproduction")
    rows = table["rows"]
    if name == "saxe2014":
        assert all(r["max_error_vs_ode"] < 1e-7 for r in rows)
        assert all(r["t50_mode_1"] < r["t50_mode_2"] for r in rows)  # largest mode first
        sharp = [r["sharpness_mode_1"] for r in rows]
        assert len(sharp) >= 2 and sharp == sorted(sharp, reverse=True)  # sharper with depth
    elif name == "gunasekar2017":
        full = [r for r in rows if r["width"] == 10]
        assert [r["to_min_nuclear"] for r in full] == sorted((r["to_min_nuclear"] for r in full), reverse=True)
        assert all(r["to_target"] < 1e-9 for r in rows if r["width"] == 2)
    else:
        assert all(r["norm_grows"] and abs(r["product"] - 1) < 0.01 for r in rows)
