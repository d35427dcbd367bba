"""A self-contained HTML page (figures embedded) for one results directory."""

import base64
import html
import json
from pathlib import Path

import numpy as np
import xarray as xr

from ..dynamics import STATUSES
from ..observables import REGISTRY

#: Rows of the per-run table on the page (summary.json holds every run).
MAX_ROWS = 200


def _fmt(x) -> str:
    if isinstance(x, float):
        return f"{x:.4g}"
    return "—" if x is None else html.escape(str(x))


def _table(head: list[str], rows: list[list[str]]) -> str:
    return ("<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>"
            + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows) + "</table>")


def theory_rows(ds: xr.Dataset) -> list[list[str]]:
    """Each recorded observable that has a theory overlay: its final value against the
    prediction, median over all runs, and the largest relative gap of any run."""
    rows = []
    for name, obs in REGISTRY.items():
        if obs.overlay_on is None or f"final_{name}" not in ds or f"final_{obs.overlay_on}" not in ds:
            continue
        measured, predicted = ds[f"final_{obs.overlay_on}"].values, ds[f"final_{name}"].values
        gap = np.abs(measured - predicted) / np.abs(predicted)
        ok = np.isfinite(gap)
        rows.append([html.escape(obs.overlay_on), html.escape(obs.description), _fmt(float(np.nanmedian(measured))),
                     _fmt(float(np.nanmedian(predicted))), _fmt(float(gap[ok].max()) if ok.any() else None)])
    return rows


def claim_rows(claims: list[dict]) -> list[list[str]]:
    return [[html.escape(c["name"]), html.escape(c["paper"]), _fmt(c["measured"]), _fmt(c["predicted"]),
             _fmt(c["tolerance"]), f'<span class="{"converged" if c["passed"] else "diverged"}">'
             f'{"PASS" if c["passed"] else "FAIL"}</span>'] for c in claims]


def write_html(path: Path, ds: xr.Dataset, summary: dict, spec_json: dict, figures: list[Path],
               claims: list[dict] = ()) -> None:
    runs = summary["runs"]
    coord_names = list(runs[0]["coords"]) if runs else []
    final_names = list(runs[0]["final"]) if runs else []
    rows = []
    for r in runs[:MAX_ROWS]:
        status = r["status"] + (f" at step {r['diverged_at_step']}" if r["status"] == "diverged" else "")
        rows.append([_fmt(r["coords"][c]) for c in coord_names]
                    + [f'<span class="{r["status"]}">{html.escape(status)}</span>']
                    + [_fmt(r["final"][f]) for f in final_names] + [_fmt(r["t_final"]), _fmt(r["n_steps"])])
    more = f"<p>… and {len(runs) - MAX_ROWS} more runs in summary.json.</p>" if len(runs) > MAX_ROWS else ""
    images = "".join(
        f'<figure><img alt="{html.escape(p.stem)}" src="data:image/png;base64,'
        f'{base64.b64encode(p.read_bytes()).decode()}"><figcaption>{html.escape(p.stem)}</figcaption></figure>'
        for p in figures)
    theory = theory_rows(ds)
    sections = ""
    if theory:
        sections += ("<h2>Theory</h2>" + _table(["observable", "prediction", "measured (median)",
                                                  "predicted (median)", "largest relative gap"], theory))
    if claims:
        sections += ("<h2>Claim checks</h2>"
                     + _table(["claim", "paper", "measured", "predicted", "tolerance", "result"], claim_rows(claims)))
    counts = ", ".join(f"{summary['statuses'][s]} {s}" for s in STATUSES)
    provenance = {k: ds.attrs[k] for k in ("implicit_bias_version", "jax_version", "device") if k in ds.attrs}
    page = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{html.escape(summary['name'])}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; max-width: 1400px; }}
figure {{ display: inline-block; margin: 0.5em; }} img {{ max-width: 640px; }}
table {{ border-collapse: collapse; font-size: 0.85em; }} td, th {{ border: 1px solid #ccc; padding: 2px 6px; }}
.converged {{ color: #176317; }} .max_time {{ color: #8a6d00; }} .max_steps {{ color: #8a6d00; }} .diverged {{ color: #b00020; font-weight: bold; }}
pre {{ background: #f6f6f6; padding: 1em; font-size: 0.8em; }}
</style></head><body>
<h1>{html.escape(summary['name'])}</h1>
<p>{summary['n_runs']} runs: {counts}. Spec hash <code>{summary['spec_hash']}</code>.
{html.escape(", ".join(f"{k} {v}" for k, v in provenance.items()))}</p>
<h2>Figures</h2>{images}{sections}
<h2>Runs</h2>{_table(coord_names + ["status"] + final_names + ["t_final", "steps"], rows)}{more}
<h2>Spec</h2><pre>{html.escape(json.dumps(spec_json, indent=2))}</pre>
</body></html>"""
    path.write_text(page)
