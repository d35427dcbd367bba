r"""Observables of any model and problem: the loss, norms, the gradient, the sharpness and the
Hessian's inertia (how many eigenvalues are negative, zero, positive: saddles versus minima)."""

import jax
import jax.flatten_util
import jax.numpy as jnp
import numpy as np

from ._base import Observable, register

register(Observable("loss", "training loss", lambda ctx, p, t: ctx.objective.loss(p)))
register(Observable(
    "param_norm", "‖θ‖² (sum of squared parameters)",
    lambda ctx, p, t: sum(jnp.sum(a**2) for a in jax.tree.leaves(p))))
register(Observable(
    "gradient_norm", "‖∇L(θ)‖",
    lambda ctx, p, t: jnp.sqrt(sum(jnp.sum(g**2) for g in jax.tree.leaves(jax.grad(ctx.objective.loss)(p))))))
register(Observable(
    "predictor_norm", "‖Θ‖_F, the end-to-end matrix's Frobenius norm",
    lambda ctx, p, t: jnp.linalg.norm(ctx.model.end_to_end(p))))
register(Observable(
    "nuclear_norm", "‖Θ‖_*, the sum of the end-to-end matrix's singular values",
    lambda ctx, p, t: jnp.sum(jnp.linalg.svd(ctx.model.end_to_end(p), compute_uv=False))))


def _hessian_eigenvalues(ctx, params):
    """Eigenvalues (ascending) of the dense Hessian of the loss in the flattened parameters.

    The cost is per evaluation, not per step (measured 2026-12-04, tanh MLP 64→16→16→1, 1296
    parameters, 50 digits: a GD step 11–18 µs with or without sharpness recorded; one evaluation
    0.8 s, 0.06 s the Hessian (jacfwd of jacrev) and the rest ``eigvalsh``, which in JAX is
    ``eigh`` with its eigenvectors dropped). A run records at its n_times, once more in the loop's
    closing segment (the record dropped) and once for the final values: at n_times = 2 that is
    ~3 s, as much as 2·10⁵ steps, hence "100× slower" on short runs. Skipping the dropped
    evaluation under a ``lax.cond`` changed sharpness in the last bits (the Hessian fused
    differently inside the branch) and slowed the loop; an eigenvalues-only solver or power
    iteration would change them too. So: record sharpness at few times, on small nets.
    """
    flat, unravel = jax.flatten_util.ravel_pytree(params)
    return jnp.linalg.eigvalsh(jax.hessian(lambda x: ctx.objective.loss(unravel(x)))(flat))


register(Observable(
    "sharpness", "λ_max(∇²L(θ)), the largest Hessian eigenvalue (GD is stable near a minimum iff η < 2/λ_max)",
    lambda ctx, p, t: _hessian_eigenvalues(ctx, p)[-1]))

#: An eigenvalue counts as zero when |λ| ≤ ZERO_EIGENVALUE × max|λ|. Float64 eigenvalues of an
#: autodiff Hessian are exact to ~1e-15·‖H‖, but at a point of loss L > 0 near a manifold of
#: minima the flat directions carry curvature O(residual), not 0: 1e-6 relative separates
#: those from the curved directions for losses down to ~1e-12 of the curvature scale, and
#: counts a direction whose curvature is a millionth of the largest as flat.
ZERO_EIGENVALUE = 1e-6
#: The dense Hessian is (number of parameters)² floats and its eigendecomposition cubic.
HESSIAN_MAX_PARAMS = 2000


def _small_enough(model, problem) -> None:
    from ..errors import SpecError

    n = sum(int(np.prod(shape)) for shape in model.param_shapes().values())
    if n > HESSIAN_MAX_PARAMS:
        raise SpecError("observe.quantities", f"Hessian observables need the dense Hessian; this model has {n} "
                        f"parameters (> {HESSIAN_MAX_PARAMS})", "use them on a smaller model, or record sharpness")


def _count(select):
    def compute(ctx, params, t):
        eigs = _hessian_eigenvalues(ctx, params)
        tol = ZERO_EIGENVALUE * jnp.max(jnp.abs(eigs))
        return jnp.sum(select(eigs, tol)).astype(jnp.float64)
    return compute


for _name, _meaning, _select in (
        ("hessian_negative", "λ < −τ", lambda e, tol: e < -tol),
        ("hessian_zero", "|λ| ≤ τ", lambda e, tol: jnp.abs(e) <= tol),
        ("hessian_positive", "λ > τ", lambda e, tol: e > tol)):
    register(Observable(
        _name, f"number of Hessian eigenvalues with {_meaning}, τ = {ZERO_EIGENVALUE:g}·max|λ| (small models)",
        _count(_select), validate=_small_enough))
