"""Quadratic teacher–student: problem, model, online SGD through the engine, theory, errors.

The claims (tests/test_claims.py runs them) cover the theorems; these tests cover the pieces.
"""

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from implicit_bias import run
from implicit_bias.cli import app
from implicit_bias.errors import SpecError
from implicit_bias.models import QuadraticNetwork
from implicit_bias.problems import OnlineTeacherStudent, make_teacher
from implicit_bias.theory import quadratic_teacher_student as qt

# Module-scoped fixtures below are built once per xdist worker: keep this module on one.
pytestmark = pytest.mark.xdist_group("test_quadratic_teacher_student")

N, P, PS = 30, 3, 2


def spec(**over) -> dict:
    s = {"name": "qts", "problem": {"kind": "online_teacher_student", "input_dim": N, "teacher_width": PS},
         "model": {"kind": "quadratic_network", "width": P},
         "init": {"kind": "teacher_overlap", "overlap": 0.3, "scale": 0.5},
         "dynamics": {"kind": "sgd", "lr": 0.05, "t_max": 2.0},
         "observe": {"quantities": ["loss", "overlap_m_norm", "polar_m_drift", "procrustes_distance"],
                     "n_times": 5, "grid": "linear", "t_min": 0.5}}
    for key, value in over.items():
        section, field = key.split("__")
        s[section] = {k: v for k, v in {**s[section], field: value}.items() if v is not None}
    return s


@pytest.fixture(scope="module")
def problem():
    return OnlineTeacherStudent(jnp.asarray(make_teacher("gaussian", PS, N, 0)), 0.7, "float64")


def test_population_loss_is_the_mean_sample_loss(problem):
    """The closed-form population loss equals a large-sample mean of the per-sample loss."""
    model = QuadraticNetwork(N, P, 1.3)
    params = {"W": jax.random.normal(jax.random.key(1), (P, N))}
    x = problem.draw_batches(jax.random.key(2), 1, 200_000)[0]
    residual = model.predict(params, x)[:, 0] - problem.targets(x)
    samples = 0.5 * residual**2
    exact = float(problem.loss(model, params))
    assert abs(float(samples.mean()) - exact) < 4 * float(samples.std()) / np.sqrt(samples.size)


def test_overlap_velocity_matches_expected_sgd_step(problem):
    """The ODE's drift (η and η² terms) is N × the exact expected one-step change of (Q, M),
    estimated here by averaging the step over many Gaussian inputs."""
    a, b, eta = 1.3, problem.teacher_scale, 0.05
    model = QuadraticNetwork(N, P, a)
    W = jax.random.normal(jax.random.key(3), (P, N)) * 0.7
    x = problem.draw_batches(jax.random.key(4), 1, 200_000)[0]
    grads = jax.vmap(lambda xi: jax.grad(problem.batch_loss, argnums=1)(model, {"W": W}, xi[None])["W"])(x)
    W1 = W - eta * grads
    dQ = N * (jnp.einsum("spn,sqn->spq", W1, W1) / N - W @ W.T / N).mean(0)
    dM = N * (W1 @ problem.teacher.T / N - W @ problem.teacher.T / N).mean(0)
    Q, M, T = qt.overlaps(W, problem.teacher)
    v = qt.overlap_velocity(qt.Overlaps(Q, M), T, a, b, eta)
    # Finite N: the ODE drops O(1/N) corrections (‖x‖²/N ≠ 1 correlations); MC error ~1e-2.
    assert np.allclose(dM, v.M, atol=0.05 * float(jnp.abs(v.M).max()) + 0.02)
    assert np.allclose(dQ, v.Q, atol=0.1 * float(jnp.abs(v.Q).max()) + 0.02)


def test_plateau_is_a_fixed_point():
    for eta in (0.0, 0.05):
        pl = qt.plateau(np.eye(2), 4, 1.0, 1.0, eta)
        v = qt.overlap_velocity(qt.Overlaps(pl.q * jnp.eye(4), jnp.zeros((4, 2))), jnp.eye(2), 1.0, 1.0, eta)
        assert float(jnp.abs(v.Q).max()) < 1e-12 and float(jnp.abs(v.M).max()) == 0.0
    assert qt.plateau(np.eye(2), 4, 1.0, 1.0).loss == pytest.approx(4 / 6 + 2)


def test_sgd_run_is_deterministic_and_record_grid_independent():
    """Same spec + seed → same numbers; and step k sees the same sample whatever the record
    grid (blocks are redrawn after a record inside them)."""
    a = run(spec())
    b = run(spec())
    assert np.array_equal(a["final_loss"].values, b["final_loss"].values)
    c = run(spec(observe__t_min=0.3))  # another grid of the same length: no recompile
    assert np.array_equal(a["final_loss"].values, c["final_loss"].values)
    assert int(a["status"]) == 1 and float(a["t_final"]) == pytest.approx(2.0)


def test_divergence_reported_with_alpha(tmp_path):
    out = tmp_path / "div"
    run(spec(dynamics__lr=5.0, dynamics__t_max=5.0), out)
    entry = json.loads((out / "summary.json").read_text())["runs"][0]
    assert entry["status"] == "diverged"
    assert entry["diverged_at_time"] == pytest.approx(entry["diverged_at_step"] / N)


def test_student_narrower_than_teacher_runs_with_a_note(tmp_path):
    out = tmp_path / "narrow"
    run(spec(model__width=1, problem__teacher_width=2), out)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["runs"][0]["status"] == "max_time"
    assert "no zero-loss manifold" in summary["notes"][0]


@pytest.mark.parametrize("over, field", [
    ({"init__kind": "balanced", "init__overlap": None}, "init.kind"),
    ({"init__row_scales": [1.0, 2.0]}, "init.row_scales"),
    ({"problem__teacher_width": 40}, "problem.teacher_width"),
    ({"model__kind": "two_layer_linear"}, "model.kind"),
])
def test_bad_input_is_a_spec_error(over, field):
    with pytest.raises(SpecError) as e:
        run(spec(**over))
    assert e.value.field == field


def test_cli_runs_the_example(tmp_path):
    """``implicit-bias run examples/quadratic-escape.toml`` (shrunk: N = 40, α = 1, 2 seeds)."""
    from pathlib import Path

    from typer.testing import CliRunner

    text = (Path(__file__).parent.parent / "examples" / "quadratic-escape.toml").read_text()
    text = text.replace("input_dim = 1000", "input_dim = 40").replace("t_max = 40.0", "t_max = 1.0")
    text = text.replace("seed = [0, 1, 2, 3]", "seed = [0, 1]")
    (tmp_path / "q.toml").write_text(text)
    result = CliRunner().invoke(app, ["run", str(tmp_path / "q.toml"), "--out", str(tmp_path / "o"), "--quiet"])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["n_runs"] == 2
