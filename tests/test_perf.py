"""The performance paths keep the numbers: the unrolled discrete loop steps, records and
detects divergence at exactly the right steps; an ensemble passes data shared by its members
once, and only that."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from implicit_bias.dynamics import DIVERGED, MAX_STEPS, MAX_TIME
from implicit_bias.dynamics._iterate import UNROLL, iterate
from implicit_bias.experiment.runner import build, split_shared
from implicit_bias.spec import expand, validate_spec


def _scalar_gd(lr: float, t_max: float, times, max_steps: int = 10**6):
    """GD on L(θ) = θ² from θ = 1: θ_k = (1 − 2η)^k exactly representable for the η used."""
    loss = lambda p: p["theta"] ** 2  # noqa: E731
    opt = optax.sgd(lr)

    def step(params, state, k, sample):
        value, grads = jax.value_and_grad(loss)(params)
        updates, state = opt.update(grads, state, params)
        return optax.apply_updates(params, updates), state, value

    params0 = {"theta": jnp.ones(())}
    return jax.jit(lambda: iterate(
        step, loss, params0, opt.init(params0), dt=jnp.asarray(lr), t_max=jnp.asarray(t_max),
        stop_loss=jnp.asarray(0.0), max_steps=max_steps, times=jnp.asarray(times),
        observe=lambda p, t: {"loss": loss(p)}))()


@pytest.mark.parametrize("n_steps", [UNROLL * 3, UNROLL * 3 + 1])
def test_unrolled_loop_steps_and_records_exactly(n_steps):
    lr = 0.25  # θ halves each step
    times = np.array([0.0, 0.25, 0.75, 1.0]) * lr / 0.25  # record steps 0, 1, 3, 4
    traj = _scalar_gd(lr, n_steps * lr, times)
    assert int(traj.n_steps) == n_steps and int(traj.status) == MAX_TIME
    assert float(traj.final_params["theta"]) == 0.5**n_steps
    np.testing.assert_array_equal(traj.observed["loss"], [0.25**k for k in (0, 1, 3, 4)])


def test_a_record_shows_the_last_iterate_at_or_before_its_time():
    """Records between steps show the iterate already reached (kη ≤ t), never the next one: with
    η = 0.25, times 0.1, 0.24 show θ₀ and 0.3 shows θ₁ (issue: records before the first step
    showed the loss after it)."""
    lr = 0.25
    traj = _scalar_gd(lr, 4 * lr, np.array([0.0, 0.1, 0.24, 0.3, 0.74, 0.75, 1.0]))
    np.testing.assert_array_equal(traj.observed["loss"], [0.25**k for k in (0, 0, 0, 1, 2, 3, 4)])


def test_running_out_of_steps_before_t_max_is_its_own_status():
    lr = 0.25
    assert int(_scalar_gd(lr, 10 * lr, np.array([0.0, 1.0]), max_steps=6).status) == MAX_STEPS
    assert int(_scalar_gd(lr, 6 * lr, np.array([0.0, 1.0]), max_steps=6).status) == MAX_TIME  # both at once: t_max


@pytest.mark.parametrize("t_steps", [20, 21])
def test_unrolled_loop_reports_divergence_at_its_step(t_steps):
    lr = 5.5  # θ_k = (−10)^k, L_k = 100^k: above 1e12·(1 + L_0) first at k = 7
    traj = _scalar_gd(lr, t_steps * lr, np.array([0.0, 3 * lr, 9 * lr]))
    assert int(traj.status) == DIVERGED and int(traj.diverged_at) == 7 and int(traj.n_steps) == 7
    assert float(traj.final_params["theta"]) == (-10.0) ** 7  # the last parameters before the blow-up
    loss = np.asarray(traj.observed["loss"])
    assert loss[0] == 1.0 and loss[1] == 1e6 and np.isnan(loss[2])  # step 9 never reached


def test_split_shared_passes_common_leaves_once():
    spec = validate_spec({
        "name": "split", "problem": {"kind": "regression", "n_samples": 4, "input_dim": 6},
        "model": {"kind": "two_layer_linear", "width": 3}, "init": {"kind": "gaussian", "scale": 0.1},
        "dynamics": {"kind": "gradient_descent", "lr": 0.1, "t_max": 1.0},
        "sweep": {"seed": [0, 1, 2], "dynamics.lr": [0.1, 0.2]}})
    runs = [build(p, ".") for p in expand(spec)]
    per_member, shared = split_shared(runs)
    names = [jax.tree_util.keystr(path) for path, _ in jax.tree_util.tree_leaves_with_path(runs[0].inputs)]
    batched = {n for n, leaf in zip(names, per_member) if leaf is not None}
    assert batched == {".key", ".dynamics.lr"}  # the data, init scale, t_max… are shared
    assert all((m is None) != (s is None) for m, s in zip(per_member, shared))
    assert all(m.shape[0] == len(runs) for m in per_member if m is not None)
    X = shared[names.index(".problem.X")]
    np.testing.assert_array_equal(X, runs[0].inputs.problem.X)
