"""Erf soft committee machine: the closed-form Gaussian integrals, the population loss and the
overlap ODE's drift against direct sampling, and the activation option through the spec.

The claim erf_sgd_tracks_ode (tests/test_claims.py) compares whole SGD runs with the ODE.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.special import erf

from implicit_bias import validate_spec
from implicit_bias.errors import SpecError
from implicit_bias.experiment.runner import build
from implicit_bias.models import QuadraticNetwork
from implicit_bias.problems import OnlineTeacherStudent, make_teacher
from implicit_bias.spec import expand
from implicit_bias import activations
from implicit_bias.theory import quadratic_teacher_student as qt

N, P, PS = 30, 3, 2


def test_gaussian_integrals_match_monte_carlo():
    """I₂, I₃, I₄ in closed form equal sample means over u ~ N(0, C) within 5 standard errors."""
    rng = np.random.default_rng(0)
    A = rng.normal(size=(4, 4))
    C = A @ A.T / 4 + 0.3 * np.eye(4)
    u = rng.multivariate_normal(np.zeros(4), C, size=100_000)
    g, dg = erf(u / np.sqrt(2)), np.sqrt(2 / np.pi) * np.exp(-u**2 / 2)
    samples = {"I2": np.einsum("sc,sd->scd", g, g),
               "I3": np.einsum("sa,sb,sc->sabc", dg[:, :2], u, g),
               "I4": np.einsum("sa,sb,sc,sd->sabcd", dg[:, :2], dg[:, :2], g, g)}
    # Jitted: eagerly, each of their few dozen small ops would compile on its own.
    exact = {"I2": jax.jit(activations.erf_i2)(C), "I3": jax.jit(activations.erf_i3, static_argnums=1)(C, 2),
             "I4": jax.jit(activations.erf_i4, static_argnums=1)(C, 2)}
    for name, s in samples.items():
        se = s.std(0) / np.sqrt(len(s))
        assert np.all(np.abs(s.mean(0) - np.asarray(exact[name])) <= 5 * se + 1e-12), name


@pytest.fixture(scope="module")
def setting():
    problem = OnlineTeacherStudent(jnp.asarray(make_teacher("gaussian", PS, N, 0)), 0.7, "float64", "erf")
    model = QuadraticNetwork(N, P, 1.3, "erf")
    W = 0.7 * jax.random.normal(jax.random.key(3), (P, N))
    x = problem.draw_batches(jax.random.key(4), 1, 50_000)[0]
    return problem, model, W, x


def test_population_loss_is_the_mean_sample_loss(setting):
    problem, model, W, x = setting
    samples = 0.5 * (model.predict({"W": W}, x)[:, 0] - problem.targets(x)) ** 2
    exact = float(problem.loss(model, {"W": W}))
    assert abs(float(samples.mean()) - exact) < 4 * float(samples.std()) / np.sqrt(samples.size)


def test_overlap_velocity_matches_expected_sgd_step(setting):
    """The erf ODE's drift (η and η² terms) is N × the expected one-step change of (Q, R)."""
    problem, model, W, x = setting
    eta = 0.5
    grads = jax.jit(jax.vmap(lambda xi: jax.grad(problem.batch_loss, argnums=1)(model, {"W": W}, xi[None])["W"]))
    W1 = W - eta * grads(x)
    dQ = N * (jnp.einsum("spn,sqn->spq", W1, W1) / N - W @ W.T / N).mean(0)
    dR = N * (W1 @ problem.teacher.T / N - W @ problem.teacher.T / N).mean(0)
    Q, R, T = qt.overlaps(W, problem.teacher)
    velocity = jax.jit(qt.VELOCITIES["erf"], static_argnames="noise")
    v = velocity(qt.Overlaps(Q, R), T, model.output_scale, problem.teacher_scale, eta)
    # Measured at N = 30: |dR − v.R| ≤ 2e-3, |dQ − v.Q| ≤ 1.3e-2 (O(1/N) corrections + MC error);
    # the η² term alone is ~0.1 here, so dropping it would fail.
    assert np.allclose(dR, v.M, atol=0.01)
    assert np.allclose(dQ, v.Q, atol=0.03)
    assert not np.allclose(dQ, velocity(qt.Overlaps(Q, R), T, 1.3, 0.7, eta, noise=False).Q, atol=0.03)


def test_activation_reaches_problem_and_model_from_the_spec():
    spec = {"problem": {"kind": "online_teacher_student", "input_dim": N, "teacher_width": PS, "activation": "erf"},
            "model": {"kind": "quadratic_network", "width": P},
            "init": {"kind": "teacher_overlap", "overlap": 0.3, "scale": 0.5},
            "dynamics": {"kind": "sgd", "lr": 0.5, "t_max": 1.0}}
    run = build(expand(validate_spec(spec))[0], ".")
    assert run.model.activation == run.inputs.problem.activation == "erf"
    with pytest.raises(SpecError, match="activation"):
        validate_spec({**spec, "problem": {**spec["problem"], "activation": "tanh"}})
