"""Every dynamics against a closed form on linear least squares, L(w) = ½(w − w*)ᵀH(w − w*) + c.

Gradient flow is w(t) = w* + e^{−Ht}(w₀ − w*) and gradient descent w_k = w* + (I − ηH)^k(w₀ − w*);
each optimizer and schedule of the discrete dynamics is checked against a few steps of its
update rule written out in NumPy. The rules are optax's (read from its source, version pinned in
pyproject.toml); a mismatch means a setting is passed under the wrong name or not at all.
"""

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg

from implicit_bias.components import registered
from implicit_bias.dynamics import GradientFlow, Objective
from implicit_bias.dynamics.gradient_descent import GradientDescentSpec
from implicit_bias.models import Linear
from implicit_bias.problems.regression import Regression

N, D, LR, STEPS = 8, 3, 0.05, 6
# t_max = 0.3, not STEPS * LR = 0.30000000000000004: a run takes ceil(t_max/lr) steps, here 6.
T_MAX = 0.3
rng = np.random.default_rng(0)
X, Y = rng.standard_normal((N, D)), rng.standard_normal((N, 1))
PROBLEM, MODEL = Regression(X=jnp.asarray(X), Y=jnp.asarray(Y), rank=D), Linear(D, 1)
OBJECTIVE = Objective(MODEL, PROBLEM)
W0 = {"w": jnp.asarray(rng.standard_normal((D, 1)))}
# The loss is quadratic, so its Hessian and gradient at any point fix it (whatever its 1/N convention).
H = np.asarray(jax.hessian(lambda w: OBJECTIVE.loss({"w": w.reshape(D, 1)}))(W0["w"].ravel()))
G0 = np.asarray(jax.grad(OBJECTIVE.loss)(W0)["w"]).ravel()
W_STAR = W0["w"].ravel() - np.linalg.solve(H, G0)


def gradient(w):
    return H @ (w - W_STAR)


def final(dynamics, t):
    run = dynamics.solve(OBJECTIVE, W0, jax.random.key(0), jnp.array([t]), lambda p, t: {})
    return np.asarray(run.final_params["w"]).ravel()


def gd(optimizer=None, schedule=None, t=T_MAX):
    fields = {"kind": "gradient_descent", "lr": LR, "t_max": t}
    fields |= {"optimizer": optimizer} if optimizer else {}
    fields |= {"schedule": schedule} if schedule else {}
    return final(GradientDescentSpec.model_validate(fields).build(), t)


def test_gradient_flow_is_the_matrix_exponential():
    t = 3.0
    expected = W_STAR + scipy.linalg.expm(-H * t) @ (W0["w"].ravel() - W_STAR)
    flow = GradientFlow(jnp.asarray(t), jnp.asarray(0.0), jnp.asarray(1e-12), jnp.asarray(1e-12))
    # tolerance: the solver's rtol 1e-12 per step, accumulated over its few hundred steps
    np.testing.assert_allclose(final(flow, t), expected, rtol=1e-9, atol=1e-10)


def test_gradient_descent_is_the_matrix_power():
    expected = W_STAR + np.linalg.matrix_power(np.eye(D) - LR * H, STEPS) @ (W0["w"].ravel() - W_STAR)
    np.testing.assert_allclose(gd(), expected, rtol=1e-13)


def numpy_steps(rule, steps=STEPS):
    """Iterate ``rule(w, g, state, k) -> (w, state)`` from W0, k = 1 … steps."""
    w, state = W0["w"].ravel().copy(), {}
    for k in range(1, steps + 1):
        w, state = rule(w, gradient(w), state, k)
    return w


def heavy_ball(beta, nesterov):
    def rule(w, g, s, k):
        v = g + beta * s.get("v", 0.0)
        return w - LR * (g + beta * v if nesterov else v), {"v": v}
    return rule


def adam(b1, b2, eps, weight_decay=0.0):
    def rule(w, g, s, k):
        m = b1 * s.get("m", 0.0) + (1 - b1) * g
        v = b2 * s.get("v", 0.0) + (1 - b2) * g**2
        step = (m / (1 - b1**k)) / (np.sqrt(v / (1 - b2**k)) + eps) + weight_decay * w
        return w - LR * step, {"m": m, "v": v}
    return rule


def rmsprop(decay, eps):
    def rule(w, g, s, k):
        v = decay * s.get("v", 0.0) + (1 - decay) * g**2
        return w - LR * g / np.sqrt(v + eps), {"v": v}
    return rule


def adagrad(g0, eps):
    def rule(w, g, s, k):
        acc = s.get("acc", g0) + g**2
        return w - LR * g / np.sqrt(acc + eps), {"acc": acc}
    return rule


def _largest_coordinate_step(g):
    step = np.zeros_like(g)
    i = np.unravel_index(np.argmax(np.abs(g)), g.shape)
    step[i] = np.sign(g[i])
    return step


OPTIMIZERS = {
    "sgd": ({"kind": "sgd"}, lambda w, g, s, k: (w - LR * g, s)),
    "momentum": ({"kind": "momentum", "momentum": 0.8}, heavy_ball(0.8, False)),
    "nesterov": ({"kind": "momentum", "momentum": 0.8, "nesterov": True}, heavy_ball(0.8, True)),
    "adam": ({"kind": "adam", "b1": 0.8, "b2": 0.95, "eps": 1e-3}, adam(0.8, 0.95, 1e-3)),
    "adamw": ({"kind": "adamw", "b1": 0.8, "b2": 0.95, "eps": 1e-3, "weight_decay": 0.3}, adam(0.8, 0.95, 1e-3, 0.3)),
    "rmsprop": ({"kind": "rmsprop", "decay": 0.7, "eps": 1e-3}, rmsprop(0.7, 1e-3)),
    "adagrad": ({"kind": "adagrad", "initial_accumulator_value": 0.5, "eps": 1e-3}, adagrad(0.5, 1e-3)),
    "sign": ({"kind": "sign"}, lambda w, g, s, k: (w - LR * np.sign(g), s)),
    "coordinate": ({"kind": "coordinate"}, lambda w, g, s, k: (w - LR * _largest_coordinate_step(g), s)),
    "normalized": ({"kind": "normalized", "eps": 1e-3},
                   lambda w, g, s, k: (w - LR * g / (np.linalg.norm(g) + 1e-3), s)),
}


def test_every_registered_optimizer_has_a_numpy_reference():
    assert {spec["kind"] for spec, _ in OPTIMIZERS.values()} == set(registered("optimizer"))


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_steps_match_numpy(name):
    spec, rule = OPTIMIZERS[name]
    np.testing.assert_allclose(gd(spec), numpy_steps(rule), rtol=1e-12, atol=1e-14)


def scheduled(eta):
    return lambda w, g, s, k: (w - eta(k - 1) * g, s)


SCHEDULES = {
    "constant": ({"kind": "constant"}, lambda k: LR),
    "exponential_decay": ({"kind": "exponential_decay", "transition_steps": 2, "decay_rate": 0.5},
                          lambda k: LR * 0.5 ** (k / 2)),
    "staircase": ({"kind": "exponential_decay", "transition_steps": 2, "decay_rate": 0.5, "staircase": True},
                  lambda k: LR * 0.5 ** (k // 2)),
    "cosine_decay": ({"kind": "cosine_decay", "decay_steps": 4, "alpha": 0.1},
                     lambda k: LR * (0.1 + 0.9 * (1 + np.cos(np.pi * min(k, 4) / 4)) / 2)),
    "inverse_time": ({"kind": "inverse_time", "steps": 3.0, "power": 0.5}, lambda k: LR / (1 + k / 3) ** 0.5),
}


def test_every_registered_schedule_has_a_numpy_reference():
    assert {spec["kind"] for spec, _ in SCHEDULES.values()} == set(registered("schedule"))


@pytest.mark.parametrize("name", SCHEDULES)
def test_schedule_steps_match_numpy(name):
    spec, eta = SCHEDULES[name]
    np.testing.assert_allclose(gd(schedule=spec), numpy_steps(scheduled(eta)), rtol=1e-12, atol=1e-14)


def test_schedule_composes_with_an_optimizer():
    spec, eta = SCHEDULES["inverse_time"]

    def rule(w, g, s, k):
        v = g + 0.8 * s.get("v", 0.0)
        return w - eta(k - 1) * v, {"v": v}
    np.testing.assert_allclose(gd({"kind": "momentum", "momentum": 0.8}, spec), numpy_steps(rule), rtol=1e-12)


ADAM_SWEEP = {
    "problem": {"kind": "regression", "n_samples": 6, "input_dim": 4, "output_dim": 1},
    "model": {"kind": "two_layer_linear", "width": 5},
    "init": {"kind": "gaussian", "scale": 0.3},
    "dynamics": {"kind": "gradient_descent", "lr": 0.02, "t_max": 0.4,
                 "optimizer": {"kind": "adam", "b1": 0.9, "b2": 0.999, "eps": 1e-8},
                 "schedule": {"kind": "cosine_decay", "decay_steps": 20}},
    "observe": {"quantities": ["loss"]},
    "sweep": {"dynamics.optimizer.b2": [0.99, 0.999]},
}


def test_a_sweep_over_an_optimizer_setting_shares_one_compile_and_matches_single_runs():
    import implicit_bias as ib
    from implicit_bias.experiment.runner import build, group_runs
    from implicit_bias.spec import Spec, expand

    points = expand(Spec.model_validate(ADAM_SWEEP))
    assert [p.spec.dynamics.optimizer.b2 for p in points] == [0.99, 0.999]
    assert len(group_runs([build(p, Path(".")) for p in points])) == 1  # b2 is an array, not static
    swept = ib.run(ADAM_SWEEP)
    assert swept["loss"].shape[0] == 2 and np.all(swept["loss"].values[:, -1] < swept["loss"].values[:, 0])
    single = ib.run({**ADAM_SWEEP, "sweep": {}, "dynamics": points[1].spec.dynamics.model_dump()})
    np.testing.assert_array_equal(swept["loss"].values[1], single["loss"].values.reshape(-1))


def test_plain_steps_are_omitted_from_the_saved_spec():
    """So every spec written before optimizers existed keeps its hash and its runs their ids."""
    plain = GradientDescentSpec.model_validate({"kind": "gradient_descent", "lr": 0.1, "t_max": 1.0})
    assert set(plain.model_dump()) == {"kind", "lr", "t_max", "stop_loss", "max_steps", "objective"}
    adam = GradientDescentSpec.model_validate({**plain.model_dump(), "optimizer": {"kind": "adam"}})
    assert adam.model_dump()["optimizer"]["kind"] == "adam"
    assert GradientDescentSpec.model_validate(adam.model_dump()) == adam


TWO_LAYER = {
    "problem": {"kind": "regression", "n_samples": 6, "input_dim": 4, "output_dim": 1},
    "model": {"kind": "two_layer_linear", "width": 5},
    "init": {"kind": "gaussian", "scale": 0.3},
    "dynamics": {"kind": "gradient_descent", "lr": LR, "t_max": T_MAX},
    "observe": {"quantities": ["loss"]},
}


@pytest.mark.parametrize("name", ["adam", "momentum", "sign"])
def test_optimizer_specs_on_the_two_layer_linear_example_match_numpy(name):
    """The spec route (TOML fields → optax chain → compiled run) on Θ = UVᵀ, L = ½‖Y − XUVᵀ‖²,
    against the same rule applied to each factor with ∇_U L = −XᵀRV, ∇_V L = −RᵀXU (R = Y − XΘ)."""
    import implicit_bias as ib
    from implicit_bias.experiment.runner import build, initial_params
    from implicit_bias.spec import expand, validate_spec

    optimizer, rule = OPTIMIZERS[name]
    spec = {**TWO_LAYER, "dynamics": {**TWO_LAYER["dynamics"], "optimizer": optimizer}}
    run = build(expand(validate_spec(spec))[0], Path("."))
    X, Y = np.asarray(run.inputs.problem.X), np.asarray(run.inputs.problem.Y)
    params = {k: np.asarray(v) for k, v in initial_params(run.model, run.inputs).items()}
    states = {"U": {}, "V": {}}
    for k in range(1, STEPS + 1):
        R = Y - X @ params["U"] @ params["V"].T
        grads = {"U": -X.T @ R @ params["V"], "V": -R.T @ X @ params["U"]}
        for factor in params:
            params[factor], states[factor] = rule(params[factor], grads[factor], states[factor], k)
    np.testing.assert_allclose(ib.run(spec)["predictor"].values.reshape(-1), (params["U"] @ params["V"].T).ravel(),
                               rtol=1e-12, atol=1e-14)


def test_a_sweep_reaches_into_a_section_left_at_its_default():
    """examples/optimizers.toml sweeps dynamics.optimizer.kind; the plain optimizer it starts from
    is left out of the saved spec (hashes), but the sweep still finds its table."""
    from implicit_bias.spec import expand, load_spec

    spec, _ = load_spec(Path(__file__).parents[1] / "examples" / "optimizers.toml")
    kinds = [p.spec.dynamics.optimizer.kind for p in expand(spec)]
    assert kinds == ["sgd", "momentum", "adam", "sign"] * 2


def test_gradient_flow_out_of_steps_says_so():
    from implicit_bias.dynamics import MAX_STEPS, MAX_TIME

    def status(max_steps):
        flow = GradientFlow(jnp.asarray(50.0), jnp.asarray(0.0), jnp.asarray(1e-12), jnp.asarray(1e-12), max_steps=max_steps)
        return int(flow.solve(OBJECTIVE, W0, jax.random.key(0), jnp.array([0.0]), lambda p, t: {}).status)
    assert status(5) == MAX_STEPS and status(100_000) == MAX_TIME


def test_n_steps_keeps_the_steps_across_a_sweep_over_lr_and_t_max_counts_whole_steps():
    """``n_steps`` sets t_max = n_steps × lr per point, so every lr runs the same steps; a t_max
    that is k steps up to rounding (0.3 = 3 × 0.1 in floats is 0.30000000000000004) runs k."""
    import implicit_bias as ib

    base = {"name": "n", "problem": {"kind": "regression", "n_samples": 4, "input_dim": 5},
            "model": {"kind": "two_layer_linear", "width": 3}, "init": {"kind": "gaussian", "scale": 0.3},
            "observe": {"quantities": ["loss"], "n_times": 3}}
    ds = ib.run({**base, "dynamics": {"kind": "gradient_descent", "n_steps": 7, "lr": 0.1},
                 "sweep": {"dynamics.lr": [0.1, 0.05, 0.3]}})
    assert ds["n_steps"].values.tolist() == [7, 7, 7]
    np.testing.assert_allclose(ds["t_final"].values, [0.7, 0.35, 2.1], rtol=1e-15)
    assert int(ib.run({**base, "dynamics": {"kind": "gradient_descent", "t_max": 0.3, "lr": 0.1}})["n_steps"]) == 3
