import implicit_bias  # noqa: F401  (float64 and host devices before any JAX use)
import pytest


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
