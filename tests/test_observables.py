"""Observables against closed forms."""

import pytest

import implicit_bias as ib
from implicit_bias.errors import SpecError


def _spec(scale: float, width: int = 3, t_max: float = 1e-9) -> dict:
    return {"name": "hessian", "problem": {"kind": "regression", "n_samples": 4, "input_dim": 5, "output_dim": 1},
            "model": {"kind": "two_layer_linear", "width": width}, "init": {"kind": "gaussian", "scale": scale},
            "dynamics": {"kind": "gradient_flow", "t_max": t_max},
            "observe": {"quantities": ["loss", "hessian_negative", "hessian_zero", "hessian_positive"], "n_times": 3}}


def test_hessian_inertia_at_the_origin_saddle_and_at_a_minimum():
    """f = XUV with U ∈ ℝ^{d×h}, V ∈ ℝ^{h×1}. At θ = 0 the Hessian is off-diagonal, [[0, B], [Bᵀ, 0]] with
    B = −XᵀY/n ⊗ I_h (rank h): eigenvalues ±‖XᵀY‖/n, h times each, and dh + h − 2h zeros. A tiny init
    (1e-8) moves these by O(1e-8) relative, far inside τ = 1e-6·max|λ|. After gradient flow to
    interpolation (d = 5 > n = 4) the point is a minimum on a manifold: no negative eigenvalue."""
    d, h = 5, 3
    ds = ib.run(_spec(1e-8, h))
    at0 = {k: int(ds[f"hessian_{k}"].isel(time=0)) for k in ("negative", "zero", "positive")}
    assert at0 == {"negative": h, "zero": d * h + h - 2 * h, "positive": h}
    end = ib.run(_spec(0.5, h, t_max=200.0))
    assert float(end["final_loss"]) < 1e-12
    assert int(end["final_hessian_negative"]) == 0
    assert int(end["final_hessian_positive"]) + int(end["final_hessian_zero"]) == d * h + h


def test_hessian_observables_refuse_large_models():
    with pytest.raises(SpecError, match="observe.quantities: Hessian observables need the dense Hessian"):
        ib.run({**_spec(0.1), "model": {"kind": "two_layer_linear", "width": 400}})
