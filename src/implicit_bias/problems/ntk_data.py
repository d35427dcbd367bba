r"""Data sets of the NTK experiments: Satpathi & Srikant's quadratic teacher on the sphere and
two classes of the handwritten digits (the real data set that ships with the package), as
arrays ``(X, y, X_test, y_test)`` (``None`` test arrays without held-out samples); the
regression problem is made of them in :mod:`.regression`."""

import gzip
from importlib.resources import files

import numpy as np

from ..errors import SpecError

Data = tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]


def quadratic_teacher_data(n_samples: int, input_dim: int, *, seed: int, power: int = 2, n_test: int = 0) -> Data:
    r"""Satpathi & Srikant's experiment: x uniform in :math:`[-1, 1]^d` then scaled to unit
    norm, :math:`y = (x^\top\beta)^p` with β uniform in :math:`[-1, 1]^d`, y standardized with
    the training mean and std (the test targets with the same affine map).

    NumPy's generator (``default_rng(seed)``) draws β, then the training inputs, then the test
    inputs, so adding test samples never changes the training set.
    """
    rng = np.random.default_rng(seed)
    beta = rng.uniform(-1.0, 1.0, input_dim)

    def draw(rows):
        x = rng.uniform(-1.0, 1.0, (rows, input_dim))
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        return x, (x @ beta) ** power

    X, y = draw(n_samples)
    mean, std = y.mean(), y.std()
    if n_test == 0:
        return X, (y - mean) / std, None, None
    X_test, y_test = draw(n_test)
    return X, (y - mean) / std, X_test, (y_test - mean) / std


def _digits() -> tuple[np.ndarray, np.ndarray]:
    """All 1797 8×8 digit images (pixel values 0..16) and their labels; see ``data/README.md``."""
    with gzip.open(files("implicit_bias").joinpath("data", "digits.csv.gz").open("rb")) as f:
        table = np.loadtxt(f, delimiter=",")
    return table[:, :-1], table[:, -1].astype(int)


def digits_data(classes: tuple[int, int], n_samples: int, n_test: int, *, seed: int,
                random_labels: bool = False, field: str = "problem.data") -> Data:
    r"""Two digit classes as a ±1 regression (first class +1), split at random (``seed``) into
    ``n_samples`` training and ``n_test`` held-out images.

    Inputs are centred by the training mean image and scaled to unit norm, the setting of
    Arora et al. (unit inputs; centring keeps the pixel cloud from sitting in one orthant, where
    every pair is at a small angle and H∞ is badly conditioned). ``random_labels`` replaces
    every label (train and test) by a fair ±1 coin drawn from the same seed: Arora et al.'s
    control, learned slower and with a larger bound.
    """
    a, b = classes
    if a == b or not (0 <= a <= 9 and 0 <= b <= 9):
        raise SpecError(f"{field}.digits", f"{list(classes)} is not two different digits", "give two of 0..9")
    images, labels = _digits()
    keep = (labels == a) | (labels == b)
    x, y = images[keep], np.where(labels[keep] == a, 1.0, -1.0)
    if n_samples + n_test > len(y):
        raise SpecError("problem.n_samples", f"n_samples + n_test = {n_samples + n_test} but digits "
                        f"{a} and {b} have {len(y)} images", f"use at most {len(y)} in all")
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    train, test = order[:n_samples], order[n_samples:n_samples + n_test]
    if random_labels:
        y = rng.choice([-1.0, 1.0], len(y))
    mean = x[train].mean(axis=0)

    def normalize(rows):
        centred = x[rows] - mean
        return centred / np.linalg.norm(centred, axis=1, keepdims=True)

    if n_test == 0:
        return normalize(train), y[train], None, None
    return normalize(train), y[train], normalize(test), y[test]
