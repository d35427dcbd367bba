r"""Theory of deep linear networks under gradient flow (Saxe et al. 2014; Arora, Cohen, Hazan
2018; Arora, Cohen, Hu, Luo 2019).

Convention (:class:`~implicit_bias.models.DeepLinear`): :math:`\Theta = W_1\cdots W_N` is n×m
and :math:`\nabla = \partial\ell/\partial\Theta`. The papers' :math:`W = W_N\cdots W_1` is
:math:`\Theta^\top`; transposing their formulas term by term gives the ones below.

* Balancedness :math:`W_j^\top W_j - W_{j+1}W_{j+1}^\top` is conserved (the model's
  ``conserved``).
* From a balanced init (all those differences zero) the end-to-end matrix obeys
  :math:`\dot\Theta = -\sum_{j=1}^N (\Theta\Theta^\top)^{(j-1)/N}\,\nabla\,(\Theta^\top\Theta)^{(N-j)/N}`
  (Arora, Cohen, Hazan 2018, Thm. 1).
* Its singular values obey :math:`\dot\sigma_r = -N\sigma_r^{2-2/N}\,u_r^\top\nabla v_r`
  (Arora, Cohen, Hu, Luo 2019, Thm. 3), with :math:`\Theta = \sum_r\sigma_r u_r v_r^\top`.
* For :math:`\ell = \tfrac12\lVert\Theta - \Theta^*\rVert_F^2` and an init aligned with
  :math:`\Theta^* = \sum_r s_r a_r b_r^\top`, the modes decouple:
  :math:`\dot\sigma_r = N\sigma_r^{2-2/N}(s_r - \sigma_r)`; for N = 2 this is the logistic
  curve :math:`\sigma(t) = s/(1 + (s/\sigma_0 - 1)e^{-2st})` (Saxe et al. 2014, eq. 7, in
  our time unit: their τ absorbs the factor 2 of N).
"""

import diffrax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float


def psd_power(M: Float[Array, "k k"], p: float) -> Float[Array, "k k"]:
    r""":math:`M^p` for symmetric PSD M (p ≥ 0; eigenvalues at rounding level set to 0; :math:`M^0 = I`)."""
    if p == 0:
        return jnp.eye(M.shape[0])
    vals, vecs = jnp.linalg.eigh(M)
    # Eigenvalues below k·ε·λ_max are zero up to rounding; left in, λ^p would turn ε into ε^p
    # (1e-4 at p = 1/4).
    floor = M.shape[0] * jnp.finfo(M.dtype).eps * jnp.max(jnp.abs(vals))
    return (vecs * jnp.where(vals > floor, vals, 0.0) ** p) @ vecs.T


def end_to_end_velocity(theta: Float[Array, "n m"], grad: Float[Array, "n m"], depth: int) -> Float[Array, "n m"]:
    r"""The balanced end-to-end ODE's right-hand side
    :math:`-\sum_{j=1}^N (\Theta\Theta^\top)^{(j-1)/N}\nabla(\Theta^\top\Theta)^{(N-j)/N}`."""
    left, right = theta @ theta.T, theta.T @ theta
    return -sum(psd_power(left, (j - 1) / depth) @ grad @ psd_power(right, (depth - j) / depth)
                for j in range(1, depth + 1))


def singular_value_velocity(theta: Float[Array, "n m"], grad: Float[Array, "n m"], depth: int) -> Float[Array, " k"]:
    r""":math:`\dot\sigma_r = -N\sigma_r^{2-2/N} u_r^\top\nabla v_r` for each singular triple of Θ
    (descending; valid where the singular values are distinct)."""
    U, s, Vt = jnp.linalg.svd(theta, full_matrices=False)
    return -depth * s ** (2 - 2 / depth) * jnp.einsum("ir,ij,rj->r", U, grad, Vt)


def logistic_mode(t: Float[Array, "..."], s: Float[Array, "..."], sigma0: Float[Array, "..."]) -> Float[Array, "..."]:
    r"""The N = 2 mode curve :math:`\sigma(t) = s / (1 + (s/\sigma_0 - 1)e^{-2st})`."""
    return s / (1 + (s / sigma0 - 1) * jnp.exp(-2 * s * t))


def mode_curve(times: Float[Array, " T"], s: Float[Array, " k"], sigma0: Float[Array, " k"], depth: int,
               rtol: float = 1e-12, atol: float = 1e-14) -> Float[Array, "T k"]:
    r"""Solution of :math:`\dot\sigma = N\sigma^{2-2/N}(s - \sigma)`, :math:`\sigma(0) = \sigma_0`,
    per mode, at ``times`` (nondecreasing from 0): closed form for N = 2, otherwise Tsit5 at
    tolerances ``rtol``, ``atol`` (this scalar ODE has no elementary explicit solution for N ≥ 3)."""
    times, s, sigma0 = (jnp.asarray(a, dtype=jnp.float64) for a in (times, s, sigma0))
    if depth == 2:
        return logistic_mode(times[:, None], s[None], sigma0[None])
    sol = diffrax.diffeqsolve(_MODE_FIELD, diffrax.Tsit5(), t0=0.0, t1=times[-1], dt0=None, y0=sigma0,
                              args=(s, jnp.asarray(depth, dtype=jnp.float64)), saveat=diffrax.SaveAt(ts=times),
                              stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol), max_steps=1_000_000)
    return sol.ys


def _mode_field(t, sigma, args):
    s, depth = args
    return depth * jnp.abs(sigma) ** (2 - 2 / depth) * (s - sigma)


# One module-level term, so repeated solves hit diffrax's compilation cache.
_MODE_FIELD = diffrax.ODETerm(_mode_field)


def transition_times(times, curve, s, levels=(0.1, 0.5, 0.9)):
    """First times a curve (T × k) reaches each fraction ``levels`` of its target ``s`` (k),
    by linear interpolation between samples; NaN where never reached. Returns levels × k."""
    times, curve, s = np.asarray(times), np.asarray(curve), np.asarray(s)
    out = np.full((len(levels), curve.shape[1]), np.nan)
    for r in range(curve.shape[1]):
        frac = curve[:, r] / s[r]
        for i, level in enumerate(levels):
            above = np.nonzero(frac >= level)[0]
            if above.size and above[0] > 0:
                a, b = above[0] - 1, above[0]
                out[i, r] = times[a] + (level - frac[a]) * (times[b] - times[a]) / (frac[b] - frac[a])
    return out


__all__ = ["end_to_end_velocity", "logistic_mode", "mode_curve", "psd_power", "singular_value_velocity",
           "transition_times"]
