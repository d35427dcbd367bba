"""The results store: one directory per experiment.

Layout of ``DIR``::

    spec.json        the validated spec and its hash (a DIR belongs to one spec)
    parts/*.zarr     one per finished compiled group, written atomically (tmp dir + rename)
    results.zarr     all runs assembled over the sweep axes (rebuilt from parts)
    summary.json     per run: coords, status, final value of each observable; the spec hash

A part appears whole or not at all, so killing a run loses only the group in flight, and a
rerun skips every run found in ``parts/``.
"""

import json
import math
import os
import shutil
import uuid
from pathlib import Path

import numpy as np
import xarray as xr

from ..dynamics import STATUSES
from ..errors import SpecError
from ..spec import RunPoint, Spec, _digest

STATUS_ATTRS = {"flag_values": list(range(len(STATUSES))), "flag_meanings": " ".join(STATUSES)}


def results_to_dataset(points: list[RunPoint], results: list[dict], times: np.ndarray) -> xr.Dataset:
    """Per-run result dicts (from the runner) as a Dataset over ``run`` and ``time``."""
    observed = {name: (("run", "time"), np.stack([r["observed"][name] for r in results]))
                for name in results[0]["observed"]}
    final = {f"final_{name}": (("run",), np.array([r["final"][name] for r in results]))
             for name in results[0]["final"]}
    scalars = {name: (("run",), np.array([r[name] for r in results]))
               for name in ("t_final", "n_steps", "status", "diverged_at")}
    predictor = np.stack([r["predictor"] for r in results])
    ds = xr.Dataset(
        {**observed, **final, **scalars,
         "predictor": (("run", "input", "output"), predictor.reshape(len(results), predictor.shape[1], -1))},
        # Indexed predictor axes: runs whose predictors differ in size (a ReLU net's per-neuron
        # rows at several widths) then concatenate with NaN padding instead of failing.
        coords={"run": [p.run_id for p in points], "time": times,
                "input": np.arange(predictor.shape[1]), "output": np.arange(predictor[0].size // predictor.shape[1])},
    )
    ds["status"].attrs.update(STATUS_ATTRS)
    ds["time"].attrs["long_name"] = "gradient-flow time (steps × lr for GD/SGD)"
    return ds


def arrange(ds: xr.Dataset, points: list[RunPoint], spec: Spec) -> xr.Dataset:
    """Order runs as the spec's grid and, when there is a sweep, unstack ``run`` into one
    dimension per swept field (``ds.sel({"model.width": 200, "seed": 0})``)."""
    ds = ds.sel(run=[p.run_id for p in points])
    axes = list(spec.sweep)
    if not axes:
        return ds.isel(run=0, drop=True)
    ds = ds.assign_coords({axis: ("run", [p.coords[axis] for p in points]) for axis in axes})
    ds = ds.assign_coords(run_id=("run", [p.run_id for p in points])).drop_vars("run")
    if len(axes) == 1:
        return ds.swap_dims(run=axes[0]).transpose(axes[0], ...)
    return ds.set_index(run=axes).unstack("run").transpose(*axes, ...)


def summarize(ds_runs: xr.Dataset, points: list[RunPoint], spec: Spec) -> dict:
    """The ``summary.json`` content from a Dataset over ``run`` (in the order of ``points``)."""
    def clean(x):
        x = x.item() if hasattr(x, "item") else x
        return None if isinstance(x, float) and not math.isfinite(x) else x

    finals = [v for v in ds_runs.data_vars if v.startswith("final_")]
    runs = []
    for i, p in enumerate(points):
        row = ds_runs.isel(run=i)
        status = STATUSES[int(row["status"])]
        entry = {"run_id": p.run_id, "coords": p.coords, "status": status,
                 "final": {v.removeprefix("final_"): clean(row[v].values) for v in finals},
                 "t_final": clean(row["t_final"].values), "n_steps": int(row["n_steps"])}
        if status == "diverged":
            entry["diverged_at_step"] = int(row["diverged_at"])
        runs.append(entry)
    return {"name": spec.name, "spec_hash": spec.hash, "n_runs": len(runs),
            "statuses": {s: sum(r["status"] == s for r in runs) for s in STATUSES}, "runs": runs}


def _atomic_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    tmp.write_text(json.dumps(data, indent=2, allow_nan=False))
    os.replace(tmp, path)


def _atomic_zarr(ds: xr.Dataset, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    # Zarr format 2: its spec covers the string run ids and consolidated metadata (v3 does not yet).
    ds.to_zarr(tmp, mode="w", consolidated=True, zarr_format=2)
    if path.exists():
        shutil.rmtree(path)
    os.rename(tmp, path)


class ResultStore:
    """A directory holding one spec's results; see the module docstring for its layout."""

    def __init__(self, out: str | Path, spec: Spec):
        self.out, self.spec = Path(out), spec
        self.parts = self.out / "parts"
        marker = self.out / "spec.json"
        if marker.exists():
            held = json.loads(marker.read_text()).get("spec_hash")
            if held != spec.hash:
                raise SpecError("--out", f"'{self.out}' holds results of another spec (hash {held})",
                                "use a new --out directory, or delete that one to start over")
        elif self.out.exists() and any(self.out.iterdir()):
            raise SpecError("--out", f"'{self.out}' exists and is not a results directory",
                            "use a new or empty --out directory")
        self.parts.mkdir(parents=True, exist_ok=True)
        if not marker.exists():
            _atomic_json(marker, {"spec_hash": spec.hash, "spec": spec.model_dump(mode="json")})

    def _part_paths(self) -> list[Path]:
        return sorted(p for p in self.parts.glob("*.zarr") if not p.name.startswith("."))

    def finished(self) -> set[str]:
        return {str(r) for p in self._part_paths() for r in xr.open_zarr(p)["run"].values}

    def write_part(self, ds: xr.Dataset) -> None:
        _atomic_zarr(ds, self.parts / f"{_digest(sorted(map(str, ds['run'].values)))}.zarr")

    def load_runs(self) -> xr.Dataset:
        parts = [xr.open_zarr(p).load() for p in self._part_paths()]
        return xr.concat(parts, dim="run", join="outer") if len(parts) > 1 else parts[0]

    def finalize(self, ds: xr.Dataset, summary: dict) -> None:
        _atomic_zarr(ds, self.out / "results.zarr")
        _atomic_json(self.out / "summary.json", summary)
