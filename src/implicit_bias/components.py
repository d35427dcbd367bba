r"""Components: what a spec's ``kind`` names, and the one registry of them.

A *component* is one kind of one spec section: a problem (``regression``), a model
(``two_layer_linear``), an initialization (``gaussian``), a dynamics (``gradient_descent``), an
optimizer of the discrete dynamics (``adam``) or a learning-rate schedule. Each is declared in
its own module by a :class:`Component` subclass: a pydantic schema of its spec fields (types,
defaults, constraints, descriptions: the spec reference is generated from them), what it
applies to, and ``build`` — the object the run uses. Registering it (:func:`register`) is all
it takes for specs, sweeps, ensembles, the store, observables, figures and claims to serve it::

    @register
    class TwoLayerLinearSpec(ModelSpec):
        '''Two-layer linear network f(x) = V Uᵀx.'''
        kind: Literal["two_layer_linear"]
        width: PositiveInt

        def build(self, problem):
            return TwoLayerLinear(problem.input_dim, problem.output_dim, self.width)

A spec never imports or evaluates anything: a ``kind`` is looked up here, among the built-in
components and those of installed plugins (entry points in the group
:data:`PLUGIN_GROUP`, loaded by :func:`load_plugins`).

**What a component applies to** is declared once, as types: ``models`` and ``problems`` (empty:
any). :func:`require_fit` checks them on the built model and problem and raises the one-line
error every mismatch gets.
"""

import difflib
import importlib
import json
import pkgutil
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Annotated, Any, ClassVar, get_args

import jax
import jax.numpy as jnp
from pydantic import BaseModel, BeforeValidator, ConfigDict, SerializeAsAny, model_serializer
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from .errors import SpecError

#: The entry-point group a plugin distribution declares its modules in: each entry point names
#: a module whose import registers components (``ib.register``) and observables.
PLUGIN_GROUP = "implicit_bias.plugins"


class Component(BaseModel):
    """The spec schema of one kind of one section (abstract: subclass a section's base class).

    Subclasses narrow ``kind`` to a ``Literal`` of their name, declare their fields with
    pydantic types and ``Field(description=…)``, and say in the class docstring what the kind
    is (its first paragraph is the kind's line in the spec reference).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: The spec section this component fills ("problem", "model", …): set by each section's base.
    section: ClassVar[str]
    #: The section whose kinds hold this one as a field (optimizers: "dynamics"); None: a table of the spec.
    nested_in: ClassVar[str | None] = None
    #: Model and problem types it is defined for (empty: any).
    models: ClassVar[tuple[type, ...]] = ()
    problems: ClassVar[tuple[type, ...]] = ()
    #: Fields written out in a saved spec only when they differ from their default: a field added
    #: to a kind after specs of it were saved leaves their hashes (and run ids) unchanged.
    omit_when_default: ClassVar[tuple[str, ...]] = ()

    kind: str

    @classmethod
    def kind_name(cls) -> str:
        """The kind this class declares (its ``kind`` field's literal)."""
        (name,) = get_args(cls.model_fields["kind"].annotation)
        return name

    @model_serializer(mode="wrap")
    def _omit_defaults(self, handler) -> dict:
        # A component's table always names its kind, even where only the fields set are dumped.
        data = {"kind": self.kind, **handler(self)}
        for name in self.omit_when_default:
            if getattr(self, name) == type(self).model_fields[name].default:
                data.pop(name, None)
        return data


_REGISTRY: dict[str, dict[str, type[Component]]] = {}


def register(component: type[Component]) -> type[Component]:
    """Make ``component`` usable by its kind in its section (a class decorator). A kind may be
    registered once per section; registering another class under a taken kind is refused."""
    section, kind = component.section, component.kind_name()
    known = _REGISTRY.setdefault(section, {})
    if kind in known and known[kind] is not component:
        raise ValueError(f"{section} kind '{kind}' is already registered by {known[kind].__module__}")
    known[kind] = component
    return component


#: The packages of the built-in kinds: importing one registers its kinds.
BUILTIN_PACKAGES = ("problems", "models", "initializations", "dynamics", "optimizers", "mirrors")


def registered(section: str) -> dict[str, type[Component]]:
    """The kinds of ``section`` and their schema classes, in registration order: the built-in
    ones (their packages imported here, since importing the package itself imports nothing) and
    those of installed plugins."""
    for package in BUILTIN_PACKAGES:
        importlib.import_module(f"{__package__}.{package}")
    load_plugins()
    return dict(_REGISTRY.get(section, {}))


def import_submodules(package: str, path: Iterable[str]) -> None:
    """Import every module of a section's package (``import_submodules(__name__, __path__)`` in its
    ``__init__``), so that a new built-in kind is one new file: its import registers it."""
    for module in pkgutil.iter_modules(path):
        importlib.import_module(f"{package}.{module.name}")


_plugins_loaded = False
_plugin_names: list[str] = []


def load_plugins() -> list[str]:
    """Import every installed plugin module (once); their names. A plugin that fails to import
    is an error naming it, not a silently missing kind."""
    global _plugins_loaded
    if not _plugins_loaded:
        _plugins_loaded = True
        for ep in sorted(entry_points(group=PLUGIN_GROUP), key=lambda ep: ep.name):
            try:
                ep.load()
            except Exception as e:  # a broken plugin is reported with its name
                raise SpecError(f"plugin {ep.name}", f"failed to import ({type(e).__name__}: {e})",
                                f"fix or uninstall the distribution providing '{ep.value}'") from None
            _plugin_names.append(ep.name)
    return list(_plugin_names)


def _unknown_kind(section: str, kind: Any) -> PydanticCustomError:
    kinds = list(registered(section))
    close = difflib.get_close_matches(str(kind), kinds, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    plugins = load_plugins()
    installed = f"; plugins installed: {plugins}" if plugins else "; no plugins installed"
    return PydanticCustomError("unknown_kind", "{message}", {
        "message": f"unknown kind {kind!r}", "section": section,
        "fix": f"{hint}use one of {kinds}{installed}"})


def _dispatch(section: str):
    def validate(value: Any) -> Any:
        if isinstance(value, Component):
            if value.section != section:
                raise PydanticCustomError("section_type", "{message}", {
                    "message": f"{type(value).__name__} is a component of [{value.section}], not of [{section}]",
                    "fix": f"give a {section} component here"})
            # An object of an unregistered class registers it: sweeps re-validate its fields by kind.
            try:
                register(type(value))
            except ValueError as e:
                raise PydanticCustomError("kind_taken", "{message}", {
                    "message": str(e), "fix": f"give {type(value).__name__} a kind of its own"}) from None
            return value
        if not isinstance(value, dict):
            raise PydanticCustomError("section_type", "{message}", {
                "message": f"must be a table with a kind, got {type(value).__name__}",
                "fix": f"write [{section}] kind = \"…\" or {{ kind = \"…\", … }}"})
        if "kind" not in value:
            raise PydanticCustomError("missing_kind", "{message}", {
                "message": "missing", "fix": f"add kind = one of {list(registered(section))}"})
        known = registered(section)
        if value["kind"] not in known:
            raise _unknown_kind(section, value["kind"])
        return known[value["kind"]].model_validate(value)
    return validate


@dataclass(frozen=True)
class _SectionOf:
    """Marks a spec field as a ``section``'s component (pydantic keeps it in the field's metadata)."""

    name: str


def Section(section: str) -> Any:
    """The annotation of a spec field filled by a component of ``section``: validated by the
    registered class its ``kind`` names (so plugins registered later are served), serialized
    with all of that class's fields."""
    return Annotated[SerializeAsAny[Component], BeforeValidator(_dispatch(section)), _SectionOf(section)]


def section_of(field: FieldInfo) -> str | None:
    """The section whose components fill ``field`` (a :func:`Section` field), else None."""
    return next((m.name for m in field.metadata if isinstance(m, _SectionOf)), None)


def scalar(x: float) -> jax.Array:
    """A spec's number as a component field: a float64 array, so that sweeping it never
    recompiles (runs differing only in such fields share one compiled ensemble)."""
    return jnp.asarray(x, dtype=jnp.float64)


def _names(types: Iterable[type]) -> str:
    return " or ".join(t.__name__ for t in types)


def require_fit(component: Component, model: object, problem: object) -> None:
    """Raise the one-line error when ``component`` is not declared for this model or problem."""
    field = f"{component.section}.kind"
    if component.models and not isinstance(model, component.models):
        raise SpecError(field, f"'{component.kind}' is not defined for model {type(model).__name__}",
                        f"use it with {_names(component.models)}, or another {component.section}")
    if component.problems and not isinstance(problem, component.problems):
        raise SpecError(field, f"'{component.kind}' is not defined for problem {type(problem).__name__}",
                        f"use it on a {_names(component.problems)} problem, or another {component.section}")


SECTIONS = ("problem", "model", "init", "dynamics", "optimizer", "schedule", "mirror")


def _default(field) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "none"
    if isinstance(value, Component):
        return "{ " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in value.model_dump().items()) + " }"
    return json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)


def reference_markdown() -> str:
    """The spec reference, one table row per registered kind: what it is (its docstring's first
    paragraph) and its fields with defaults and descriptions, made from the declarations
    themselves (the README's table is this text; ``tests/test_reference.py`` keeps them equal)."""
    rows = ["| section | kind | what it is; fields (default) |", "|---|---|---|"]
    registered("problem")  # every built-in and plugin kind, imported
    for section in [*SECTIONS, *sorted(set(_REGISTRY) - set(SECTIONS))]:
        for kind, cls in registered(section).items():
            about = " ".join((cls.__doc__ or "").strip().split("\n\n")[0].split()).replace("``", "`")
            fields = []
            for name, field in cls.model_fields.items():
                if name == "kind":
                    continue
                text = f"`{name}` ({_default(field)})"
                if field.description:
                    text += f": {field.description}"
                fields.append(text)
            body = about + (" Fields: " + "; ".join(fields) + "." if fields else "")
            where = f"[{cls.nested_in}] {section} = {{…}}" if cls.nested_in else f"[{section}]"
            rows.append(f"| `{where}` | `{kind}` | {body.replace('|', '∣')} |")
    return "\n".join(rows)
