"""Every registered claim is a test: it runs the real dynamics and asserts the theorem, at the
claim's test size where it has one (``implicit-bias check`` runs the full size)."""

import pytest

from implicit_bias.claims import REGISTRY


@pytest.mark.parametrize("name", list(REGISTRY))
def test_claim(name):
    result = REGISTRY[name].check(quick=True)
    assert result.passed, (f"{name}: measured {result.measured:.6g}, predicted {result.predicted:.6g} "
                           f"± {result.tolerance:.3g}; {result.detail}")


def test_a_claim_whose_runs_give_no_fit_fails_with_the_reason():
    """A NaN point in a strict fit is a failed claim with the fit's message, not a crashed check."""
    import numpy as np

    from implicit_bias.analysis import power_law_fit
    from implicit_bias.claims import Claim

    claim = Claim("no_fit", "-", "-", "-", {}, lambda results: (power_law_fit(
        [1.0, 2.0, 4.0], [1.0, np.nan, 0.25], strict=True).slope, -1.0, 0.1, {}), "close", "-")
    result = claim.check()
    assert not result.passed and "1 of 3 points unusable" in result.detail["error"]
