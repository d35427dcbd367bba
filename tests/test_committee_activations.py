"""The committee ODE's Gaussian integrals per activation (closed forms against Monte Carlo, the
Gauss–Hermite fallback exact on polynomials and of measured accuracy on ReLU), and its label-noise
and weight-decay terms against the expected SGD step."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.special import erf

from implicit_bias import activations, validate_spec
from implicit_bias.errors import SpecError
from implicit_bias.models import QuadraticNetwork
from implicit_bias.problems import OnlineTeacherStudent, make_teacher
from implicit_bias.theory import committee
from implicit_bias.theory import quadratic_teacher_student as qt

RNG = np.random.default_rng(0)
_A = RNG.normal(size=(4, 4))
C = _A @ _A.T / 4 + 0.3 * np.eye(4)
U = RNG.multivariate_normal(np.zeros(4), C, size=100_000)
FIRST = 2

G = {"erf": (erf(U / np.sqrt(2)), np.sqrt(2 / np.pi) * np.exp(-U**2 / 2)),
     "relu": (np.maximum(U, 0), (U > 0).astype(float)), "linear": (U, np.ones_like(U))}


def _samples(name):
    g, dg = G[name]
    return {"i2": np.einsum("sc,sd->scd", g, g), "j2": np.einsum("sa,sb->sab", dg, dg),
            "i3": np.einsum("sa,sb,sc->sabc", dg[:, :FIRST], U, g),
            "i4": np.einsum("sa,sb,sc,sd->sabcd", dg[:, :FIRST], dg[:, :FIRST], g, g)}


def _integrals(act):
    f = jax.jit(lambda C: (act.i2(C), act.j2(C), act.i3(C, FIRST), act.i4(C, FIRST)))
    return dict(zip(("i2", "j2", "i3", "i4"), map(np.asarray, f(jnp.asarray(C)))))


@pytest.mark.parametrize("name", ["erf", "relu", "linear"])
def test_closed_forms_match_monte_carlo(name):
    """Every closed form equals its sample mean over 10⁵ draws within 5 standard errors (ReLU's I₄,
    a quadrature, in the next test)."""
    exact = _integrals(activations.COMMITTEE_ACTIVATIONS[name])
    for key, s in _samples(name).items():
        if name == "relu" and key == "i4":
            continue
        se = s.std(0) / np.sqrt(len(s))
        assert np.all(np.abs(s.mean(0) - exact[key]) <= 5 * se + 1e-12), key


def test_relu_i4_quadrature_accuracy():
    """ReLU's I₄ by 8-node Gauss–Hermite: the kinks make the quadrature converge slowly; measured
    here max |error| = 0.09 against 10⁵-sample Monte Carlo (SE ≤ 2.4e-3), 0.06 at 16 nodes. The
    bound 0.1 is that measured accuracy, stated in :class:`~implicit_bias.activations.ReLU`."""
    s = _samples("relu")["i4"]
    quad = _integrals(activations.COMMITTEE_ACTIVATIONS["relu"])["i4"]
    assert np.max(np.abs(s.mean(0) - quad)) < 0.1


def _quadratic_by_quadrature():
    return activations.GaussHermite(lambda z: z**2, lambda z: 2 * z, nodes=4)


def test_gauss_hermite_committee_ode_is_exact_on_the_quadratic_network():
    """g = z² through the generic committee ODE with 4-node quadrature (exact: the integrands are
    polynomials of degree ≤ 6) equals the quadratic network's closed-form ODE, label noise and weight
    decay included, to rounding."""
    p, ps = 3, 2
    Q = jnp.asarray(C[:p, :p])
    M = jnp.asarray(RNG.normal(size=(p, ps)) * 0.3)
    T = jnp.eye(ps)
    args = (1.3, 0.7, 0.4)
    sigma, kappa = jnp.asarray(0.5), jnp.asarray(0.2)
    f = jax.jit(lambda Q, M: (committee.overlap_velocity(Q, M, T, *args, _quadratic_by_quadrature(), True, sigma, kappa),
                              qt.overlap_velocity(qt.Overlaps(Q, M), T, *args, True, sigma, kappa)))
    (dQ, dR), exact = f(Q, M)
    assert np.allclose(dQ, exact.Q, rtol=1e-10, atol=1e-12) and np.allclose(dR, exact.M, rtol=1e-10, atol=1e-12)


N, P, PS = 30, 3, 2


def test_label_noise_and_weight_decay_match_the_expected_sgd_step():
    """The erf ODE's drift with σ and κ is N × the expected one-step change of (Q, R), as in
    tests/test_erf_committee.py (same tolerances: O(1/N) corrections + Monte Carlo error), and the
    σ, κ terms are each larger than those tolerances, so leaving either out fails (measured: gaps 0.008
    in R and Q with both terms, 0.21 without the σ term, 0.29 without the κ term)."""
    sigma, kappa, eta = 1.0, 0.5, 0.5
    problem = OnlineTeacherStudent(jnp.asarray(make_teacher("gaussian", PS, N, 0)), 0.7, "float64", "erf", sigma,
                                   kappa)
    model = QuadraticNetwork(N, P, 1.3, "erf")
    W = 0.7 * jax.random.normal(jax.random.key(3), (P, N))
    x = problem.draw_batches(jax.random.key(4), 1, 50_000)[0]
    assert x.shape == (50_000, N + 1)
    grads = jax.jit(jax.vmap(lambda xi: jax.grad(problem.batch_loss, argnums=1)(model, {"W": W}, xi[None])["W"]))
    W1 = W - eta * grads(x)
    dQ = N * (jnp.einsum("spn,sqn->spq", W1, W1) / N - W @ W.T / N).mean(0)
    dR = N * (W1 @ problem.teacher.T / N - W @ problem.teacher.T / N).mean(0)
    Q, R, T = qt.overlaps(W, problem.teacher)
    velocity = jax.jit(qt.VELOCITIES["erf"], static_argnames="noise")
    v = velocity(qt.Overlaps(Q, R), T, 1.3, 0.7, eta, True, sigma, kappa)
    assert np.allclose(dR, v.M, atol=0.01) and np.allclose(dQ, v.Q, atol=0.03)
    for without in ((None, kappa), (sigma, None)):
        assert not np.allclose(dQ, velocity(qt.Overlaps(Q, R), T, 1.3, 0.7, eta, True, *without).Q, atol=0.03)


def test_noise_and_decay_default_off_and_validated():
    spec = {"problem": {"kind": "online_teacher_student", "input_dim": N, "teacher_width": PS},
            "model": {"kind": "quadratic_network", "width": P}, "init": {"kind": "gaussian", "scale": 0.5},
            "dynamics": {"kind": "sgd", "lr": 0.5, "t_max": 1.0}}
    problem = validate_spec(spec).problem.create(".")
    assert problem.label_noise == problem.weight_decay == 0.0
    assert problem.draw_batches(jax.random.key(0), 1, 2).shape == (1, 2, N)
    for field in ("label_noise", "weight_decay"):
        with pytest.raises(SpecError, match=field):
            validate_spec({**spec, "problem": {**spec["problem"], field: -0.1}})


def test_trained_second_layer_velocity():
    """With v = a·1 and η_v = 0 the trained-second-layer ODE is the fixed-layer one (to rounding);
    dv/dα is −η_v ∂L/∂v (autodiff of the population loss); and (Q, R, v) move as N × the expected
    one-step change of a hand-written SGD step (erf, σ = 1, κ = 0.5, N = 30; the tolerances of the
    fixed-layer test: measured 4.7e-3 on R, 4.5e-3 on Q; 0.01 on v, whose expectation has Monte Carlo
    error only, SE ≈ 3e-3: measured 5.1e-3)."""
    act = activations.COMMITTEE_ACTIVATIONS["erf"]
    teacher = jnp.asarray(make_teacher("gaussian", PS, N, 0))
    W = 0.7 * jax.random.normal(jax.random.key(3), (P, N))
    v = jnp.asarray([1.3, 0.9, 0.5])
    Q, R, T = qt.overlaps(W, teacher)
    b, eta, eta_v, sigma, kappa = 0.7, 0.5, 0.8, 1.0, 0.5
    trained = jax.jit(committee.trained_velocity, static_argnames=("activation", "noise"))
    y = committee.CommitteeState(Q, R, v)
    fixed = jax.jit(lambda Q, R: committee.overlap_velocity(Q, R, T, 1.3, b, eta, act, True, sigma, kappa))(Q, R)
    same = trained(committee.CommitteeState(Q, R, jnp.full(P, 1.3)), T, b, eta, 0.0, act, True, sigma, kappa)
    assert np.allclose(same.Q, fixed[0], rtol=1e-12, atol=1e-14) and np.allclose(same.R, fixed[1], rtol=1e-12, atol=1e-14)
    assert np.allclose(same.v, 0.0)

    vel = trained(y, T, b, eta, eta_v, act, True, sigma, kappa)
    dL = jax.grad(committee.trained_population_loss, argnums=2)(Q, R, v, T, b, "erf")
    assert np.allclose(vel.v, -eta_v * dL, rtol=1e-12)

    g = act.g
    x = jax.random.normal(jax.random.key(4), (50_000, N))
    xi = jax.random.normal(jax.random.key(5), (50_000,))
    lam, nu = x @ W.T / np.sqrt(N), x @ teacher.T / np.sqrt(N)
    delta = g(lam) @ v - b * g(nu).sum(1) - sigma * xi
    dg = np.sqrt(2 / np.pi) * jnp.exp(-lam**2 / 2)
    W1 = W - eta * (delta[:, None, None] * (v * dg)[:, :, None] * x[:, None, :] / np.sqrt(N) + kappa * W / N)
    dQ = N * (jnp.einsum("spn,sqn->spq", W1, W1) / N - Q).mean(0)
    dR = N * (W1 @ teacher.T / N - R).mean(0)
    dv = -eta_v * (delta[:, None] * g(lam)).mean(0)
    assert np.allclose(dR, vel.R, atol=0.01) and np.allclose(dQ, vel.Q, atol=0.03) and np.allclose(dv, vel.v, atol=0.01)
