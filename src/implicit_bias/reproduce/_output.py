"""What every reproduction writes: figures, a Markdown table and JSON (helpers they share)."""

import json
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never needs a display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def save_figure(fig, path: Path) -> str:
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return str(path)


def fmt(x, digits: int = 4) -> str:
    if x is None:
        return "—"
    if isinstance(x, bool):
        return "yes" if x else "NO"
    if isinstance(x, (int, np.integer)):
        return str(x)
    if isinstance(x, float):
        return f"{x:.{digits}g}"
    return str(x)


def md_table(rows: list[dict], columns: list[tuple[str, str]]) -> str:
    lines = ["| " + " | ".join(title for title, _ in columns) + " |",
             "|" + "|".join("---" for _ in columns) + "|"]
    lines += ["| " + " | ".join(fmt(row[key]) for _, key in columns) + " |" for row in rows]
    return "\n".join(lines)


def jsonable(x):
    """``x`` with NumPy scalars as Python numbers and non-finite floats as None."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return jsonable(x.tolist())
    if isinstance(x, (np.floating, np.integer)):
        return jsonable(x.item())
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def write_tables(out: Path, paper: str, quick: bool, seconds: float, notes: list[str], rows: list[dict],
                 columns: list[tuple[str, str]], figures: list[str], **extra) -> None:
    """``out/table.md`` (title, mode, notes, the rows as a table, the figures) and ``out/table.json``
    (the same rows, plus ``extra``)."""
    lines = [f"# Reproduction: {paper}", "", f"Mode: {'quick' if quick else 'full'}; wall time {seconds:.0f} s.", ""]
    lines += [line for note in notes for line in (note, "")]
    lines += [md_table(rows, columns), "", *[f"Figure: `{Path(f).relative_to(out)}`" for f in figures], ""]
    (out / "table.md").write_text("\n".join(lines))
    table = {"paper": paper, "quick": quick, "seconds": seconds, "rows": rows, **extra}
    (out / "table.json").write_text(json.dumps(jsonable(table), indent=2))
