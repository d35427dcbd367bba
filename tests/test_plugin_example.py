"""examples/plugin, installed as a user would: its kind runs by name from a TOML spec, its claim
passes in `implicit-bias check`, and its own tests (on implicit_bias.testing) pass.

The plugin goes into a throwaway virtual environment that sees this one's packages
(``--system-site-packages``), so installing it never changes the environment the suite runs in."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from implicit_bias.testing import invoke

PLUGIN = Path(__file__).resolve().parents[1] / "examples" / "plugin"


@pytest.fixture(scope="module")
def venv_python(tmp_path_factory) -> str:
    venv = tmp_path_factory.mktemp("plugin-venv")
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", str(PLUGIN)], check=True,
                   env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    return python


def _run(python: str, *args: str, cwd: Path = PLUGIN) -> subprocess.CompletedProcess:
    return subprocess.run([python, *args], cwd=cwd, capture_output=True, text=True)


#: In the plugin's environment, one interpreter (one JAX start-up, compiled programs shared):
#: its spec run by kind through the CLI, its claim through ``check``, then its own tests.
SESSION = """
import json, sys
import pytest
from implicit_bias.testing import invoke
out = sys.argv[1]
run = invoke("run", "tanh.toml", "--out", out, "--quiet")
check = invoke("check", "tanh_gd_converges_to_gf", "--json")
# Its claim test repeats the check above; the rest is the common model suite and a run.
# "-c pyproject.toml": the plugin's own configuration, as in its own checkout; pytest would
# otherwise climb to this repository's and start its xdist workers (two more JAX start-ups).
tests = pytest.main(["-q", "-c", "pyproject.toml", "-p", "no:cacheprovider", "-k", "not claim", "tests"])
print(json.dumps({"run": [run.returncode, run.stderr], "check": [check.returncode, check.stdout + check.stderr],
                  "tests": int(tests)}))
"""


@pytest.fixture(scope="module")
def session(venv_python, tmp_path_factory):
    out = tmp_path_factory.mktemp("plugin-run") / "out"
    done = _run(venv_python, "-c", SESSION, str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    return out, json.loads(done.stdout.strip().splitlines()[-1]), done.stdout


@pytest.mark.xdist_group("plugin")
def test_plugin_spec_runs_by_kind(session):
    out, result, _ = session
    code, stderr = result["run"]
    assert code == 0, stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["statuses"]["converged"] == 9
    assert all(0 < r["final"]["hidden_saturation"] < 1 for r in summary["runs"])


@pytest.mark.xdist_group("plugin")
def test_plugin_claim_passes_in_check(session):
    _, result, _ = session
    code, output = result["check"]
    assert code == 0, output
    assert json.loads(output)[0]["passed"]


@pytest.mark.xdist_group("plugin")
def test_plugin_own_tests_pass(session):
    _, result, output = session
    assert result["tests"] == 0, output


def test_unknown_kind_names_the_installed_plugins(tmp_path):
    spec = tmp_path / "tanh.toml"
    spec.write_text((PLUGIN / "tanh.toml").read_text())
    done = invoke("run", str(spec), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert done.returncode == 2 and not (tmp_path / "out").exists()
    assert done.stderr.startswith("error: model.kind: unknown kind 'two_layer_tanh'")
    assert "plugins installed" in done.stderr
