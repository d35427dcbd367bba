"""Bad input: one line naming the field and the fix, exit code 2, nothing written."""

import subprocess
import sys

import numpy as np
import pytest

import implicit_bias as ib
from implicit_bias.testing import invoke


_cli = invoke  # in this process: the same entry point as the installed command


def _write(tmp_path, text, name="spec.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


GOOD = """
name = "t"
[problem]
kind = "regression"
n_samples = 5
input_dim = 8
[model]
kind = "two_layer_linear"
width = 6
[init]
kind = "gaussian"
scale = 0.3
[dynamics]
kind = "gradient_flow"
t_max = 10.0
"""


@pytest.mark.parametrize("edit, field", [
    (("width = 6", "widht = 6"), "model.widht"),
    (("width = 6", "width = -3"), "model.width"),
    (("scale = 0.3", "scale = 'big'"), "init.scale"),
    (('kind = "gaussian"', 'kind = "gausian"'), "init.kind"),
    (("t_max = 10.0", "t_max = 10.0\nlr = 0.1"), "dynamics.lr"),
    (("[init]", "[sweep]\n'model.width' = [4, -1]\n[init]"), "sweep.model.width"),
    (("[init]", "[sweep]\n'model.depth' = [2]\n[init]"), "sweep.model.depth"),
    (("[init]", "[sweep]\n'nothing.x' = [2]\n[init]"), "sweep.nothing.x"),
    (("[init]", "[observe]\nquantities = ['loss', 'magic']\n[init]"), "observe.quantities"),
])
def test_spec_errors_name_the_field(tmp_path, edit, field):
    spec = _write(tmp_path, GOOD.replace(*edit))
    out = tmp_path / "out"
    result = _cli("run", str(spec), "--out", str(out), "--quiet")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {field}"), result.stderr
    assert ";" in lines[0]  # says how to fix it
    assert not out.exists()


def test_the_installed_command_exits_2_with_one_line(tmp_path):
    """The tests above call the CLI in-process; this once, the real command in a fresh interpreter."""
    spec = _write(tmp_path, GOOD.replace("width = 6", "width = -3"))
    result = subprocess.run([sys.executable, "-m", "implicit_bias.cli", "run", str(spec), "--out", str(tmp_path / "o")],
                            capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr.startswith("error: model.width"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not (tmp_path / "o").exists()


def test_invalid_toml_and_missing_file(tmp_path):
    assert _cli("run", str(_write(tmp_path, "name = "))).returncode == 2
    result = _cli("run", str(tmp_path / "nope.toml"))
    assert result.returncode == 2 and "does not exist" in result.stderr


@pytest.mark.parametrize("make, message", [
    (lambda p: np.savez(p / "d.npz", X=np.ones((5, 8)), Y=np.ones((4, 1))), "does not match"),
    (lambda p: np.savez(p / "d.npz", X=np.full((5, 8), np.nan), y=np.ones(5)), "NaN or inf"),
    (lambda p: np.savez(p / "d.npz", A=np.ones((5, 8))), "holds"),
    (lambda p: np.savez(p / "d.npz", X=np.array([["a"] * 8] * 5), y=np.ones(5)), "not numeric"),
    (lambda p: np.savez(p / "d.npz", X=np.array([None] * 5, dtype=object), y=np.ones(5)), "cannot read"),
    (lambda p: (p / "d.npz").write_text("garbage"), "cannot read"),
])
def test_bad_data_files(tmp_path, make, message):
    make(tmp_path)
    spec = _write(tmp_path, GOOD.replace("input_dim = 8", 'data = { file = "d.npz" }').replace("n_samples = 5", ""))
    result = _cli("run", str(spec), "--out", str(tmp_path / "out"), "--quiet")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: problem.data") and message in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


def test_csv_with_non_numeric_cell(tmp_path):
    (tmp_path / "d.csv").write_text("x1,x2,y\n1,2,3\n4,oops,6\n")
    spec = _write(tmp_path, GOOD.replace("input_dim = 8", 'data = { file = "d.csv" }').replace("n_samples = 5", ""))
    result = _cli("run", str(spec), "--quiet", "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "data row 2" in result.stderr, result.stderr


def test_data_files_load(tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(5, 8)), rng.normal(size=5)
    np.savez(tmp_path / "d.npz", X=X, y=y)
    np.savetxt(tmp_path / "d.csv", np.column_stack([X, y]), delimiter=",", header="a,b,c,d,e,f,g,h,y", comments="")
    results = []
    for name in ("d.npz", "d.csv"):
        spec = GOOD.replace("input_dim = 8", f'data = {{ file = "{name}" }}').replace("n_samples = 5", "")
        results.append(ib.run(_write(tmp_path, spec, f"{name}.toml")))
    np.testing.assert_allclose(results[0]["predictor"], results[1]["predictor"], rtol=1e-12)


def test_unknown_claim_and_paper():
    assert _cli("check", "no_such_claim").returncode == 2
    assert _cli("reproduce", "nobody2099").returncode == 2


@pytest.mark.parametrize("fit", ["model.width", "model.width=a:b", "=1:2", "model.width=5:1"])
def test_report_fit_range_is_checked(tmp_path, fit):
    result = _cli("report", str(tmp_path), "--fit", fit)
    assert result.returncode == 2 and result.stderr.startswith("error: --fit"), result.stderr


@pytest.mark.parametrize("edit, message", [
    (("t_max = 10.0", "t_max = 10.0\nstop_los = 1e-3"), "dynamics.stop_los: unknown key; did you mean 'stop_loss'?"),
    (("width = 6", "width = 6\nwidht = 3"), "model.widht: unknown key; did you mean 'width'?"),
    (("[init]", "[observe]\nquantities = ['los']\n[init]"), "observe.quantities: unknown observable 'los'; did you "
     "mean 'loss'? choose one defined for model 'two_layer_linear' on problem 'regression': ["),
])
def test_misspellings_get_a_suggestion(tmp_path, edit, message):
    result = _cli("run", str(_write(tmp_path, GOOD.replace(*edit))), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and result.stderr.startswith(f"error: {message}"), result.stderr
    assert "angle_to_max_margin" not in result.stderr  # only observables this model and problem define


def test_an_empty_spec_says_it_is_empty(tmp_path):
    result = _cli("run", str(_write(tmp_path, "# nothing yet\n")))
    assert result.returncode == 2 and result.stderr.startswith("error: spec: is empty; give at least [problem]")
