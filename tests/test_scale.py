"""Sweeps at scale: executors agree bit for bit, the store survives kill -9 (local and Dask) and
a killed worker, one writer per directory, the memory guard, progress, and the report page
rendered in headless Chromium."""

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from io import StringIO
from pathlib import Path

import pytest
import xarray as xr

import implicit_bias as ib
from implicit_bias.experiment import ResultStore, build
from implicit_bias.experiment.plan import plan_chunks, run_bytes
from implicit_bias.report import report_directory
from implicit_bias.spec import expand, observation_times

# Module-scoped fixtures below are built once per xdist worker: keep this module on one.
pytestmark = pytest.mark.xdist_group("test_scale")

distributed = pytest.importorskip("distributed", reason="the 'dask' extra is not installed")

# Overdetermined regression: the loss has a positive floor, so GD never stops early and every
# run takes all its t_max / lr steps (tens of ms each): long enough to kill a sweep mid-way.
SPEC = {
    "name": "scale",
    "problem": {"kind": "regression", "n_samples": 12, "input_dim": 4, "output_dim": 1},
    "model": {"kind": "two_layer_linear", "width": 4},
    "init": {"kind": "gaussian", "scale": 0.3},
    "dynamics": {"kind": "gradient_descent", "lr": 0.01, "t_max": 300.0},
    "observe": {"quantities": ["loss", "loss_bound"], "n_times": 8},
    "sweep": {"seed": [0, 1], "dynamics.lr": [0.005, 0.01], "init.scale": [0.1, 0.3]},
}
N_RUNS = 8


@pytest.fixture(scope="module")
def one_run_limit():
    """A memory limit that fits exactly one run: every run is its own task (8 tasks)."""
    spec = ib.validate_spec(SPEC)
    points = expand(spec)
    return run_bytes(build(points[0], Path(".")), len(observation_times(points)))


@pytest.fixture(scope="module")
def reference(tmp_path_factory, one_run_limit):
    """The uninterrupted local run every other run must match."""
    out = tmp_path_factory.mktemp("reference") / "out"
    ib.run(SPEC, out, memory_limit=one_run_limit, report=False)
    return out


@pytest.fixture(scope="module")
def dask_executor():
    """The one embedded Dask cluster of this module (2 spawned single-threaded workers)."""
    executor = ib.experiment.DaskExecutor(n_workers=2)
    yield executor
    executor.close()


def _store_identical(a: Path, b: Path) -> None:
    assert (a / "summary.json").read_text() == (b / "summary.json").read_text()
    with xr.open_zarr(a / "results.zarr") as x, xr.open_zarr(b / "results.zarr") as y:
        xr.testing.assert_identical(x.load(), y.load())


def _parts(out: Path) -> dict[str, int]:
    """Stored parts (name → modification time): finished parts are never rewritten."""
    return {p.name: p.stat().st_mtime_ns for p in (out / "parts").glob("*.zarr")}


def _run_ids_in_parts(out: Path) -> list[str]:
    ids = []
    for p in sorted((out / "parts").glob("*.zarr")):
        with xr.open_zarr(p) as part:
            ids += list(map(str, part["run"].values))
    return ids


def test_worker_killed_mid_task_is_retried_without_duplicates(dask_executor, reference, one_run_limit, tmp_path):
    """Kill -9 a worker while it holds a task: the scheduler reruns the task on a (restarted)
    worker, each run is stored once, and the store equals the local one bit for bit."""
    client = dask_executor.client
    out = tmp_path / "out"
    killed = []

    def kill_a_busy_worker():
        while not killed:
            busy = [w for w, tasks in client.processing().items() if tasks]
            if busy:
                pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            time.sleep(0.01)

    killer = threading.Thread(target=kill_a_busy_worker, daemon=True)
    killer.start()
    ib.run(SPEC, out, executor=dask_executor, memory_limit=one_run_limit, report=False)
    killer.join(timeout=5)
    assert killed, "no worker was killed"
    ids = _run_ids_in_parts(out)
    assert len(ids) == len(set(ids)) == N_RUNS
    _store_identical(reference, out)


def _cli(args: list[str], **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(ib.__file__).parents[1]), "MPLBACKEND": "Agg"}
    return subprocess.Popen([sys.executable, "-m", "implicit_bias.cli", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, **kwargs)


@pytest.mark.parametrize("executor", ["local", "dask"])
def test_kill_9_mid_sweep_then_rerun(executor, reference, dask_executor, one_run_limit, tmp_path):
    """kill -9 a running ``implicit-bias run`` (and its Dask workers: the whole process group)
    once some tasks are stored; rerunning finishes only the missing runs and gives the same
    summary.json and results.zarr as an uninterrupted run."""
    spec_path = tmp_path / "spec.toml"
    spec_path.write_text(_toml(SPEC))
    out = tmp_path / "out"
    proc = _cli(["run", str(spec_path), "--out", str(out), "--executor", executor,
                 "--memory-limit", repr(1.5 * one_run_limit / 2**30)])  # still one run per task
    seen = []
    for line in proc.stdout:  # plain progress lines: not a terminal
        seen.append(line)
        if line.startswith("runs: ") and 0 < int(line.split()[1].split("/")[0]) < N_RUNS:
            os.killpg(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "".join(seen)
    before = _parts(out)
    assert 0 < len(before) < N_RUNS and not (out / "summary.json").exists()
    calls = []
    ib.run(spec_path, out, executor=dask_executor if executor == "dask" else None, memory_limit=one_run_limit,
           progress=lambda done, total, diverged: calls.append(done), report=False)
    assert calls[0] == len(before)  # every stored run was found finished
    after = _parts(out)
    assert {k: after[k] for k in before} == before  # ... and none was rewritten
    ids = _run_ids_in_parts(out)
    assert len(ids) == len(set(ids)) == N_RUNS
    _store_identical(reference, out)


def _toml(spec: dict) -> str:
    lines = [f"name = {json.dumps(spec['name'])}"]
    for section in ("problem", "model", "init", "dynamics", "observe", "sweep"):
        lines.append(f"[{section}]")
        lines += [f"{json.dumps(k)} = {json.dumps(v)}" for k, v in spec[section].items()]
    return "\n".join(lines) + "\n"


def test_second_writer_is_refused_until_the_first_closes(tmp_path):
    spec = ib.validate_spec(SPEC)
    with ResultStore(tmp_path / "out", spec):
        with pytest.raises(ib.SpecError, match=f"being written by another process \\(pid {os.getpid()}\\)"):
            ResultStore(tmp_path / "out", spec)
    ResultStore(tmp_path / "out", spec).close()


def test_memory_guard_splits_and_refuses(one_run_limit, tmp_path, capsys, monkeypatch):
    spec = ib.validate_spec(SPEC)
    points = expand(spec)
    built = [build(p, Path(".")) for p in points]
    times = observation_times(points)
    assert [(len(t.runs), t.batch_size) for t in plan_chunks(built, times, 3 * one_run_limit)] == [(3, 3), (3, 3),
                                                                                                  (2, 3)]
    assert [len(t.runs) for t in plan_chunks(built, times)] == [N_RUNS]
    with pytest.raises(ib.SpecError, match="one run needs about .* more than the"):
        plan_chunks(built, times, one_run_limit - 1)
    # At the CLI: one line, exit 2, and nothing written.
    from implicit_bias import cli
    spec_path = tmp_path / "spec.toml"
    spec_path.write_text(_toml(SPEC))
    monkeypatch.setattr(sys, "argv", ["implicit-bias", "run", str(spec_path), "--out", str(tmp_path / "o"),
                                      "--memory-limit", "1e-9"])
    with pytest.raises(SystemExit) as exit:
        cli.main()
    assert exit.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: model: one run needs about"), err
    assert not (tmp_path / "o").exists()


def test_progress_bar_on_a_terminal():
    from rich.console import Console

    from implicit_bias.experiment.progress import progress_bar
    screen = StringIO()
    with progress_bar(Console(file=screen, force_terminal=True, width=120)) as update:
        for done in (0, 2, 5):  # the rate needs two samples some time apart
            update(done, 10, 2 if done == 5 else 0)
            time.sleep(0.05)
    text = screen.getvalue()
    assert "5/10" in text and "2 diverged" in text and "runs/s" in text


def test_report_page_renders_in_chromium(reference, tmp_path):
    """``implicit-bias report DIR`` rebuilds every figure (seed bands, theory overlay, phase
    diagrams over the two swept axes) into a page whose images all load in a browser."""
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    claims = tmp_path / "claims.json"
    claims.write_text(json.dumps([{"name": "a_claim", "paper": "a paper", "measured": 1.0, "predicted": 1.0,
                                   "tolerance": 1e-6, "passed": True}]))
    page = report_directory(out, claims)
    names = sorted(p.name for p in (out / "figures").iterdir())
    assert "loss.png" in names and "phase_loss_dynamics.lr_x_init.scale.png" in names, names
    text = page.read_text()
    assert "Claim checks" in text and "a_claim" in text and "Theory" in text
    assert "src=\"file:" not in text and "http" not in text.split("<h2>Spec")[0]  # self-contained
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium)")
    probe = tmp_path / "probe.html"
    probe.write_text(text.replace("</body>", """<script>
window.addEventListener('load', () => {
  const ok = [...document.images].filter(i => i.complete && i.naturalWidth > 0).length;
  document.body.setAttribute('data-loaded', ok + '/' + document.images.length);
});</script></body>"""))
    dom = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'c'}",
                          "--virtual-time-budget=10000", "--dump-dom", probe.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    assert f'data-loaded="{len(names)}/{len(names)}"' in dom, dom[-500:]
