"""What every reproduction shares: its start (the output folder and the clock), the finish of its
figures' panels, and the writing of ``figures/*.png``, ``table.json`` and ``table.md``."""

import json
import math
import time
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never needs a display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def start(out: Path) -> tuple[Path, Callable[[], float]]:
    """Begin a reproduction: make ``out/figures`` and start its clock. Returns ``out`` as a Path and
    ``elapsed()``, the seconds since, the wall time :func:`header` reports."""
    out = Path(out)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    return out, lambda: time.perf_counter() - began


def colours(k: int) -> list:
    """k colours along viridis (its bright yellow end left out: unreadable on white)."""
    cmap = plt.get_cmap("viridis")
    return [cmap(x) for x in np.linspace(0.0, 0.85, k)]


def finish_panel(ax, fontsize: float = 8, **legend) -> None:
    """The finish the figures' panels share: a light grid, on the minor ticks too (most axes here
    are logarithmic), and a legend in small type (``legend``: its other keywords, e.g. ``loc``)."""
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(fontsize=fontsize, **legend)


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
    """A Markdown table of ``rows``: one column per ``(title, key)``."""
    lines = ["| " + " | ".join(title for title, _ in columns) + " |",
             "|" + "|".join("---" for _ in columns) + "|"]
    lines += ["| " + " | ".join(fmt(row[key]) for _, key in columns) + " |" for row in rows]
    return "\n".join(lines)


def jsonable(x):
    """JSON-ready: NumPy scalars and arrays to Python, non-finite floats to None."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, np.ndarray)):
        return [jsonable(v) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    return None if isinstance(x, float) and not math.isfinite(x) else x


def header(paper: str, quick: bool, seconds: float) -> list[str]:
    """The opening lines of ``table.md``: the paper, the mode and how long it took."""
    return [f"# Reproduction: {paper}", "", f"Mode: {'quick' if quick else 'full'}; {seconds:.0f} s.", ""]


def write_tables(out: Path, table: dict, markdown: str) -> dict:
    """Write ``table.json`` and ``table.md``; return the JSON-ready table."""
    table = jsonable(table)
    (out / "table.json").write_text(json.dumps(table, indent=2))
    (out / "table.md").write_text(markdown)
    return table


def write_row_tables(out: Path, paper: str, quick: bool, seconds: float, notes: list[str], rows: list[dict],
                     columns: list[tuple[str, str]], figures: list[str], **extra) -> dict:
    """:func:`write_tables` for a reproduction whose result is one table of ``rows``: ``table.md``
    has the header, ``notes``, the rows and the figures; ``table.json`` the rows plus ``extra``."""
    lines = header(paper, quick, seconds) + [line for note in notes for line in (note, "")]
    lines += [md_table(rows, columns), "", *[f"Figure: `{Path(f).relative_to(out)}`" for f in figures], ""]
    return write_tables(out, {"paper": paper, "quick": quick, "seconds": seconds, "rows": rows, **extra},
                        "\n".join(lines))
