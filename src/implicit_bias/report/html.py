"""A self-contained HTML page (figures embedded) for one results directory."""

import base64
import html
import json
from pathlib import Path

import xarray as xr

from ..dynamics import STATUSES


def _fmt(x) -> str:
    if isinstance(x, float):
        return f"{x:.4g}"
    return "—" if x is None else html.escape(str(x))


def write_html(path: Path, ds: xr.Dataset, summary: dict, spec_json: dict, figures: list[Path]) -> None:
    runs = summary["runs"]
    coord_names = list(runs[0]["coords"]) if runs else []
    final_names = list(runs[0]["final"]) if runs else []
    head = "".join(f"<th>{html.escape(c)}</th>" for c in coord_names + ["status"] + final_names + ["t_final", "steps"])
    rows = []
    for r in runs:
        cells = [_fmt(r["coords"][c]) for c in coord_names]
        status = r["status"] + (f" at step {r['diverged_at_step']}" if r["status"] == "diverged" else "")
        cells.append(f'<span class="{r["status"]}">{html.escape(status)}</span>')
        cells += [_fmt(r["final"][f]) for f in final_names] + [_fmt(r["t_final"]), _fmt(r["n_steps"])]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    images = "".join(
        f'<figure><img alt="{html.escape(p.stem)}" src="data:image/png;base64,'
        f'{base64.b64encode(p.read_bytes()).decode()}"><figcaption>{html.escape(p.stem)}</figcaption></figure>'
        for p in figures)
    counts = ", ".join(f"{summary['statuses'][s]} {s}" for s in STATUSES)
    page = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{html.escape(summary['name'])}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; max-width: 1400px; }}
figure {{ display: inline-block; margin: 0.5em; }} img {{ max-width: 640px; }}
table {{ border-collapse: collapse; font-size: 0.85em; }} td, th {{ border: 1px solid #ccc; padding: 2px 6px; }}
.converged {{ color: #176317; }} .max_time {{ color: #8a6d00; }} .diverged {{ color: #b00020; font-weight: bold; }}
pre {{ background: #f6f6f6; padding: 1em; font-size: 0.8em; }}
</style></head><body>
<h1>{html.escape(summary['name'])}</h1>
<p>{summary['n_runs']} runs: {counts}. Spec hash <code>{summary['spec_hash']}</code>.</p>
<h2>Figures</h2>{images}
<h2>Runs</h2><table><tr>{head}</tr>{''.join(rows)}</table>
<h2>Spec</h2><pre>{html.escape(json.dumps(spec_json, indent=2))}</pre>
</body></html>"""
    path.write_text(page)
