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

PLUGIN = Path(__file__).resolve().parents[1] / "examples" / "plugin"
CLI = "from implicit_bias.cli import main; main()"


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


@pytest.mark.xdist_group("plugin")
def test_plugin_spec_runs_by_kind(venv_python, tmp_path):
    done = _run(venv_python, "-c", CLI, "run", "tanh.toml", "--out", str(tmp_path / "out"), "--quiet")
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["statuses"]["converged"] == 9
    assert all(0 < r["final"]["hidden_saturation"] < 1 for r in summary["runs"])


@pytest.mark.xdist_group("plugin")
def test_plugin_claim_passes_in_check(venv_python):
    done = _run(venv_python, "-c", CLI, "check", "tanh_gd_converges_to_gf", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)[0]["passed"]


@pytest.mark.xdist_group("plugin")
def test_plugin_own_tests_pass(venv_python):
    # Its claim test repeats the check above; the rest is the common model suite and a run.
    done = _run(venv_python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "not claim", "tests")
    assert done.returncode == 0, done.stdout + done.stderr


def test_unknown_kind_names_the_installed_plugins(tmp_path):
    spec = tmp_path / "tanh.toml"
    spec.write_text((PLUGIN / "tanh.toml").read_text())
    done = _run(sys.executable, "-c", CLI, "run", str(spec), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert done.returncode == 2 and not (tmp_path / "out").exists()
    assert done.stderr.startswith("error: model.kind: unknown kind 'two_layer_tanh'")
    assert "plugins installed" in done.stderr
