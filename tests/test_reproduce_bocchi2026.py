"""``implicit-bias reproduce bocchi2026 --quick`` writes its figures and table (tiny sizes: this
checks the machinery, not the paper's numbers).

Alone it costs ≈ 45 CPU-seconds (eight compiled programs: two SGD ensembles, four ODE solves, two
Hessians); each quick program is one the claims' test sizes compile too, so within the suite
(shared compilation cache) it costs a few seconds.
"""

import json

from typer.testing import CliRunner

from implicit_bias.cli import app


def test_reproduce_bocchi2026_quick(tmp_path):
    result = CliRunner().invoke(app, ["reproduce", "bocchi2026", "--quick", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = {p.name for p in (tmp_path / "figures").iterdir()}
    assert names == {"loss_vs_alpha.png", "escape_time.png", "conserved.png", "hessian.png",
                     "erf_committee.png"}
    numbers = json.loads((tmp_path / "table.json").read_text())["key_numbers"]
    assert numbers["hessian_count_mismatches"] == 0
    assert numbers["ode_polar_drift"]["isotropic"] < 1e-10 < numbers["ode_polar_drift"]["anisotropic"]
    assert abs(numbers["ode_escape_slope"] / numbers["predicted_slope"] - 1) < 2e-3
