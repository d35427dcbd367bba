"""``reproduce min2021 --quick``: files written, and the numbers say what the paper says."""

import json
import math
from pathlib import Path

import pytest

from implicit_bias.reproduce import PAPERS

# Module-scoped fixtures below are built once per xdist worker: keep this module on one.
pytestmark = pytest.mark.xdist_group("test_reproduce_min2021")


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("min2021")
    return out, PAPERS["min2021"](out, True)


def test_registry_names_min2021():
    assert "min2021" in PAPERS


def test_files_exist(quick):
    out, result = quick
    assert len(result["figures"]) == 3
    for path in result["figures"]:
        assert Path(path).parent == out / "figures"
        assert Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table_md = (out / "table.md").read_text()
    assert "Choices the papers leave open" in table_md and "variance 0.1" in table_md
    table = json.loads((out / "table.json").read_text())
    assert table["quick"] is True
    assert set(table["experiments"]) == {"imbalance_vs_width", "rate_vs_imbalance", "distance_vs_width"}


def test_exp1_rate_theorem_holds(quick):
    out, result = quick
    table = json.loads((out / "table.json").read_text())
    key = result["key_numbers"]
    assert key["exp1_loss_below_bound"]
    assert key["exp1_rate_above_instantaneous_bound"]
    rows = table["experiments"]["imbalance_vs_width"]["rows"]
    for row in rows:
        assert row["status"] == "converged"
        assert row["rate_bound_at_0_is_2_delta_over_mh"]  # zero margin: c = 2Δ
        assert row["average_rate"] >= row["rate_bound_at_0"]
        assert row["imbalance_drift"] < 1e-6
    # Wider nets are more imbalanced relative to mh, and their bound is tighter.
    assert rows[-1]["delta_over_mh_seed_mean"] > rows[0]["delta_over_mh_seed_mean"]
    assert rows[-1]["min_rate_over_bound"] < rows[0]["min_rate_over_bound"]


def test_exp2_same_theta0_and_imbalance_orders_rates(quick):
    _, result = quick
    key = result["key_numbers"]
    assert key["exp2_same_theta0"]
    assert key["exp2_loss_below_bound"]
    bound, measured = key["exp2_rate_bound"], key["exp2_average_rate"]
    labels = list(bound)
    zero = labels[-1]
    assert bound[zero] < 1e-6  # zero imbalance and zero margin: the bound is trivial
    for label in labels[:-1]:
        assert measured[label] >= bound[label] > 0
        assert measured[label] > measured[zero]  # imbalance speeds convergence from the same Θ(0)


def test_exp3_distance_shrinks_like_inverse_sqrt_width(quick):
    _, result = quick
    key = result["key_numbers"]
    assert key["exp3_all_converged"]
    assert -0.65 < key["exp3_slope"] < -0.35
    for ratio in key["exp3_distance_over_prediction"].values():
        assert 0.7 < ratio < 1.4
    for ratio in key["exp3_distance_over_lazy_prediction"].values():
        assert 0.8 < ratio < 1.2
    table = json.loads((quick[0] / "table.json").read_text())
    for row in table["experiments"]["distance_vs_width"]["rows"]:
        # At zero loss the distance is exactly ‖U₂(0)V(∞)ᵀ‖_F (U₂ never moves).
        assert math.isclose(row["distance_mean"], row["null_space_offset_final_mean"], rel_tol=1e-3)
        assert row["distance_mean"] < row["paper_bound"]
