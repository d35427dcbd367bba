"""``[init] kind = "file"``: parameters from an .npz start the run exactly where they say."""

import numpy as np
import pytest

import implicit_bias as ib
from implicit_bias.errors import SpecError
from implicit_bias.experiment.runner import build, initial_params
from implicit_bias.spec import expand, validate_spec
from implicit_bias.testing import assert_results_equal

SPEC = {"name": "f", "problem": {"kind": "regression", "n_samples": 4, "input_dim": 5},
        "model": {"kind": "two_layer_linear", "width": 3}, "init": {"kind": "gaussian", "scale": 0.3},
        "dynamics": {"kind": "gradient_flow", "t_max": 5.0}, "observe": {"quantities": ["loss"], "n_times": 4}}


def test_a_saved_init_reproduces_the_run_it_came_from(tmp_path):
    (point,) = expand(validate_spec(SPEC))
    run = build(point, tmp_path)
    np.savez(tmp_path / "theta0.npz", **{k: np.asarray(v) for k, v in initial_params(run.model, run.inputs).items()})
    from_file = ib.run({**SPEC, "init": {"kind": "file", "file": "theta0.npz"}}, base_dir=tmp_path)
    drawn = ib.run(SPEC)
    # θ₀ drawn here eagerly and θ₀ drawn inside the compiled run differ in the last bit (XLA
    # fuses the scaling differently), so the runs agree to rounding, not bit for bit.
    for name in ("initial_predictor", "loss", "predictor"):
        np.testing.assert_allclose(from_file[name], drawn[name], rtol=1e-13, atol=0)
    assert_results_equal(from_file, ib.run({**SPEC, "init": {"kind": "file", "file": str(tmp_path / "theta0.npz")}}))


@pytest.mark.parametrize("arrays, message", [
    ({"U": np.ones((5, 3))}, "init.file: 'theta0.npz' holds ['U'], the model's parameters are"),
    ({"U": np.ones((5, 2)), "V": np.ones((1, 3))}, "init.file.U: has shape (5, 2)"),
    ({"U": np.full((5, 3), np.nan), "V": np.ones((1, 3))}, "init.file.U: contains 15 NaN or inf"),
])
def test_a_file_that_does_not_fit_the_model_is_refused(tmp_path, arrays, message):
    np.savez(tmp_path / "theta0.npz", **arrays)
    with pytest.raises(SpecError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        ib.run({**SPEC, "init": {"kind": "file", "file": "theta0.npz"}}, base_dir=tmp_path)
