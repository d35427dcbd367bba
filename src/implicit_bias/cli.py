"""The ``implicit-bias`` command line: ``run``, ``report``, ``check``, ``reproduce``.

Bad input is reported as one line ``error: <field>: <problem>; <fix>`` with exit code 2;
failing claims exit with code 1.
"""

import contextlib
import json
import sys
from importlib.resources import files
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from .errors import SpecError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Train overparametrized models and check implicit-bias theorems.")
console = Console()
EXAMPLE = "linear-min-norm.toml"


@app.command()
def run(
    spec: Annotated[Path | None, typer.Argument(help="TOML spec; default: the embedded linear-min-norm example")] = None,
    out: Annotated[Path | None, typer.Option(help="results directory (default runs/<spec name>)")] = None,
    executor: Annotated[str, typer.Option(help="where tasks run: 'local' (this process) or 'dask'")] = "local",
    scheduler: Annotated[str | None, typer.Option(
        help="Dask scheduler address (default: start a local cluster, one worker per core)")] = None,
    ensemble: Annotated[str, typer.Option(help="ensemble mapping: auto, vmap, map, sharded_map")] = "auto",
    memory_limit: Annotated[float | None, typer.Option(
        help="GiB a task may use (default: half the available memory)")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="no progress output")] = False,
) -> None:
    """Run a spec (one run or a sweep); write results.zarr, summary.json, figures/, report.html.

    Rerunning into the same --out skips the runs already finished there (also after a kill)."""
    from .ensemble import STRATEGIES, ensemble_named
    from .experiment import coerce_spec, executor_named
    from .experiment import run as run_spec
    from .experiment.progress import progress_bar, progress_lines

    if ensemble != "auto" and ensemble not in STRATEGIES:
        raise SpecError("--ensemble", f"unknown strategy '{ensemble}'", f"use auto or one of {sorted(STRATEGIES)}")
    if memory_limit is not None and not memory_limit > 0:
        raise SpecError("--memory-limit", f"must be positive, got {memory_limit}", "give GiB, e.g. 4")
    path = spec if spec is not None else Path(str(files("implicit_bias").joinpath("examples", EXAMPLE)))
    loaded, base_dir = coerce_spec(path)
    out = out if out is not None else Path("runs") / loaded.name
    limit = None if memory_limit is None else int(memory_limit * 2**30)
    if quiet:
        shown = contextlib.nullcontext(None)
    elif console.is_terminal:
        shown = progress_bar(console)
    else:  # a log or a pipe: a bar would be noise
        shown = contextlib.nullcontext(progress_lines)
    with executor_named(executor, scheduler) as pool, shown as callback:
        run_spec(loaded, out, base_dir=base_dir, ensemble=ensemble_named(ensemble), executor=pool,
                 progress=callback, memory_limit=limit)
    summary = json.loads((out / "summary.json").read_text())
    if not quiet:
        _print_summary(summary, out)


@app.command()
def report(
    directory: Annotated[Path, typer.Argument(help="a results directory written by 'run'")],
    claims: Annotated[Path | None, typer.Option(help="claim results to tabulate ('check --json' output)")] = None,
    fit: Annotated[list[str] | None, typer.Option(
        help="fit slopes of final values over AXIS=LOW:HIGH only, e.g. model.width=100:800 (repeatable; "
             "without it a curve gets a slope only where it is straight)")] = None,
) -> None:
    """Rebuild figures/ and report.html from a results directory (seed bands, theory overlays,
    phase diagrams over pairs of swept axes, claim checks)."""
    from .report import report_directory

    page = report_directory(directory, claims, dict(_fit_range(f) for f in fit or []))
    console.print(f"report: {page}")


def _fit_range(text: str) -> tuple[str, tuple[float, float]]:
    axis, _, bounds = text.partition("=")
    low, _, high = bounds.partition(":")
    try:
        low_high = (float(low), float(high))
    except ValueError:
        raise SpecError("--fit", f"cannot read '{text}'", "write AXIS=LOW:HIGH, e.g. model.width=100:800") from None
    if not axis or not low_high[0] < low_high[1]:
        raise SpecError("--fit", f"'{text}' needs an axis and LOW < HIGH", "write AXIS=LOW:HIGH, e.g. model.width=100:800")
    return axis, low_high


def _print_summary(summary: dict, out: Path) -> None:
    runs = summary["runs"]
    table = Table(title=f"{summary['name']}: {summary['n_runs']} runs")
    coords = list(runs[0]["coords"])
    finals = list(runs[0]["final"])
    for column in coords + ["status"] + [f"final {f}" for f in finals]:
        table.add_column(column, justify="right")
    for r in runs[:40]:
        status = r["status"] + (f" @ step {r['diverged_at_step']} (t = {r['diverged_at_time']:.4g})"
                                if r["status"] == "diverged" else "")
        table.add_row(*[str(r["coords"][c]) for c in coords], status,
                      *["—" if r["final"][f] is None else f"{r['final'][f]:.4g}" for f in finals])
    console.print(table)
    if len(runs) > 40:
        console.print(f"… {len(runs) - 40} more runs in {out / 'summary.json'}")
    for note in summary.get("notes", []):
        console.print(f"note: {note}")
    console.print(f"results: {out}/results.zarr, summary.json, figures/, report.html")


@app.command()
def reference() -> None:
    """Print the spec reference of every registered kind (plugins included) as Markdown."""
    from .components import reference_markdown

    print(reference_markdown())


@app.command()
def check(
    claims: Annotated[list[str] | None, typer.Argument(help="claim names (default: all)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print results as JSON")] = False,
    list_only: Annotated[bool, typer.Option("--list", help="list the claims and exit")] = False,
    quick: Annotated[bool, typer.Option("--quick", help="each claim at its test size, where it has one "
                                                        "(what the test suite checks)")] = False,
) -> None:
    """Run the executable claims (at full size); exit 1 if any fails."""
    from .claims import REGISTRY
    from .components import load_plugins

    load_plugins()  # their claims too

    names = claims or list(REGISTRY)
    unknown = [n for n in names if n not in REGISTRY]
    if unknown:
        raise SpecError("CLAIM", f"unknown claim {unknown}", f"choose from {sorted(REGISTRY)}")
    if list_only:
        for name in names:
            c = REGISTRY[name]
            print(f"{name}\t{c.paper}, {c.theorem}: {c.statement}")
        return
    results = []
    for name in names:
        results.append(REGISTRY[name].check(quick=quick))
        if not as_json:
            r = results[-1]
            print(f"{'PASS' if r.passed else 'FAIL'}  {r.name} ({r.seconds:.1f} s)", file=sys.stderr, flush=True)
    if as_json:
        print(json.dumps([r.as_dict() for r in results], indent=2))
    else:
        table = Table(title="claims")
        for column in ("claim", "paper", "measured", "predicted", "tolerance", "result"):
            table.add_column(column)
        for r in results:
            table.add_row(r.name, r.paper, f"{r.measured:.4g}", f"{r.predicted:.4g}", f"{r.tolerance:.2g}",
                          "[green]PASS[/]" if r.passed else "[red]FAIL[/]")
        console.print(table)
    if not all(r.passed for r in results):
        raise typer.Exit(1)


@app.command()
def reproduce(
    paper: Annotated[str, typer.Argument(help="paper key, e.g. min2021")],
    quick: Annotated[bool, typer.Option("--quick", help="small sizes (seconds, for tests)")] = False,
    out: Annotated[Path | None, typer.Option(help="output directory (default reproduce/<paper>)")] = None,
) -> None:
    """Rerun a paper's experiments and write its figures and table."""
    from .reproduce import PAPERS

    if paper not in PAPERS:
        raise SpecError("PAPER", f"unknown paper '{paper}'", f"choose from {sorted(PAPERS)}")
    out = out if out is not None else Path("reproduce") / paper
    result = PAPERS[paper](out, quick)
    console.print(f"{paper}: figures and table in {out}")
    if isinstance(result, dict) and "table" in result:
        console.print(str(result["table"]))


def main() -> None:
    try:
        app(standalone_mode=False)
    except SpecError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        print("error: interrupted; rerun the same command to resume", file=sys.stderr)
        sys.exit(130)
    except Exception as e:  # click usage errors carry their own exit code
        import click
        if isinstance(e, click.ClickException):
            e.show()
            sys.exit(e.exit_code)
        raise


if __name__ == "__main__":
    main()
