"""The shared power-law fit: polyfit's slope exactly, the OLS standard error, ranges."""

import numpy as np
import pytest

from implicit_bias.analysis import power_law_fit


def test_slope_is_polyfits_and_stderr_is_ols():
    rng = np.random.default_rng(0)
    x = np.geomspace(1, 100, 12)
    y = 3 * x**-0.7 * np.exp(0.05 * rng.standard_normal(12))
    fit = power_law_fit(x, y)
    assert fit.slope == np.polyfit(np.log(x), np.log(y), 1)[0]
    _, cov = np.polyfit(np.log(x), np.log(y), 1, cov=True)  # scaled by the residual variance
    assert fit.stderr == pytest.approx(np.sqrt(cov[0, 0]), rel=1e-10)
    assert (fit.x_min, fit.x_max, fit.n_points) == (1.0, 100.0, 12)


def test_exact_power_law_range_and_other_axes():
    x = np.geomspace(1, 1e3, 10)
    assert power_law_fit(x, 2 * x**1.5).slope == pytest.approx(1.5, abs=1e-13)
    y = np.where(x < 10, x**-1, 0.1 * (x / 10) ** -2)
    assert power_law_fit(y=y, x=x, x_range=(10, 1e3)).slope == pytest.approx(-2, abs=1e-12)
    t = np.linspace(0, 5, 8)
    assert power_law_fit(t, np.exp(-0.3 * t), log_x=False).slope == pytest.approx(-0.3, abs=1e-13)
    assert power_law_fit(x, 4 * np.log(x), log_y=False).slope == pytest.approx(4, abs=1e-12)


def test_unusable_points_dropped_and_too_few_refused():
    fit = power_law_fit([1, 2, 4, 8], [1, np.nan, -1, 0.125])
    assert fit.n_points == 2 and fit.slope == pytest.approx(-1) and np.isnan(fit.stderr)
    with pytest.raises(ValueError, match="at least 2 usable points"):
        power_law_fit([1, 2], [1, 0])


def test_other_axes_and_range_are_polyfits_slope_exactly():
    rng = np.random.default_rng(1)
    x = np.geomspace(1, 1e3, 15)
    y = 2 * x**0.6 * np.exp(0.1 * rng.standard_normal(15))
    assert power_law_fit(x, y, log_x=False).slope == np.polyfit(x, np.log(y), 1)[0]
    assert power_law_fit(x, y, log_y=False).slope == np.polyfit(np.log(x), y, 1)[0]
    assert power_law_fit(x, y, log_x=False, log_y=False).slope == np.polyfit(x, y, 1)[0]
    inside = (x >= 10) & (x <= 500)
    fit = power_law_fit(x, y, x_range=(10, 500))
    assert fit.slope == np.polyfit(np.log(x[inside]), np.log(y[inside]), 1)[0]
    assert (fit.x_min, fit.x_max, fit.n_points) == (x[inside].min(), x[inside].max(), int(inside.sum()))
    # ints and lists: the same float64 arrays as np.log of them
    assert power_law_fit([1, 2, 4, 8], [3, 5, 6, 11], strict=True).slope == np.polyfit(
        np.log([1, 2, 4, 8]), np.log([3, 5, 6, 11]), 1)[0]


def test_strict_refuses_any_dropped_point():
    x = np.array([1.0, 2, 4, 8])
    assert power_law_fit(x, 1 / x, strict=True) == power_law_fit(x, 1 / x)  # nothing dropped: the same fit
    for y in ([1, np.nan, 0.25, 0.125], [1, 0.5, -1, 0.125], [1, 0.5, 0.0, np.inf]):
        power_law_fit(x, y)  # the default drops them and fits the rest
        with pytest.raises(ValueError, match=r"strict fit: \d of 4 points unusable"):
            power_law_fit(x, y, strict=True)
    with pytest.raises(ValueError, match="2 of 4 points unusable"):
        power_law_fit(x, 1 / x, x_range=(2, 4), strict=True)
    with pytest.raises(ValueError, match="1 of 4 points unusable"):
        power_law_fit(x - 1, 1 / x, strict=True)  # x = 0 on a log axis
    assert power_law_fit(x - 1, 1 / x, log_x=False, strict=True).n_points == 4  # fine on a linear axis
    assert power_law_fit(x, -3 * np.log(x), log_y=False, strict=True).slope == pytest.approx(-3, abs=1e-12)
