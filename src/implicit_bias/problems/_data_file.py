"""Reading a data set from a file (``.npz``, no pickles, or ``.csv``) and checking its inputs;
shared by every problem."""

from pathlib import Path

import numpy as np

from ..errors import SpecError


def checked_inputs(X, field: str) -> np.ndarray:
    """``X`` as a float64 N×n matrix of finite values, or a :class:`SpecError` on ``field.X``."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise SpecError(f"{field}.X", f"expected a 2-D array (samples × features), got shape {X.shape}",
                        "store X as an N×n matrix")
    require_finite(X, f"{field}.X")
    return X


def require_finite(a: np.ndarray, field: str) -> None:
    if not np.all(np.isfinite(a)):
        raise SpecError(field, f"contains {np.sum(~np.isfinite(a))} NaN or inf values",
                        "remove or impute them before training")


def read_npz(path: Path, field: str) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` (never unpickled), or a :class:`SpecError` on ``field``."""
    if not path.is_file():
        raise SpecError(field, f"file '{path}' does not exist", "give the path of an .npz file")
    try:
        with np.load(path, allow_pickle=False) as f:
            return {name: f[name] for name in f.files}
    except Exception as e:  # corrupt archive, object arrays refused by allow_pickle=False
        raise SpecError(field, f"cannot read '{path.name}' as numeric .npz ({type(e).__name__}: {e})",
                        "save plain numeric arrays with np.savez") from None


def read_data_file(path: Path, field: str = "problem.data.file") -> tuple[np.ndarray, np.ndarray]:
    """``(X, Y)`` from ``.npz`` (arrays ``X`` and ``Y`` or ``y``) or ``.csv``.

    A ``.csv`` holds one sample per row, features first and the target in the last column;
    a header line is allowed. Shapes and finiteness are checked by the problem that uses them.
    """
    path = Path(path)
    if not path.is_file():
        raise SpecError(field, f"file '{path}' does not exist", "give the path of an .npz or .csv file")
    suffix = path.suffix.lower()
    if suffix == ".npz":
        arrays = read_npz(path, field)
        if "X" not in arrays or not ({"Y", "y"} & set(arrays)):
            raise SpecError(field, f"'{path.name}' holds {sorted(arrays)}",
                            "store arrays named X and Y (or y), e.g. np.savez(path, X=X, Y=Y)")
        X = arrays["X"]
        Y = arrays["Y"] if "Y" in arrays else arrays["y"]
        if not (np.issubdtype(X.dtype, np.number) and np.issubdtype(Y.dtype, np.number)):
            raise SpecError(field, f"arrays in '{path.name}' are not numeric ({X.dtype}, {Y.dtype})",
                            "store float arrays")
    elif suffix == ".csv":
        try:
            table = np.genfromtxt(path, delimiter=",", dtype=np.float64)
        except Exception as e:
            raise SpecError(field, f"cannot parse '{path.name}' as CSV ({e})", "give comma-separated numbers") from None
        if table.ndim == 2 and np.all(np.isnan(table[0])):
            table = table[1:]  # a header line
        if table.ndim != 2 or table.shape[1] < 2:
            raise SpecError(field, f"'{path.name}' needs at least two columns (features…, y)",
                            "write one sample per row with the target in the last column")
        if np.any(np.isnan(table)):
            row = int(np.argwhere(np.isnan(table))[0, 0]) + 1
            raise SpecError(field, f"'{path.name}' has a non-numeric or missing value (data row {row})",
                            "fix that row; every entry must be a number")
        X, Y = table[:, :-1], table[:, -1]
    else:
        raise SpecError(field, f"unsupported file type '{path.suffix}'", "use .npz (X, Y or y) or .csv")
    return X, Y


def check_given_sizes(spec, **sizes: int) -> None:
    """A size the spec gave (``n_samples``, ``input_dim``…) must match the data file's."""
    for name, got in sizes.items():
        if name in spec.model_fields_set and getattr(spec, name) != got:
            raise SpecError(f"problem.{name}", f"is {getattr(spec, name)} but the data file has {got}",
                            f"remove problem.{name} (it is read from the file) or fix it")
