"""The common suite every registered model passes (STYLE.md): each kind's declared examples
crossed with every check of :mod:`implicit_bias.testing`, one test id per case."""

import pytest

from implicit_bias.testing import model_check_cases


@pytest.mark.parametrize("case", model_check_cases(), ids=str)
def test_model(case):
    case.run()
