"""The results store: one directory per experiment.

Layout of ``DIR``::

    spec.json        the validated spec and its hash (a DIR belongs to one spec)
    .lock            held (``flock``) by the one process writing DIR
    parts/*.zarr     one per finished task, written atomically (tmp dir + rename)
    results.zarr     all runs assembled over the sweep axes (rebuilt from parts); its
                     attributes hold the provenance (spec, hash, versions, device)
    summary.json     per run: coords, status, final value of each observable; the spec hash

A part appears whole or not at all, so killing a run (even ``kill -9``) loses only the tasks
in flight, and a rerun skips every run found in ``parts/``. The lock is the kernel's, so a
killed writer never leaves it held.
"""

import fcntl
import json
import math
import os
import shutil
import uuid
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import jax

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
    matrix = lambda key: (("run", "input", "output"), np.stack([r[key] for r in results]).reshape(predictor.shape[0], predictor.shape[1], -1))  # noqa: E731
    ds = xr.Dataset(
        {**observed, **final, **scalars, "predictor": matrix("predictor"), "initial_predictor": matrix("initial_predictor")},
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
    # Whole columns as NumPy first: indexing the Dataset per run costs ~1 ms a run.
    columns = {v: ds_runs[v].values for v in finals + ["status", "t_final", "n_steps", "diverged_at"]}
    runs = []
    for i, p in enumerate(points):
        status = STATUSES[int(columns["status"][i])]
        entry = {"run_id": p.run_id, "coords": p.coords, "status": status,
                 "final": {v.removeprefix("final_"): clean(columns[v][i]) for v in finals},
                 "t_final": clean(columns["t_final"][i]), "n_steps": int(columns["n_steps"][i])}
        if status == "diverged":
            entry["diverged_at_step"] = int(columns["diverged_at"][i])
            entry["diverged_at_time"] = clean(columns["t_final"][i])  # α for one-pass SGD
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


def provenance(spec: Spec) -> dict:
    """What produced a store: the spec and its hash, library versions and the device."""
    def package(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "unknown"
    device = jax.devices()[0]
    return {"spec": json.dumps(spec.model_dump(mode="json"), sort_keys=True), "spec_hash": spec.hash,
            "implicit_bias_version": package("implicit-bias"), "jax_version": jax.__version__,
            "jaxlib_version": package("jaxlib"),
            "device": f"{len(jax.devices())} × {device.platform} ({device.device_kind})"}


def _open(path: Path) -> xr.Dataset:
    # chunks=None: NumPy-backed, no dask graph per part (parts are small and read whole).
    return xr.open_zarr(path, chunks=None)


class ResultStore:
    """A directory holding one spec's results; see the module docstring for its layout.
    One process writes a DIR at a time: a second gets a :class:`SpecError` until
    :meth:`close` (or the first process's exit)."""

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
        self._lock = open(self.out / ".lock", "a+")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.seek(0)
            holder = self._lock.read().strip() or "?"
            self._lock.close()
            raise SpecError("--out", f"'{self.out}' is being written by another process (pid {holder})",
                            "wait for it to finish, or use another --out directory") from None
        self._lock.truncate(0)
        self._lock.write(str(os.getpid()))
        self._lock.flush()
        # Temporaries of a writer that was killed mid-write: never renamed, so never results.
        for tmp in self.parts.glob(".*"):
            shutil.rmtree(tmp, ignore_errors=True)
        if not marker.exists():
            _atomic_json(marker, {"spec_hash": spec.hash, "spec": spec.model_dump(mode="json")})

    def close(self) -> None:
        """Release the lock (also released by the kernel when the process ends)."""
        if not self._lock.closed:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _part_paths(self) -> list[Path]:
        return sorted(p for p in self.parts.glob("*.zarr") if not p.name.startswith("."))

    def finished(self) -> dict[str, int]:
        """Status code of every run found in ``parts/``, by run id."""
        done = {}
        for path in self._part_paths():
            part = _open(path)
            done.update(zip(map(str, part["run"].values), map(int, part["status"].values)))
        return done

    def write_part(self, ds: xr.Dataset) -> None:
        _atomic_zarr(ds, self.parts / f"{_digest(sorted(map(str, ds['run'].values)))}.zarr")

    def load_runs(self) -> xr.Dataset:
        parts = [_open(p).load() for p in self._part_paths()]
        return xr.concat(parts, dim="run", join="outer") if len(parts) > 1 else parts[0]

    def finalize(self, ds: xr.Dataset, summary: dict) -> None:
        ds = ds.assign_attrs(provenance(self.spec))
        _atomic_zarr(ds, self.out / "results.zarr")
        _atomic_json(self.out / "summary.json", summary)
