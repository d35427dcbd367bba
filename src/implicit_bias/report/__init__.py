"""Reports: figures and a self-contained HTML page for a results directory."""

from pathlib import Path

import xarray as xr

from .figures import write_figures
from .html import write_html


def write_report(out: Path, ds: xr.Dataset, summary: dict, spec) -> list[Path]:
    """Write ``out/figures/*.png`` and ``out/report.html``; returns the figure paths."""
    figures = write_figures(ds, list(spec.sweep), out / "figures")
    write_html(out / "report.html", ds, summary, spec.model_dump(mode="json"), figures)
    return figures


__all__ = ["write_figures", "write_html", "write_report"]
