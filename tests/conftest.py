import os
import shutil
import tempfile

# One persistent XLA compilation cache per test session, shared by the pytest-xdist workers and
# by the CLI subprocesses the tests start (they inherit the environment): a computation compiled
# in one process is loaded, not recompiled, in the others. Compile time dominates this suite.
# Set before JAX is imported so every process reads it; the first process creates and removes it.
_OWN_CACHE = "JAX_COMPILATION_CACHE_DIR" not in os.environ
if _OWN_CACHE:
    os.environ["JAX_COMPILATION_CACHE_DIR"] = tempfile.mkdtemp(prefix="implicit-bias-xla-")

import implicit_bias  # noqa: E402,F401  (float64 and host devices before any JAX use)
import pytest  # noqa: E402


def pytest_unconfigure(config):
    if _OWN_CACHE and not hasattr(config, "workerinput"):
        shutil.rmtree(os.environ["JAX_COMPILATION_CACHE_DIR"], ignore_errors=True)


@pytest.fixture
def small_spec():
    """A small GF sweep (seconds): 2 seeds × 2 widths."""
    return {
        "name": "small",
        "problem": {"kind": "regression", "n_samples": 6, "input_dim": 12, "output_dim": 1},
        "model": {"kind": "two_layer_linear", "width": 10},
        "init": {"kind": "gaussian", "scale": 0.3},
        "dynamics": {"kind": "gradient_flow", "t_max": 100.0, "stop_loss": 1e-10},
        "observe": {"quantities": ["loss", "imbalance_drift", "distance_to_min_norm"], "n_times": 12},
        "sweep": {"seed": [0, 1], "model.width": [10, 20]},
    }
