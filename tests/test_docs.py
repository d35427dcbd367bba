"""The documentation site (``mkdocs.yml`` over ``docs/``) builds offline with ``mkdocs build
--strict``: a broken link or anchor, a missing page, an unresolved API reference (mkdocstrings)
or a missing snippet is a warning, and ``--strict`` makes it an error. The README's links into
the docs are checked against the built site."""

import contextlib
import logging
import os
import re
from pathlib import Path
from unittest import mock

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.xdist_group("docs")  # one build for the module's tests


class _Messages(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """``mkdocs build --strict`` into a temporary folder, in this process (its JAX import, which
    the spec reference needs, is shared with the other tests of the worker)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    out = tmp_path_factory.mktemp("docs") / "site"
    messages, logger = _Messages(), logging.getLogger("mkdocs")
    logger.addHandler(messages)
    try:
        # The snippets' base path is the repository root; NO_MKDOCS_2_WARNING quiets Material's notice.
        with contextlib.chdir(ROOT), mock.patch.dict(os.environ, {"NO_MKDOCS_2_WARNING": "1"}):
            build(load_config(str(ROOT / "mkdocs.yml"), site_dir=str(out), strict=True))
    except Abort as error:
        pytest.fail(f"mkdocs build --strict: {error}\n" + "\n".join(messages.messages), pytrace=False)
    finally:
        logger.removeHandler(messages)
    return out


def test_docs_build_strict_with_generated_pages(site):
    spec = (site / "reference" / "spec" / "index.html").read_text()
    assert "two_layer_linear" in spec and "hyperbolic_entropy" in spec  # the generated reference
    api = (site / "api" / "analysis" / "index.html").read_text()
    assert "power_law_fit" in api  # mkdocstrings rendered the docstrings
    assert ":math:" not in api and ":func:" not in api  # reST roles turned into code
    papers = [module.stem for module in (ROOT / "src" / "implicit_bias" / "reproduce").glob("[!_]*.py")]
    missing = [paper for paper in papers if not (site / "papers" / paper / "index.html").exists()]
    assert not missing, f"no docs page for the reproductions {missing}"


def test_readme_links_resolve(site):
    """Every relative link of the README names a file in the repository, and a link into a
    docs page with an anchor names an anchor that page has."""
    readme = (ROOT / "README.md").read_text()
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", readme):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        if not (ROOT / path).exists():
            broken.append(target)
        elif anchor:
            page = site / Path(path).relative_to("docs").with_suffix("") / "index.html"
            if f'id="{anchor}"' not in page.read_text():
                broken.append(target)
    assert not broken, f"README.md: broken links {broken}"
