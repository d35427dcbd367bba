"""Every registered claim is a test: it runs the real dynamics and asserts the theorem."""

import pytest

from implicit_bias.claims import REGISTRY


@pytest.mark.parametrize("name", list(REGISTRY))
def test_claim(name):
    result = REGISTRY[name].check()
    assert result.passed, (f"{name}: measured {result.measured:.6g}, predicted {result.predicted:.6g} "
                           f"± {result.tolerance:.3g}; {result.detail}")
