"""``reproduce soudry2018|barrett2021|cohen2021 --quick``: files written, and the numbers say what the papers say."""

import json
from pathlib import Path

import pytest

from implicit_bias.reproduce import PAPERS

# Module-scoped fixtures below are built once per xdist worker: keep this module on one.
pytestmark = pytest.mark.xdist_group("test_reproduce_class")


@pytest.fixture(scope="module", params=["soudry2018", "barrett2021", "cohen2021"])
def quick(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(request.param)
    return request.param, out, PAPERS[request.param](out, True)


def test_files_and_key_numbers(quick):
    paper, out, result = quick
    for path in result["figures"]:
        assert Path(path).parent == out / "figures"
        assert Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = json.loads((out / "table.json").read_text())
    assert table["quick"] is True and (out / "table.md").read_text().startswith("# Reproduction")
    key = result["key_numbers"]
    if paper == "cohen2021":  # the claim edge_of_stability's test-size runs (one compiled program with it)
        for run in key["runs"]:
            assert run["t_cross"] is not None and run["loss_end"] < run["loss_cross"]
        assert key["worst_median_deviation"] <= key["largest_half_range"] <= 0.25
    elif paper == "barrett2021":
        assert abs(key["slope_gd_to_gf"] - 1) < 0.1 and abs(key["slope_gd_to_modified"] - 2) < 0.15
    else:
        gd, gf, gd_log = key["runs"]
        assert gf["t_end"] == 1e40 and gf["loss_end"] < 1e-38
        assert gf["angle_rel_error_end"] < 1e-6            # angle = finite-t prediction at t = 1e40
        assert abs(gf["t_L_end"] / key["w_hat_sq"] - 1) < 1e-6
        assert abs(gf["normalized_margin_end"] / key["svm_margin"] - 1) < 1e-2  # O(1/log t)
        assert gd["angle_end"] < 0.1 and gd["status"] == 1  # GD ran to its t_max
        # GD on log L, in as many steps as GD: much further down and much closer to ŵ
        assert gd_log["log_loss_end"] < -100 * gd["log_loss_end"] and gd_log["angle_end"] < gd["angle_end"] / 10
