"""The TOML spec: sections filled by registered components, and its sweep expansion.

Every section (``problem``, ``model``, ``init``, ``dynamics``) has a ``kind`` naming a
registered component (:mod:`implicit_bias.components`), whose own module declares its schema;
unknown keys and bad values are rejected with the field path. Nothing in a spec executes or
imports code: kinds map to registered classes and nothing else.
"""

import difflib
import hashlib
import itertools
import json
import tomllib
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, PositiveFloat, ValidationError, field_validator

from . import dynamics, initializations, models, problems  # noqa: F401  (registers the built-in kinds)
from .components import Section, load_plugins, registered, require_fit, section_of
from .errors import SpecError
from .observables import REGISTRY as OBSERVABLES


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- observe, sweep, whole spec --------------------------------------------------------------

class ObserveSpec(_Section):
    quantities: list[str] = Field(default_factory=lambda: ["loss"])
    n_times: int = Field(100, ge=2, description="record times: t = 0 and n_times − 1 log-spaced ones")
    t_min: PositiveFloat = 1e-2
    grid: Literal["log", "linear"] = Field("log", description="spacing of the n_times − 1 nonzero times")

    @field_validator("quantities")
    @classmethod
    def _known(cls, v):
        load_plugins()  # their observables are known by name too
        for name in v:
            if name not in OBSERVABLES:
                raise ValueError(f"unknown observable '{name}'")
        if len(set(v)) != len(v):
            raise ValueError("lists an observable twice")
        return v


Scalar = bool | int | float | str


class Spec(_Section):
    name: str = "experiment"
    seed: NonNegativeInt = 0
    problem: Section("problem")
    model: Section("model")
    init: Section("init")
    dynamics: Section("dynamics")
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


def _fields_at(path: list, raw: dict) -> list[str]:
    """The keys the schema allows at ``path`` of ``raw`` (a section's kind decides its fields),
    or none where the path does not lead to a schema."""
    schema, node = Spec, raw
    for key in path:
        if isinstance(node, dict) and node.get("kind") == key and key not in node:
            continue  # the tagged-union step pydantic inserts into the location
        field = schema.model_fields.get(key) if schema is not None else None
        node = node.get(key) if isinstance(node, dict) else None
        if field is None:
            return []
        if section_of(field) is not None and isinstance(node, dict) and "kind" in node:
            schema = registered(section_of(field)).get(node["kind"])  # a section: its kind's fields
        elif isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            schema = field.annotation
        else:
            return []
    return list(schema.model_fields) if schema is not None else []


def spec_error(error: ValidationError, raw: dict, prefix: str = "") -> SpecError:
    errors = error.errors()
    # A SpecError raised by a validator already names its field and fix.
    wrapped = errors[0].get("ctx", {}).get("error")
    if isinstance(wrapped, SpecError):
        return wrapped
    # A misspelt key shows up as "unknown key" plus "missing": report the unknown key, and
    # suggest the missing name beside it.
    first = min(errors, key=lambda e: e["type"] != "extra_forbidden")
    field = prefix + _field_path(first["loc"], raw) if first["loc"] else (prefix.rstrip(".") or "spec")
    message = first["msg"].removeprefix("Value error, ")
    fix = _FIXES.get(first["type"], "see the spec reference (implicit-bias reference)")
    if first["type"] in ("unknown_kind", "missing_kind", "section_type"):
        # Raised by the section dispatch (components.Section), with its own fix.
        field += ".kind" if first["type"] != "section_type" else ""
        fix = first["ctx"]["fix"]
    if first["type"] == "extra_forbidden":
        message = "unknown key"
        missing = [e["loc"][-1] for e in errors if e["type"] == "missing" and e["loc"][:-1] == first["loc"][:-1]]
        close = missing or difflib.get_close_matches(str(first["loc"][-1]), _fields_at(list(first["loc"][:-1]), raw),
                                                     n=1)
        if close:
            fix = f"did you mean '{close[0]}'?"
    return SpecError(field, message, fix)


def validate_spec(raw: dict) -> Spec:
    """Validate a spec given as a dict (as parsed from TOML); raise :class:`SpecError`."""
    if not raw:
        raise SpecError("spec", "is empty", "give at least [problem], [model], [init] and [dynamics] "
                        "(the spec reference lists them; `implicit-bias run` without a spec runs an example)")
    try:
        spec = Spec.model_validate(raw)
    except ValidationError as e:
        error = spec_error(e, raw)
        if error.problem.startswith("unknown observable"):
            raise SpecError(error.field, error.problem, _observables_for(raw)) from None
        raise error from None
    expand(spec, raw)  # validates every sweep point too
    return spec


def _observables_for(raw: dict) -> str:
    """The fix for an unknown observable: the names defined for this spec's model and problem
    (all names if the rest of the spec does not build)."""
    names = sorted(OBSERVABLES)
    try:
        spec = Spec.model_validate({**raw, "observe": {**raw["observe"], "quantities": ["loss"]}})
        problem = spec.problem.build(Path("."))
        model = build_model(spec, problem)
        names = [n for n in names if OBSERVABLES[n].applies_to(type(model), type(problem))]
        where = f" defined for model '{spec.model.kind}' on problem '{spec.problem.kind}'"
    except (ValidationError, SpecError, OSError):
        where = ""
    close = difflib.get_close_matches(_requested_unknown(raw), names, n=1)
    return (f"did you mean '{close[0]}'? " if close else "") + f"choose one{where}: {names}"


def _requested_unknown(raw: dict) -> str:
    return next((str(q) for q in raw["observe"]["quantities"] if q not in OBSERVABLES), "")


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


def _set_path(tree: dict, dotted: str, value, spec: BaseModel) -> None:
    *parents, leaf = dotted.split(".")
    node_spec = spec
    for key in parents:
        node_spec = getattr(node_spec, key, None)
        if key not in tree and isinstance(node_spec, BaseModel):
            # A section left at its default is not in the dump (a plain optimizer, say): sweep its fields all the same.
            tree[key] = node_spec.model_dump(mode="json")
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
            _set_path(tree, key, value, spec)
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
    spaced = np.geomspace if observe.grid == "log" else np.linspace
    grid = spaced(t_min, t_max, observe.n_times - 1) if observe.n_times > 2 else [t_max]
    return np.concatenate([[0.0], grid])


def build_model(spec: Spec, problem: problems.AbstractProblem) -> models.AbstractModel:
    """The model a run trains, for ``problem`` (after checking the model kind applies to it)."""
    require_fit(spec.model, None, problem)
    return spec.model.build(problem)


def build_init(init: initializations.InitSpec, model, problem, base_dir: Path = Path(".")):
    """The init a run of ``model`` starts from (files resolved against ``base_dir``). A wrapper
    model (``lazy``) is initialized as the model it wraps, and keeps that starting point as its
    w₀ (:class:`initializations.AtInit`)."""
    if isinstance(model, models.LazyModel):
        return initializations.AtInit(build_init(init, model.base, problem, base_dir))
    return init.checked_build(model, problem, base_dir)


def check_observables(spec: Spec, model, problem) -> None:
    """Every requested observable is defined for this model and problem: by type, then by what
    this run's model and data provide (each observable's ``validate``)."""
    for i, name in enumerate(spec.observe.quantities):
        if not OBSERVABLES[name].applies_to(type(model), type(problem)):
            raise SpecError(f"observe.quantities[{i}]",
                            f"'{name}' is not defined for model '{spec.model.kind}' on problem '{spec.problem.kind}'",
                            "remove it")
        if OBSERVABLES[name].validate is not None:
            OBSERVABLES[name].validate(model, problem)
