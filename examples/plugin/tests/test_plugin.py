"""The plugin's tests, on the helpers implicit_bias.testing ships for plugin authors."""

import pytest

import implicit_bias as ib
from implicit_bias.testing import assert_claim, assert_results_equal, model_check_cases


@pytest.mark.parametrize("case", model_check_cases(kinds=["two_layer_tanh"]), ids=str)
def test_common_model_checks(case):
    case.run()


def test_claim_passes():
    assert_claim("tanh_gd_converges_to_gf")


def test_spec_runs_by_kind_and_repeats_bit_for_bit():
    spec = {"problem": {"kind": "regression", "n_samples": 5, "input_dim": 4},
            "model": {"kind": "two_layer_tanh", "width": 6}, "init": {"kind": "gaussian"},
            "dynamics": {"kind": "gradient_descent", "lr": 0.1, "t_max": 2.0},
            "observe": {"quantities": ["loss", "hidden_saturation"], "n_times": 5}, "sweep": {"seed": [0, 1]}}
    first = ib.run(spec)
    assert float(first["final_loss"].max()) < float(first["loss"].isel(time=0).min())
    assert 0 < float(first["final_hidden_saturation"].min()) < 1
    assert_results_equal(first, ib.run(spec))
