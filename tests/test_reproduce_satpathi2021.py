"""``reproduce satpathi2021 --quick``: files written, and the m-trend the theorems predict."""

import json
from pathlib import Path

import pytest

from implicit_bias.reproduce import PAPERS

# Module-scoped fixtures below are built once per xdist worker: keep this module on one.
pytestmark = pytest.mark.xdist_group("test_reproduce_satpathi2021")


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("satpathi2021")
    return out, PAPERS["satpathi2021"](out, True)


def test_files(quick):
    out, result = quick
    assert len(result["figures"]) == 2
    for path in result["figures"]:
        assert Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Choices the paper leaves open" in (out / "table.md").read_text()
    table = json.loads((out / "table.json").read_text())
    assert table["quick"] is True and len(table["rows"]) == len(table["sizes"]["widths"]) == 2


def test_distance_to_linearized_solution_shrinks_with_width(quick):
    _, result = quick
    key = result["key_numbers"]
    assert key["all_finished"]
    # Du et al.: each neuron moves O(m^-1/2); the distance to w_L* falls with m.
    assert key["slope_distance_to_w_star"] < 0
    assert -0.75 < key["slope_max_neuron_movement"] < -0.25
