"""The README's spec reference is generated from the components' own declarations."""

import re
from pathlib import Path

from implicit_bias.components import reference_markdown

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"<!-- reference:start -->\n(.*?)\n?<!-- reference:end -->", re.S)


def test_readme_reference_is_generated():
    block = BLOCK.search(README.read_text())
    assert block, "README lacks the <!-- reference:start/end --> markers"
    assert block.group(1).strip() == reference_markdown().strip(), \
        "README's spec reference is stale: run `python tests/test_reference.py` to regenerate it"


if __name__ == "__main__":  # regenerate the README block
    text = README.read_text()
    README.write_text(BLOCK.sub(lambda m: f"<!-- reference:start -->\n{reference_markdown()}\n<!-- reference:end -->",
                                text))
