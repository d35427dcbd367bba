"""The spec reference is generated from the components' own declarations when the documentation
is built (``docs/hooks/reference.py`` replaces each ``<!-- reference -->`` marker by
``components.reference_markdown()``), so no copy of it can go stale; what is checked here is that
the generated pages hold every registered kind."""

import importlib.util
from pathlib import Path

import pytest

from implicit_bias import components

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _hook():
    spec = importlib.util.spec_from_file_location("docs_reference_hook", DOCS / "hooks" / "reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows(section: str) -> list[str]:
    """The start of the reference row of every registered kind of ``section``."""
    rows = []
    for kind, cls in components.registered(section).items():
        where = f"[{cls.nested_in}] {section} = {{…}}" if cls.nested_in else f"[{section}]"
        rows.append(f"| `{where}` | `{kind}` |")
    return rows


def test_spec_reference_page_lists_every_registered_kind():
    page = _hook().render((DOCS / "reference" / "spec.md").read_text())
    assert "<!-- reference" not in page, "docs/reference/spec.md: a reference marker was not replaced"
    for section in components.SECTIONS:
        rows = _rows(section)
        assert rows, f"no registered kind in section [{section}]"
        missing = [row for row in rows if row not in page]
        assert not missing, f"docs/reference/spec.md lacks {missing}"


@pytest.mark.parametrize("page, sections", [("problem", ["problem"]), ("model", ["model"]), ("init", ["init"]),
                                            ("dynamics", ["dynamics", "optimizer", "schedule", "mirror"])])
def test_concept_pages_list_their_sections_kinds(page, sections):
    text = _hook().render((DOCS / "concepts" / f"{page}.md").read_text())
    missing = [row for section in sections for row in _rows(section) if row not in text]
    assert not missing, f"docs/concepts/{page}.md lacks {missing}"


def test_reference_is_the_generated_table_and_sections_are_checked():
    hook = _hook()
    # the table itself, stars outside code escaped (X*, Θ*: not emphasis)
    assert hook.render("<!-- reference -->").replace(r"\*", "*") == components.reference_markdown()
    with pytest.raises(ValueError, match="no registered kind in section"):
        hook.render("<!-- reference: no_such_section -->")


def test_readme_keeps_no_copy_of_the_reference():
    # A copy outside the generated pages would go stale unchecked: the README links to the page.
    readme = (ROOT / "README.md").read_text()
    assert "<!-- reference" not in readme
    assert "docs/reference/spec.md" in readme
