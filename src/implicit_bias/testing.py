r"""Testing helpers for the project and for plugin authors.

**The common model suite.** Every registered model kind declares ``examples`` in its schema
(:class:`~implicit_bias.models.ModelSpec`): small specs (problem, model, init) it is checked
on. :func:`model_check_cases` crosses them with :data:`MODEL_CHECKS`, so a new model — built
in or from a plugin — is checked the moment it is registered::

    import pytest
    from implicit_bias.testing import model_check_cases

    @pytest.mark.parametrize("case", model_check_cases(kinds=["two_layer_tanh"]), ids=str)
    def test_model(case):
        case.run()

The checks: the loss gradient matches central finite differences; each quantity of
``conserved()`` holds under a tightly integrated gradient flow; the declared degree of
homogeneity holds; a data problem's mini-batch loss is unbiased; the spec round-trips.

**Results.** :func:`assert_results_equal` compares two result Datasets (or two result
directories) bit for bit and fails with a readable list of what differs;
:func:`assert_claim` checks a claim and fails with its measured and predicted values.

**The command line.** :func:`invoke` runs ``implicit-bias ARGS`` in this process, through the
same entry point as the installed command (exit codes, one-line errors on stderr), so a test
does not pay a fresh interpreter's JAX import and compiles for every call.
"""

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import xarray as xr

from .components import registered
from .dynamics import GradientFlow, Objective
from .experiment.runner import build, initial_params
from .mirrors import ElementwiseMirror
from .problems import AbstractDataProblem
from .spec import expand, validate_spec

__all__ = ["MIRROR_CHECKS", "MODEL_CHECKS", "Case", "assert_claim", "assert_results_equal", "invoke", "mirror_check_cases",
           "model_check_cases"]


@dataclass(frozen=True)
class Case:
    """One check on one example of one component kind; ``run()`` raises AssertionError on failure."""

    kind: str
    example: int
    check: Callable[[dict], None]
    spec: dict

    def run(self) -> None:
        self.check(self.spec)

    def __str__(self) -> str:
        return f"{self.kind}[{self.example}]-{self.check.__name__.removeprefix('check_')}"


def _setup(spec: dict):
    """The example's model, problem and initial parameters (a one-step GF completes the spec)."""
    full = {"dynamics": {"kind": "gradient_flow", "t_max": 1.0}, **spec}
    run = build(expand(validate_spec(full))[0], Path("."))
    return run.model, run.inputs.problem, initial_params(run.model, run.inputs)


def _inner(a, b) -> jax.Array:
    return sum(jnp.sum(x * y) for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)))


def check_gradient(spec: dict) -> None:
    """∇L from JAX equals the central difference along a random direction, to 1e-7 relative
    (float64: the difference's truncation error is O(ε²) = 1e-12, its rounding O(1e-16/ε)).

    Arrays a model keeps fixed (its ``predict`` stops their gradient: the ReLU net's output
    weights, the lazy model's w₀) have an identically zero gradient; the direction leaves them
    alone, since the loss does change along them."""
    model, problem, params = _setup(spec)
    objective = Objective(model, problem)
    grads = jax.grad(objective.loss)(params)
    direction = jax.tree.map(lambda a, g: jax.random.normal(jax.random.key(1), a.shape) * jnp.any(g != 0),
                             params, grads)
    eps = 1e-6
    shift = lambda s: jax.tree.map(lambda p, d: p + s * eps * d, params, direction)  # noqa: E731
    numeric = (objective.loss(shift(1)) - objective.loss(shift(-1))) / (2 * eps)
    analytic = _inner(grads, direction)
    np.testing.assert_allclose(float(numeric), float(analytic), rtol=1e-7,
                               err_msg=f"{spec['model']['kind']}: gradient differs from finite differences")


def check_conserved_under_gf(spec: dict) -> None:
    """Each ``conserved()`` quantity moves by < 1e-8 (relative) over a GF run at rtol 1e-11
    that lowers the loss tenfold: the integrator's error, not a drift of the model's algebra."""
    model, problem, params0 = _setup(spec)
    conserved0 = model.conserved(params0)
    if not conserved0:
        return
    objective = Objective(model, problem)
    gf = GradientFlow(*(jnp.asarray(x) for x in (5.0, 0.0, 1e-11, 1e-13)))
    traj = gf.solve(objective, params0, jax.random.key(0), jnp.array([0.0, 5.0]),
                    lambda p, t: {"loss": objective.loss(p)})
    for name, c0 in conserved0.items():
        moved = float(jnp.linalg.norm(model.conserved(traj.final_params)[name] - c0))
        assert moved < 1e-8 * (1 + float(jnp.linalg.norm(c0))), f"{spec['model']['kind']}: {name} moved by {moved:.3g}"


def check_homogeneity(spec: dict) -> None:
    """f(cθ) = cᵏ f(θ) for the degree k the model declares (none declared: nothing to check)."""
    model, problem, params = _setup(spec)
    k = model.homogeneity()
    if k is None:
        return
    x = jax.random.normal(jax.random.key(2), (5, model.input_dim))
    c = 1.7
    np.testing.assert_allclose(np.asarray(model.predict(jax.tree.map(lambda a: c * a, params), x)),
                               c**k * np.asarray(model.predict(params, x)), rtol=1e-12, atol=1e-14,
                               err_msg=f"{spec['model']['kind']}: not homogeneous of degree {k}")


def check_minibatch_unbiased(spec: dict) -> None:
    """On a data set, the mean over single-sample mini-batch losses is the full loss."""
    model, problem, params = _setup(spec)
    if not isinstance(problem, AbstractDataProblem):
        return
    singles = [problem.minibatch_loss(model, params, jnp.array([i])) for i in range(problem.n_samples)]
    np.testing.assert_allclose(float(np.mean(singles)), float(problem.loss(model, params)), rtol=1e-12)


def check_spec_round_trip(spec: dict) -> None:
    """The validated spec dumped and validated again is the same spec (same hash)."""
    full = {"dynamics": {"kind": "gradient_flow", "t_max": 1.0}, **spec}
    validated = validate_spec(full)
    again = validate_spec(validated.model_dump(mode="json"))
    assert again == validated and again.hash == validated.hash, f"{spec['model']['kind']}: spec does not round-trip"


MODEL_CHECKS: tuple[Callable[[dict], None], ...] = (
    check_gradient, check_conserved_under_gf, check_homogeneity, check_minibatch_unbiased, check_spec_round_trip)


def _check_cases(section: str, checks: Iterable[Callable[[dict], None]], kinds: Iterable[str] | None,
                 case_spec: Callable[[dict], dict]) -> list[Case]:
    """Every check on every example (``examples`` of the schema) of the registered kinds of
    ``section`` (or of ``kinds``); ``case_spec`` makes an example the checks' argument. A kind
    without examples is itself a failing case: it must declare some."""
    known = registered(section)
    cases = []
    for kind in kinds if kinds is not None else known:
        examples = known[kind].examples
        if not examples:
            cases.append(Case(kind, 0, _no_examples, {section: {"kind": kind}}))
        cases += [Case(kind, i, check, case_spec(example)) for i, example in enumerate(examples) for check in checks]
    return cases


def model_check_cases(kinds: Iterable[str] | None = None) -> list[Case]:
    """Every check of :data:`MODEL_CHECKS` on every example (a spec's problem, model and init
    tables) of the registered model kinds (or of ``kinds``)."""
    return _check_cases("model", MODEL_CHECKS, kinds, lambda example: example)


def _no_examples(spec: dict) -> None:
    section = next(iter(spec))
    raise AssertionError(f"{section} kind '{spec[section]['kind']}' declares no examples for the common checks")


def _mirror(spec: dict):
    return registered("mirror")[spec["mirror"]["kind"]].model_validate(spec["mirror"]).build()


def check_mirror_maps(spec: dict) -> None:
    """``to_dual`` is the gradient of ``potential`` and ``to_primal`` its inverse, at a point with
    entries of both signs and magnitudes 0.1–2; an elementwise map's conjugate φ* has derivative
    (φ′)⁻¹ and meets Fenchel–Young with equality, φ(x) + φ*(φ′(x)) = xφ′(x) (to 1e-12: closed forms)."""
    mirror = _mirror(spec)
    theta = {"a": jnp.array([-2.0, -0.3, 0.1, 0.7, 1.9]), "b": jnp.array([[0.4, -1.1]])}
    name = spec["mirror"]["kind"]
    for got, want in zip(jax.tree.leaves(mirror.to_dual(theta)), jax.tree.leaves(jax.grad(mirror.potential)(theta))):
        np.testing.assert_allclose(got, want, rtol=1e-12, err_msg=f"{name}: to_dual is not the gradient of potential")
    for got, want in zip(jax.tree.leaves(mirror.to_primal(mirror.to_dual(theta))), jax.tree.leaves(theta)):
        np.testing.assert_allclose(got, want, rtol=1e-12, err_msg=f"{name}: to_primal does not invert to_dual")
    assert abs(float(mirror.bregman(theta, theta))) < 1e-12, f"{name}: D_ψ(θ, θ) ≠ 0"
    if isinstance(mirror, ElementwiseMirror):
        x = theta["a"]
        z = mirror.phi_prime(x)
        np.testing.assert_allclose(jax.vmap(jax.grad(mirror.phi_conjugate))(z), x, rtol=1e-12,
                                   err_msg=f"{name}: φ*' is not (φ')⁻¹")
        np.testing.assert_allclose(mirror.phi(x) + mirror.phi_conjugate(z), x * z, rtol=1e-12, atol=1e-15,
                                   err_msg=f"{name}: φ* is not the conjugate of φ (Fenchel–Young)")


def check_mirror_flow_limit(spec: dict) -> None:
    r"""Mirror flow on underdetermined least squares (6 samples, 10 unknowns) from θ₀ ends at
    :math:`\arg\min\{D_\psi(\theta, \theta_0) : X\theta = y\}`, checked by its optimality
    conditions: the loss is below 1e-20 (interpolation) and
    :math:`\nabla\psi(\theta) - \nabla\psi(\theta_0)` lies in the row space of X to 1e-8 (the flow
    keeps it there exactly; what is left is the solver's error at rtol 1e-12)."""
    from .models import Linear
    from .problems.regression import Regression

    rng = np.random.default_rng(0)
    X = rng.standard_normal((6, 10))
    problem = Regression(X=jnp.asarray(X), Y=jnp.asarray(X @ rng.standard_normal((10, 1))), rank=6)
    objective, mirror = Objective(Linear(10, 1), problem), _mirror(spec)
    theta0 = {"w": jnp.asarray(0.3 * rng.standard_normal((10, 1)))}
    gf = GradientFlow(*(jnp.asarray(x) for x in (1e4, 1e-20, 1e-12, 1e-14)), mirror=mirror)
    traj = gf.solve(objective, theta0, jax.random.key(0), jnp.array([0.0]), lambda p, t: {})
    name = spec["mirror"]["kind"]
    assert float(objective.loss(traj.final_params)) < 1e-20, f"{name}: mirror flow did not interpolate by t = 1e4"
    moved = np.asarray(mirror.to_dual(traj.final_params)["w"] - mirror.to_dual(theta0)["w"]).ravel()
    off_rows = moved - np.linalg.pinv(X) @ (X @ moved)
    assert np.linalg.norm(off_rows) < 1e-8 * (1 + np.linalg.norm(moved)), \
        f"{name}: ∇ψ(θ) − ∇ψ(θ₀) left the row space of X by {np.linalg.norm(off_rows):.3g}"


#: What :func:`mirror_check_cases` runs on every example of every mirror kind.
MIRROR_CHECKS: tuple[Callable[[dict], None], ...] = (check_mirror_maps, check_mirror_flow_limit)


def mirror_check_cases(kinds: Iterable[str] | None = None) -> list[Case]:
    """Every check of :data:`MIRROR_CHECKS` on every example (a mirror table) of the registered
    mirror kinds (or of ``kinds``)."""
    return _check_cases("mirror", MIRROR_CHECKS, kinds, lambda example: {"mirror": example})


def assert_claim(claim, quick: bool = True) -> None:
    """Check ``claim`` (a :class:`~implicit_bias.claims.Claim` or a registered claim's name), at
    its test size unless ``quick=False``, and fail with its measured value, prediction and
    tolerance unless it passes."""
    from .claims import REGISTRY  # claims import the experiment layer; this module is below them

    claim = REGISTRY[claim] if isinstance(claim, str) else claim
    result = claim.check(quick=quick)
    assert result.passed, (f"{result.name}: measured {result.measured:.6g}, predicted {result.predicted:.6g} "
                           f"± {result.tolerance:.3g} ({claim.comparison}); {result.detail}")


def _open(results: xr.Dataset | str | Path) -> xr.Dataset:
    if isinstance(results, xr.Dataset):
        return results
    return xr.open_zarr(Path(results) / "results.zarr")


def assert_results_equal(a: xr.Dataset | str | Path, b: xr.Dataset | str | Path) -> None:
    """Two results (Datasets or result directories) hold the same numbers, bit for bit (NaN
    equal to NaN), on the same coordinates; the failure lists every variable that differs, with
    its largest difference and where it occurs."""
    a, b = _open(a), _open(b)
    problems = []
    if set(a.data_vars) != set(b.data_vars):
        problems.append(f"variables only in the first: {sorted(set(a.data_vars) - set(b.data_vars))}, "
                        f"only in the second: {sorted(set(b.data_vars) - set(a.data_vars))}")
    for name in sorted(set(a.coords) | set(b.coords)):
        if name not in a.coords or name not in b.coords or not np.array_equal(a[name].values, b[name].values):
            problems.append(f"coordinate {name} differs")
    for name in sorted(set(a.data_vars) & set(b.data_vars)):
        x, y = np.asarray(a[name].values), np.asarray(b[name].values)
        if x.shape != y.shape:
            problems.append(f"{name}: shape {x.shape} vs {y.shape}")
        elif not np.array_equal(x, y, equal_nan=x.dtype.kind == "f"):
            if x.dtype.kind in "fc":
                diff = np.where(np.isnan(x) & np.isnan(y), 0.0, np.abs(x - y))
                worst = np.unravel_index(np.nanargmax(np.where(np.isnan(diff), np.inf, diff)), x.shape)
                where = dict(zip(a[name].dims, worst))
                problems.append(f"{name}: {np.sum(diff != 0)} of {x.size} values differ, largest "
                                f"|Δ| = {diff[worst]:.3g} at {where} ({x[worst]!r} vs {y[worst]!r})")
            else:
                problems.append(f"{name}: {np.sum(x != y)} of {x.size} values differ")
    assert not problems, "results differ:\n  " + "\n  ".join(problems)


def invoke(*args: str, cwd: str | Path | None = None) -> subprocess.CompletedProcess:
    """``implicit-bias *args`` run in this process (in ``cwd``), as a finished subprocess would
    report it: ``returncode``, ``stdout`` and ``stderr`` (text)."""
    from .cli import main  # the CLI imports the whole package; most tests never need it

    stdout, stderr = io.StringIO(), io.StringIO()
    here, argv = os.getcwd(), sys.argv
    sys.argv = ["implicit-bias", *args]
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                main()
                code = 0
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    finally:
        os.chdir(here)
        sys.argv = argv
    return subprocess.CompletedProcess(["implicit-bias", *args], code, stdout.getvalue(), stderr.getvalue())
