"""The TOML spec: a pydantic schema that mirrors the Python API, and its sweep expansion.

Every section has a ``kind`` picking a registered component; unknown keys and bad values are
rejected with the field path. Nothing in a spec executes or imports code: kinds map to the
classes registered here and nothing else.
"""

import hashlib
import itertools
import json
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import jax
import jax.numpy as jnp
import numpy as np
from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, NonNegativeInt, PositiveFloat, \
    PositiveInt, ValidationError, field_validator

from . import dynamics, initializations, models, problems
from .errors import SpecError
from .observables import REGISTRY as OBSERVABLES


def _f(x: float) -> jax.Array:
    """Scalars enter components as float64 arrays, so sweeping them never recompiles."""
    return jnp.asarray(x, dtype=jnp.float64)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- problem ---------------------------------------------------------------------------------

class DataFile(_Section):
    file: str = Field(description="path to .npz (X, Y or y) or .csv (features…, y), relative to the spec")


class DigitsData(_Section):
    digits: tuple[int, int] = Field(description="two classes of the handwritten digits (first → +1, second → −1)")
    random_labels: bool = Field(False, description="replace every label by a fair ±1 coin (Arora et al.'s control)")


class RegressionSpec(_Section):
    kind: Literal["regression"]
    n_samples: PositiveInt = 20
    input_dim: PositiveInt = 50
    output_dim: PositiveInt = 1
    data: Literal["gaussian", "quadratic_teacher"] | DataFile | DigitsData = Field(
        "gaussian", description="generator, data file, or {digits = [a, b]}")
    n_test: NonNegativeInt = Field(0, description="held-out samples (generators and digits) for test observables")
    data_seed: NonNegativeInt = 0
    input_std: PositiveFloat | None = Field(None, description="std of X's entries; default 1/√input_dim")
    teacher_std: NonNegativeFloat = 1.0
    noise: NonNegativeFloat = 0.0

    def build(self, base_dir: Path) -> problems.Regression:
        return _build_regression(self.model_dump_json(), str(base_dir), frozenset(self.model_fields_set))


@lru_cache(maxsize=64)
def _build_regression(spec_json: str, base_dir: str, given: frozenset[str]) -> problems.Regression:
    # Cached: a sweep over seeds reuses one data set instead of regenerating it per run.
    s = RegressionSpec.model_validate_json(spec_json)
    if s.data == "gaussian":
        return problems.gaussian_regression(s.n_samples, s.input_dim, s.output_dim, seed=s.data_seed,
                                            input_std=s.input_std, teacher_std=s.teacher_std, noise=s.noise,
                                            n_test=s.n_test)
    if s.data == "quadratic_teacher":
        return problems.quadratic_teacher_regression(s.n_samples, s.input_dim, seed=s.data_seed, n_test=s.n_test)
    if isinstance(s.data, DigitsData):
        return problems.digits_regression(s.data.digits, s.n_samples, s.n_test, seed=s.data_seed,
                                          random_labels=s.data.random_labels)
    if s.n_test:
        raise SpecError("problem.n_test", "a data file brings no held-out set", "remove problem.n_test")
    problem = problems.load_regression(Path(base_dir) / s.data.file)
    for name, got in (("n_samples", problem.X.shape[0]), ("input_dim", problem.X.shape[1]),
                      ("output_dim", problem.Y.shape[1])):
        if name in given and getattr(s, name) != got:
            raise SpecError(f"problem.{name}", f"is {getattr(s, name)} but the data file has {got}",
                            f"remove problem.{name} (it is read from the file) or fix it")
    return problem


ProblemSpec = Annotated[Union[RegressionSpec], Field(discriminator="kind")]


# --- model -----------------------------------------------------------------------------------

class TwoLayerLinearSpec(_Section):
    kind: Literal["two_layer_linear"]
    width: PositiveInt

    def build(self, problem: problems.Regression) -> models.TwoLayerLinear:
        return models.TwoLayerLinear(problem.X.shape[1], problem.Y.shape[1], self.width)


class TwoLayerReLUSpec(_Section):
    kind: Literal["two_layer_relu"]
    width: PositiveInt
    bias: bool = Field(True, description="append a constant 1 to the inputs (Satpathi & Srikant)")
    train_outer: bool = Field(False, description="train the output weights too (bias = false: the homogeneous net)")

    def build(self, problem: problems.Regression) -> models.TwoLayerReLU:
        if problem.Y.shape[1] != 1:
            raise SpecError("problem.output_dim", f"two_layer_relu has one output, the data have {problem.Y.shape[1]}",
                            "set problem.output_dim = 1")
        return models.TwoLayerReLU(problem.X.shape[1], self.width, self.bias, self.train_outer)


ModelSpec = Annotated[Union[TwoLayerLinearSpec, TwoLayerReLUSpec], Field(discriminator="kind")]


# --- init ------------------------------------------------------------------------------------

class _GaussianFields(_Section):
    scale: PositiveFloat = 1.0
    width_exponent: float = Field(0.0, description="α in std = scale·width^(−α)")

    def gaussian(self, factor_scales: dict[str, float] | None = None) -> initializations.Gaussian:
        return initializations.Gaussian(_f(self.scale), _f(self.width_exponent),
                                        {k: _f(v) for k, v in (factor_scales or {}).items()})


class GaussianSpec(_GaussianFields):
    kind: Literal["gaussian"]
    factor_scales: dict[str, PositiveFloat] = Field(
        default_factory=dict, description="per-array scale overrides, e.g. {U = 0.5, V = 0.02}")

    def build(self, model, problem):
        unknown = set(self.factor_scales) - set(model.param_shapes())
        if unknown:
            raise SpecError("init.factor_scales", f"no parameter named {sorted(unknown)}",
                            f"use names among {sorted(model.param_shapes())}")
        return self.gaussian(self.factor_scales)


class BalancedSpec(_GaussianFields):
    kind: Literal["balanced"]

    def build(self, model, problem):
        _need_width(model, model.output_dim, "balanced", "output_dim")
        return initializations.Balanced(self.gaussian())


class ZeroImbalanceSpec(_GaussianFields):
    kind: Literal["zero_imbalance"]

    def build(self, model, problem):
        _need_width(model, model.output_dim, "zero_imbalance", "output_dim")
        if problem.rank < model.output_dim:
            raise SpecError("init.kind", f"zero_imbalance needs rank X ≥ output_dim, got {problem.rank}",
                            "use more samples or the 'balanced' init")
        return initializations.ZeroImbalance(self.gaussian())


class InvariantSetSpec(_GaussianFields):
    kind: Literal["invariant_set"]

    def build(self, model, problem):
        return initializations.InvariantSet(self.gaussian())


class ImbalanceSpec(_Section):
    kind: Literal["imbalance"]
    level: float = Field(description="λ_r(D(0)) if > 0, or −λ_m(−D(0)) if < 0")

    @field_validator("level")
    @classmethod
    def _nonzero(cls, v):
        if v == 0:
            raise ValueError("must be nonzero (zero init is a saddle that never moves)")
        return v

    def build(self, model, problem):
        if self.level > 0:
            _need_width(model, problem.rank, "imbalance with level > 0", "rank X")
        else:
            _need_width(model, model.output_dim, "imbalance with level < 0", "output_dim")
        return initializations.Imbalance(_f(self.level))


class NTKGaussianSpec(_Section):
    kind: Literal["ntk_gaussian"]
    kappa: PositiveFloat = Field(1.0, description="std κ of the first-layer weights; output weights ±1")

    def build(self, model, problem):
        _need_relu(model, self.kind)
        return initializations.SignGaussian(_f(self.kappa))


class AntisymmetricSpec(NTKGaussianSpec):
    kind: Literal["antisymmetric"]

    def build(self, model, problem):
        _need_relu(model, self.kind)
        if model.width % 2:
            raise SpecError("model.width", f"the antisymmetric init pairs neurons; width {model.width} is odd",
                            "use an even width")
        return initializations.Antisymmetric(initializations.SignGaussian(_f(self.kappa)))


def _need_relu(model, kind: str) -> None:
    if not isinstance(model, models.TwoLayerReLU):
        raise SpecError("init.kind", f"'{kind}' initializes a two-layer ReLU net", "use model.kind = 'two_layer_relu'")


def _need_width(model, minimum: int, what: str, name: str) -> None:
    if model.width < minimum:
        raise SpecError("model.width", f"{what} init needs width ≥ {name} = {minimum}, got {model.width}",
                        f"set model.width ≥ {minimum}")


InitSpec = Annotated[Union[GaussianSpec, BalancedSpec, ZeroImbalanceSpec, InvariantSetSpec, ImbalanceSpec,
                           NTKGaussianSpec, AntisymmetricSpec],
                     Field(discriminator="kind")]


# --- dynamics --------------------------------------------------------------------------------

class _StopFields(_Section):
    t_max: PositiveFloat = Field(description="gradient-flow time to stop at (steps × lr for GD/SGD)")
    stop_loss: NonNegativeFloat = Field(0.0, description="stop once the loss is below this")


class GradientFlowSpec(_StopFields):
    kind: Literal["gradient_flow"]
    rtol: PositiveFloat = 1e-10
    atol: PositiveFloat = 1e-12
    solver: Literal["tsit5", "dopri5", "dopri8"] = "tsit5"
    max_steps: PositiveInt = 1_000_000

    def build(self):
        return dynamics.GradientFlow(_f(self.t_max), _f(self.stop_loss), _f(self.rtol), _f(self.atol),
                                     self.solver, self.max_steps)


class GradientDescentSpec(_StopFields):
    kind: Literal["gradient_descent"]
    lr: PositiveFloat
    max_steps: PositiveInt = 10_000_000

    def build(self):
        return dynamics.GradientDescent(_f(self.lr), _f(self.t_max), _f(self.stop_loss), self.max_steps)


class SGDSpec(_StopFields):
    kind: Literal["sgd"]
    lr: PositiveFloat
    batch_size: PositiveInt = 1
    max_steps: PositiveInt = 10_000_000

    def build(self):
        return dynamics.SGD(_f(self.lr), _f(self.t_max), _f(self.stop_loss), self.batch_size, self.max_steps)


DynamicsSpec = Annotated[Union[GradientFlowSpec, GradientDescentSpec, SGDSpec], Field(discriminator="kind")]


# --- observe, sweep, whole spec --------------------------------------------------------------

class ObserveSpec(_Section):
    quantities: list[str] = Field(default_factory=lambda: ["loss"])
    n_times: int = Field(100, ge=2, description="record times: t = 0 and n_times − 1 log-spaced ones")
    t_min: PositiveFloat = 1e-2

    @field_validator("quantities")
    @classmethod
    def _known(cls, v):
        for name in v:
            if name not in OBSERVABLES:
                raise ValueError(f"unknown observable '{name}'; choose from {sorted(OBSERVABLES)}")
        if len(set(v)) != len(v):
            raise ValueError("lists an observable twice")
        return v


Scalar = bool | int | float | str


class Spec(_Section):
    name: str = "experiment"
    seed: NonNegativeInt = 0
    problem: ProblemSpec
    model: ModelSpec
    init: InitSpec
    dynamics: DynamicsSpec
    observe: ObserveSpec = ObserveSpec()
    sweep: dict[str, list[Scalar]] = Field(default_factory=dict)

    @property
    def hash(self) -> str:
        """Hash of the validated spec (defaults filled in): equal specs, equal hash."""
        return _digest(self.model_dump(mode="json"))


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


class RunPoint(BaseModel):
    """One run of a sweep: its coordinates and its fully resolved spec (no sweep)."""

    model_config = ConfigDict(frozen=True)
    coords: dict[str, Scalar]
    spec: Spec

    @property
    def run_id(self) -> str:
        return _digest(self.spec.model_dump(mode="json", exclude={"name"}))


# --- loading and errors ----------------------------------------------------------------------

_FIXES = {
    "extra_forbidden": "remove it or check its spelling",
    "missing": "add it",
    "union_tag_invalid": "use one of the kinds listed",
    "literal_error": "use one of the values listed",
}


def _field_path(loc: tuple, raw: dict) -> str:
    # Tagged unions put the tag in the location ("init.gaussian.scale"); users wrote "init.scale".
    parts, node = [], raw
    for item in loc:
        if isinstance(node, dict) and isinstance(item, str) and item not in node and node.get("kind") == item:
            continue
        parts.append(f"[{item}]" if isinstance(item, int) else str(item))
        node = node.get(item) if isinstance(node, dict) else (
            node[item] if isinstance(node, list) and isinstance(item, int) and item < len(node) else None)
    return ".".join(parts).replace(".[", "[")


def spec_error(error: ValidationError, raw: dict, prefix: str = "") -> SpecError:
    errors = error.errors()
    # A misspelt key shows up as "unknown key" plus "missing": report the unknown key, and
    # suggest the missing name beside it.
    first = min(errors, key=lambda e: e["type"] != "extra_forbidden")
    field = prefix + _field_path(first["loc"], raw) if first["loc"] else (prefix.rstrip(".") or "spec")
    message = first["msg"].removeprefix("Value error, ")
    fix = _FIXES.get(first["type"], "see the spec reference in the README")
    if first["type"] in ("union_tag_invalid", "union_tag_not_found"):
        field += ".kind"
        message = f"unknown kind {first['input'].get('kind')!r}" if first["type"] == "union_tag_invalid" else "missing"
        fix = f"use one of {first['ctx']['expected_tags']}"
    if first["type"] == "extra_forbidden":
        message = "unknown key"
        missing = [e["loc"][-1] for e in errors if e["type"] == "missing" and e["loc"][:-1] == first["loc"][:-1]]
        if missing:
            fix = f"did you mean '{missing[0]}'?"
    return SpecError(field, message, fix)


def validate_spec(raw: dict) -> Spec:
    """Validate a spec given as a dict (as parsed from TOML); raise :class:`SpecError`."""
    try:
        spec = Spec.model_validate(raw)
    except ValidationError as e:
        raise spec_error(e, raw) from None
    expand(spec, raw)  # validates every sweep point too
    return spec


def load_spec(path: str | Path) -> tuple[Spec, Path]:
    """Read and validate a TOML spec; returns it and the directory data paths are relative to."""
    path = Path(path)
    if not path.is_file():
        raise SpecError("SPEC", f"file '{path}' does not exist", "give the path of a .toml spec")
    try:
        raw = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise SpecError("SPEC", f"'{path.name}' is not valid TOML ({e})", "fix the TOML syntax") from None
    return validate_spec(raw), path.resolve().parent


def _set_path(tree: dict, dotted: str, value) -> None:
    *parents, leaf = dotted.split(".")
    for key in parents:
        node = tree.get(key)
        if not isinstance(node, dict):
            raise SpecError(f"sweep.{dotted}", f"'{key}' is not a section of the spec",
                            "name a field as 'section.field', e.g. 'model.width'")
        tree = node
    if isinstance(tree.get(leaf), (dict, list)):
        raise SpecError(f"sweep.{dotted}", "is not a scalar field", "sweep over scalar fields only")
    tree[leaf] = value


def expand(spec: Spec, raw: dict | None = None) -> list[RunPoint]:
    """The sweep's grid (Cartesian product, in the order the axes are given), one
    :class:`RunPoint` per combination; a spec without ``[sweep]`` is one run."""
    # Only the fields the user set, so that each point knows which were given (data files check).
    base = spec.model_dump(mode="json", exclude={"sweep"}, exclude_unset=True)
    raw = raw if raw is not None else base
    axes = list(spec.sweep.items())
    for key, values in axes:
        if key.startswith("observe."):
            raise SpecError(f"sweep.{key}", "observe settings are shared by all runs of a sweep",
                            "set them in [observe] instead")
        if not values:
            raise SpecError(f"sweep.{key}", "is empty", "give at least one value")
    points = []
    for combo in itertools.product(*(values for _, values in axes)):
        tree = json.loads(json.dumps(base))
        coords = dict(zip((k for k, _ in axes), combo))
        for key, value in coords.items():
            _set_path(tree, key, value)
        try:
            points.append(RunPoint(coords=coords, spec=Spec.model_validate(tree)))
        except ValidationError as e:
            err = spec_error(e, tree)
            swept = next((k for k in coords if err.field == k or err.field.startswith(k + ".")), None)
            if swept is not None:
                raise SpecError(f"sweep.{swept}", f"value {coords[swept]!r}: {err.problem}", err.fix) from None
            raise err from None
    return points


def observation_times(points: list[RunPoint]) -> np.ndarray:
    """t = 0, then ``n_times − 1`` log-spaced times from ``t_min`` to the largest ``t_max``
    of the sweep: one time axis for every run, so runs compare pointwise."""
    observe = points[0].spec.observe
    t_max = max(p.spec.dynamics.t_max for p in points)
    t_min = min(observe.t_min, t_max)
    # With one nonzero time it must be t_max (geomspace would give t_min).
    logspaced = np.geomspace(t_min, t_max, observe.n_times - 1) if observe.n_times > 2 else [t_max]
    return np.concatenate([[0.0], logspaced])


def check_observables(spec: Spec, model, problem) -> None:
    for i, name in enumerate(spec.observe.quantities):
        if not OBSERVABLES[name].applies_to(type(model), type(problem)):
            raise SpecError(f"observe.quantities[{i}]",
                            f"'{name}' is not defined for model '{spec.model.kind}' on problem '{spec.problem.kind}'",
                            "remove it")
        missing = OBSERVABLES[name].missing(model, problem)
        if missing:
            raise SpecError(f"observe.quantities[{i}]", f"'{name}' needs {missing}", "remove it or provide that")
