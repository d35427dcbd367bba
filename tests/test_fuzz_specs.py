"""Bad input, fuzzed: take a valid example spec, make one field of one section invalid (wrong
type, out of its schema's range, an unknown key, an unknown kind), and the CLI must exit 2 with
one line naming that field, writing nothing. Fields come from each kind's own JSON schema, so
new kinds are fuzzed the moment they are registered."""

import tomllib
from importlib.resources import files

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from implicit_bias.components import registered
from implicit_bias.testing import invoke

EXAMPLES = {name: tomllib.loads(files("implicit_bias").joinpath("examples", name).read_text())
            for name in ("linear-min-norm.toml", "diagonal-kernel-rich.toml", "optimizers.toml", "phase-diagram.toml",
                         "quadratic-escape.toml", "erf-committee.toml")}
SECTIONS = ("problem", "model", "init", "dynamics")


def _scalar_fields(section: str, kind: str) -> dict[str, dict]:
    """The kind's scalar fields with their JSON-schema entry (type and bounds)."""
    props = registered(section)[kind].model_json_schema()["properties"]
    return {k: v for k, v in props.items() if k != "kind" and v.get("type") in ("number", "integer")}


@st.composite
def broken_specs(draw):
    """(spec text, the field the error must name) with exactly one field made invalid."""
    name = draw(st.sampled_from(sorted(EXAMPLES)))
    spec = {k: (dict(v) if isinstance(v, dict) else v) for k, v in EXAMPLES[name].items()}
    spec.pop("sweep", None)  # the base's own fields, not a sweep over them, are under test
    section = draw(st.sampled_from(SECTIONS))
    fields = _scalar_fields(section, spec[section]["kind"])
    ranged = {k: v for k, v in fields.items() if "minimum" in v or "exclusiveMinimum" in v}
    how = draw(st.sampled_from(["unknown_key", "unknown_kind"] + ["wrong_type"] * bool(fields)
                               + ["out_of_range"] * bool(ranged)))
    if how == "unknown_key":
        key = "zz_" + draw(st.text("abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=8))
        spec[section][key] = 1.0
        return spec, f"{section}.{key}"
    if how == "unknown_kind":
        spec[section] = {"kind": "no_such_" + section}
        return spec, f"{section}.kind"
    if how == "wrong_type":
        key = draw(st.sampled_from(sorted(fields)))
        spec[section][key] = draw(st.sampled_from(["big", [1, 2], {"a": 1}]))
        return spec, f"{section}.{key}"
    key = draw(st.sampled_from(sorted(ranged)))
    bound = ranged[key].get("exclusiveMinimum", ranged[key].get("minimum"))
    below = bound if "exclusiveMinimum" in ranged[key] else bound - 1
    spec[section][key] = below - draw(st.integers(0, 5))
    return spec, f"{section}.{key}"


def _toml(spec: dict) -> str:
    """TOML for the generated specs (tables of scalars, lists and inline tables)."""
    def value(v):
        if isinstance(v, bool):
            return str(v).lower()
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{ " + ", ".join(f'"{k}" = {value(x)}' for k, x in v.items()) + " }"
        return repr(v)
    top = [f'"{k}" = {value(v)}' for k, v in spec.items() if not isinstance(v, dict)]
    tables = [f"[{k}]\n" + "\n".join(f'"{kk}" = {value(vv)}' for kk, vv in v.items())
              for k, v in spec.items() if isinstance(v, dict)]
    return "\n".join(top + tables) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=broken_specs())
def test_one_invalid_field_one_line_naming_it(tmp_path_factory, case):
    spec, field = case
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "spec.toml"
    path.write_text(_toml(spec))
    out = folder / "out"
    result = invoke("run", str(path), "--out", str(out), "--quiet")
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, (field, result.stderr, result.stdout)
    assert len(lines) == 1 and lines[0].startswith(f"error: {field}"), (field, result.stderr)
    assert not out.exists()


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_the_unbroken_examples_are_valid(name):
    """The fuzzer's bases are valid (so each failure above is the one broken field's)."""
    from implicit_bias.spec import validate_spec

    validate_spec(tomllib.loads(_toml(EXAMPLES[name])))
