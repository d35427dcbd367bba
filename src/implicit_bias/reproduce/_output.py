"""What every reproduction writes besides its figures: ``table.md`` and ``table.json``."""

import json
from pathlib import Path

from .min2021 import _jsonable


def write_tables(out: Path, paper: str, quick: bool, seconds: float, key_numbers: dict,
                 markdown: list[str], data: dict) -> None:
    """``out/table.md`` (a header naming the paper and mode, then ``markdown``) and
    ``out/table.json`` (paper, mode, seconds, key numbers and ``data``; NaN as null)."""
    header = [f"# Reproduction: {paper}", "", f"Mode: {'quick' if quick else 'full'}; {seconds:.0f} s.", ""]
    (out / "table.md").write_text("\n".join(header + markdown + [""]))
    (out / "table.json").write_text(json.dumps(_jsonable(
        {"paper": paper, "quick": quick, "seconds": seconds, "key_numbers": key_numbers, **data}), indent=2))
