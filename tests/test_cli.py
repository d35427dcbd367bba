"""The CLI end to end: the example spec (shrunk), check --list/--json."""

import json
from pathlib import Path

import numpy as np

from implicit_bias.testing import invoke

EXAMPLE = Path(__file__).parents[1] / "examples" / "linear-min-norm.toml"


_cli = invoke  # in this process: the same entry point as the installed command


def _shrunk_example(tmp_path, data_line='data = "gaussian"', widths="[20, 60]"):
    text = EXAMPLE.read_text()
    text = text.replace("seed = [0, 1, 2, 3]", "seed = [0, 1]").replace('"model.width" = [50, 200, 800]', f'"model.width" = {widths}')
    text = text.replace('data = "gaussian"', data_line)
    path = tmp_path / "spec.toml"
    path.write_text(text)
    return path


def test_example_spec_writes_all_outputs(tmp_path):
    out = tmp_path / "out"
    result = _cli("run", str(_shrunk_example(tmp_path)), "--out", str(out))
    assert result.returncode == 0, result.stderr
    for name in ("results.zarr", "summary.json", "report.html", "figures/loss.png",
                 "figures/distance_to_min_norm.png", "figures/final_distance_to_min_norm_vs_model.width.png"):
        assert (out / name).exists(), name
    summary = json.loads((out / "summary.json").read_text())
    assert {r["status"] for r in summary["runs"]} == {"converged"}
    assert "runs: 4/4" in result.stdout


def test_example_spec_reads_npz(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 50)) / np.sqrt(50)
    np.savez(tmp_path / "data.npz", X=X, Y=X @ rng.normal(size=(50, 1)))
    # One width, of the same shapes as a group above: the data are array inputs, so the compiled
    # program is shared; what is tested is reading the file.
    spec = _shrunk_example(tmp_path, 'data = { file = "data.npz" }', widths="[20]")
    result = _cli("run", str(spec), "--out", str(tmp_path / "out"), "--quiet")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "summary.json").exists()


def test_check_list_and_json():
    listed = _cli("check", "--list")
    assert listed.returncode == 0 and "invariant_set_min_norm" in listed.stdout
    result = _cli("check", "gd_converges_to_gf", "--json", "--quick")
    assert result.returncode == 0, result.stderr
    (entry,) = json.loads(result.stdout)
    assert {"name", "paper", "passed", "measured", "predicted", "tolerance"} <= set(entry)
    assert entry["passed"] is True
