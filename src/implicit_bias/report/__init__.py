"""Reports: figures and a self-contained HTML page for a results directory."""

import json
from pathlib import Path

import xarray as xr

from ..dynamics.discrete import DiscreteSpec
from ..errors import SpecError
from ..spec import validate_spec
from .figures import write_figures
from .html import write_html


def write_report(out: Path, ds: xr.Dataset, summary: dict, spec, claims: list[dict] | None = None,
                 fit_ranges: dict[str, tuple[float, float]] | None = None) -> list[Path]:
    """Write ``out/figures/*.png`` and ``out/report.html``; returns the figure paths.
    ``claims``: claim results (``implicit-bias check --json``) to tabulate; ``fit_ranges``: per
    swept axis, the range its slopes are fitted over (see :func:`~.figures.write_figures`)."""
    discrete = isinstance(spec.dynamics, DiscreteSpec) and "dynamics.kind" not in spec.sweep
    figures = write_figures(ds, list(spec.sweep), out / "figures", discrete, fit_ranges)
    write_html(out / "report.html", ds, summary, spec.model_dump(mode="json"), figures, claims or [])
    return figures


def report_directory(out: str | Path, claims: str | Path | None = None,
                     fit_ranges: dict[str, tuple[float, float]] | None = None) -> Path:
    """Rebuild figures and ``report.html`` of a results directory from its store alone."""
    out = Path(out)
    needed = [out / name for name in ("spec.json", "summary.json", "results.zarr")]
    missing = [p.name for p in needed if not p.exists()]
    if missing:
        raise SpecError("DIR", f"'{out}' has no {', '.join(missing)}",
                        "give a directory written by 'implicit-bias run' (rerun it to finish an interrupted one)")
    spec = validate_spec(json.loads((out / "spec.json").read_text())["spec"])
    unknown = sorted(set(fit_ranges or {}) - set(spec.sweep))
    if unknown:
        raise SpecError("--fit", f"{unknown} not swept in this directory", f"name one of {sorted(spec.sweep)}")
    summary = json.loads((out / "summary.json").read_text())
    claim_rows = None
    if claims is not None:
        try:
            claim_rows = json.loads(Path(claims).read_text())
        except (OSError, ValueError) as e:
            raise SpecError("--claims", f"cannot read '{claims}' ({e})", "give the output of 'check --json'") from None
    with xr.open_zarr(out / "results.zarr") as ds:
        write_report(out, ds.load(), summary, spec, claim_rows, fit_ranges)
    return out / "report.html"


__all__ = ["report_directory", "write_figures", "write_html", "write_report"]
