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
