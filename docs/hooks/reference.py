"""MkDocs hook: the spec reference, generated at build time from the registered components.

A page asks for it with a marker on a line of its own: ``<!-- reference -->`` is the whole table
(:func:`implicit_bias.components.reference_markdown`, plugins included), ``<!-- reference: model -->``
the rows of one section (``dynamics`` includes its nested optimizer, schedule and mirror tables).
Nothing is stored, so the pages cannot go stale; ``tests/test_reference.py`` checks that every
registered kind is on them.

Docstrings are reStructuredText-flavoured (``:func:`x```, ``:math:`…```, ``::`` before a literal
block); :func:`on_page_content` turns the roles left in mkdocstrings' HTML into plain code.
"""

import functools
import re

MARKER = re.compile(r"^<!-- reference(?::\s*(?P<section>[\w.]+))? -->$", re.M)
ROLE = re.compile(r":(?:math|func|class|mod|meth|attr|data|obj|exc|ref|py:\w+):<code>(?P<tilde>~?)(?P<text>[^<]*)</code>")
LITERAL_BLOCK = re.compile(r"::</p>(\s*<div class=\"highlight\"><pre>|\s*<pre>)")


@functools.cache
def reference_table() -> str:
    from implicit_bias.components import reference_markdown

    return reference_markdown()


def section_table(section: str | None = None) -> str:
    """The reference table, or only the rows of ``[section]`` (and of tables nested in it)."""
    lines = reference_table().splitlines()
    header, rows = lines[:2], lines[2:]
    if section is not None:
        rows = [row for row in rows if row.startswith(f"| `[{section}]")]
        if not rows:
            raise ValueError(f"<!-- reference: {section} -->: no registered kind in section [{section}]")
    return "\n".join([*header, *rows])


CODE = re.compile(r"(`[^`]*`)")


def escape_stars(table: str) -> str:
    """The stars of X*, Θ*, p* outside code as literal stars (Markdown would pair them as emphasis)."""
    return "".join(part if part.startswith("`") else part.replace("*", r"\*") for part in CODE.split(table))


def render(markdown: str) -> str:
    """``markdown`` with each reference marker replaced by its generated table."""
    return MARKER.sub(lambda m: escape_stars(section_table(m.group("section"))), markdown)


def on_page_markdown(markdown, page, config, files):
    return render(markdown) if "<!-- reference" in markdown else markdown


def _role(match: re.Match) -> str:
    text = match.group("text")
    return f"<code>{text.rsplit('.', 1)[-1] if match.group('tilde') else text}</code>"


def on_page_content(html, page, config, files):
    return LITERAL_BLOCK.sub(r":</p>\1", ROLE.sub(_role, html))
