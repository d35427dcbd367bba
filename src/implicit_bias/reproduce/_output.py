"""What every reproduction writes: figures, ``table.json`` and ``table.md``."""

import json
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def output_dirs(out: Path) -> Path:
    out = Path(out)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    return out


def save_figure(fig, path: Path) -> str:
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return str(path)


def _plain(x):
    """JSON-ready: NumPy scalars and arrays to Python, non-finite floats to None."""
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, np.ndarray)):
        return [_plain(v) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    return None if isinstance(x, float) and not math.isfinite(x) else x


def write_tables(out: Path, table: dict, markdown: str) -> dict:
    """Write ``table.json`` and ``table.md``; return the JSON-ready table."""
    table = _plain(table)
    (out / "table.json").write_text(json.dumps(table, indent=2))
    (out / "table.md").write_text(markdown)
    return table
