r"""Fits the claims, reproductions and figures share.

:func:`power_law_fit` fits :math:`y \approx c\,x^{s}` by least squares on
:math:`(\log x, \log y)` — or, with ``log_x=False``, the exponential rate of
:math:`y \approx c\,e^{s x}`; with ``log_y=False``, the slope of y against log x — and reports
the slope s with its standard error and the range it was fitted over.
"""

from typing import NamedTuple

import numpy as np


class FitError(ValueError):
    """A fit that cannot be made from its points (a claim measuring it fails, with this message)."""


class PowerLawFit(NamedTuple):
    """``slope`` s ± ``stderr`` and ``intercept`` of the fitted line, over the ``n_points``
    points with x in [``x_min``, ``x_max``]."""

    slope: float
    stderr: float
    intercept: float
    x_min: float
    x_max: float
    n_points: int


def power_law_fit(x, y, *, x_range: tuple[float, float] | None = None, log_x: bool = True,
                  log_y: bool = True, strict: bool = False) -> PowerLawFit:
    r"""Least-squares line through :math:`(u_i, v_i)`, :math:`u = \log x` (or x), :math:`v = \log y`
    (or y), over the points with finite values (positive ones on a log axis) and, with
    ``x_range = (lo, hi)``, :math:`lo \le x \le hi`.

    The slope is ``np.polyfit(u, v, 1)[0]`` exactly; its standard error is the ordinary one,
    :math:`\hat\sigma/\sqrt{\sum_i(u_i - \bar u)^2}` with :math:`\hat\sigma^2 = \sum_i r_i^2/(n-2)`
    (NaN for two points, where the line is exact).

    With ``strict=True`` no point may be dropped: any point the filter above would leave out
    raises instead. The claims and reproductions fit with ``strict=True``, since a point dropped
    silently would change a measured slope without notice.

    Raises:
        FitError: fewer than two usable points; with ``strict=True``, any unusable point.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    if log_x:
        keep &= x > 0
    if log_y:
        keep &= y > 0
    if x_range is not None:
        keep &= (x >= x_range[0]) & (x <= x_range[1])
    if strict and not keep.all():
        raise FitError(f"strict fit: {int(x.size - keep.sum())} of {x.size} points unusable (non-finite"
                         f"{', non-positive on a log axis' if log_x or log_y else ''}"
                         f"{' or outside x_range' if x_range is not None else ''})")
    if keep.sum() < 2:
        raise FitError(f"a line needs at least 2 usable points, got {int(keep.sum())} of {x.size}")
    u = np.log(x[keep]) if log_x else x[keep]
    v = np.log(y[keep]) if log_y else y[keep]
    slope, intercept = np.polyfit(u, v, 1)
    n = u.size
    residual = v - (slope * u + intercept)
    spread = np.sum((u - u.mean()) ** 2)
    stderr = float(np.sqrt(np.sum(residual**2) / (n - 2) / spread)) if n > 2 else float("nan")
    return PowerLawFit(float(slope), stderr, float(intercept), float(x[keep].min()), float(x[keep].max()), n)
