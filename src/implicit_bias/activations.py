r"""Hidden-unit activations g of committee networks (student and teacher), with the Gaussian
integrals their population losses and overlap ODEs need.

For inputs :math:`x\sim N(0, I_N)` the pre-activations :math:`u = (\lambda, \nu)` of student
and teacher units are jointly Gaussian with covariance
:math:`C = \begin{pmatrix}Q & M\\ M^\top & T\end{pmatrix}` (the overlaps), so every
expectation over x is a function of the overlaps; :data:`POPULATION_LOSSES` gives
:math:`L = \mathbb E\,\tfrac12(\hat y - y)^2` for each activation in closed form.

- ``quadratic``: :math:`g(z) = z^2`; with :math:`\tau_1 = a\operatorname{tr}Q - b\operatorname{tr}T`,
  :math:`\tau_2 = a^2\lVert Q\rVert_F^2 - 2ab\lVert M\rVert_F^2 + b^2\lVert T\rVert_F^2`,
  :math:`L = \tfrac12\tau_1^2 + \tau_2` (``shared/papers/quadratic-teacher-student.md``).
- ``erf``: :math:`g(z) = \operatorname{erf}(z/\sqrt2)`, the soft committee machine; Saad &
  Solla's integrals :math:`I_2, I_3, I_4` (see :mod:`implicit_bias.theory.erf_committee`).
"""

import jax.numpy as jnp
from jax.scipy.special import erf
from jaxtyping import Array, Float

ACTIVATIONS = {"quadratic": lambda z: z**2, "erf": lambda z: erf(z / jnp.sqrt(2.0))}


def quadratic_taus(Q, M, T, a, b):
    tau1 = a * jnp.trace(Q) - b * jnp.trace(T)
    tau2 = a**2 * jnp.sum(Q**2) - 2 * a * b * jnp.sum(M**2) + b**2 * jnp.sum(T**2)
    return tau1, tau2


def quadratic_population_loss(Q: Float[Array, "p p"], M: Float[Array, "p ps"], T: Float[Array, "ps ps"],
                    a: float, b: float) -> Float[Array, ""]:
    r""":math:`L = \tfrac12\tau_1^2 + \tau_2`: :math:`\mathbb E\,\tfrac12(z^\top Az)^2` for
    :math:`z = (\lambda,\nu)\sim N(0, C)`, from :math:`\mathbb E(z^\top Az)^2 = (\operatorname{tr}AC)^2
    + 2\operatorname{tr}(AC)^2`."""
    tau1, tau2 = quadratic_taus(Q, M, T, a, b)
    return 0.5 * tau1**2 + tau2


def erf_joint(Q, R, T, a, b):
    """C (K×K, K = p + p*) and the readout signs s."""
    C = jnp.block([[Q, R], [R.T, T]])
    s = jnp.concatenate([jnp.full(Q.shape[0], a, C.dtype), jnp.full(T.shape[0], -b, C.dtype)])
    return C, s


def erf_i2(C: Float[Array, "K K"]) -> Float[Array, "K K"]:
    """:math:`I_2(c, d)` for all pairs."""
    d = 1.0 + jnp.diag(C)
    return 2 / jnp.pi * jnp.arcsin(C / jnp.sqrt(d[:, None] * d[None, :]))


def erf_i3(C: Float[Array, "K K"], first: int) -> Float[Array, "f K K"]:
    """:math:`I_3(a, b, c)` for a < ``first`` (the student units), all b, c."""
    d = 1.0 + jnp.diag(C)
    Ca = C[:first]                                     # C[a, ·]
    lam3 = d[:first, None] * d[None, :] - Ca**2        # Λ₃(a, c)
    num = C[None, :, :] * d[:first, None, None] - Ca[:, :, None] * Ca[:, None, :]
    return 2 / jnp.pi * num / (d[:first, None, None] * jnp.sqrt(lam3)[:, None, :])


def erf_i4(C: Float[Array, "K K"], first: int) -> Float[Array, "f f K K"]:
    """:math:`I_4(a, b, c, d)` for a, b < ``first``, all c, d."""
    d = 1.0 + jnp.diag(C)
    S = C[:first]                                      # C[a, c] for a student
    da, dc = d[:first], d
    lam4 = da[:, None] * da[None, :] - C[:first, :first] ** 2                       # (a, b)
    A = lam4[:, :, None, None]
    Cab = C[:first, :first][:, :, None, None]
    ac, bc = S[:, None, :, None], S[None, :, :, None]  # C_ac, C_bc over (a, b, c, ·)
    ad, bd = S[:, None, None, :], S[None, :, None, :]  # C_ad, C_bd over (a, b, ·, d)
    Da, Db = da[:, None, None, None], da[None, :, None, None]
    lam0 = A * C[None, None] - bc * bd * Da - ac * ad * Db + Cab * ac * bd + Cab * ad * bc
    lam1 = A * dc[None, None, :, None] - bc**2 * Da - ac**2 * Db + 2 * Cab * ac * bc
    lam2 = A * dc[None, None, None, :] - bd**2 * Da - ad**2 * Db + 2 * Cab * ad * bd
    return 4 / jnp.pi**2 / jnp.sqrt(A) * jnp.arcsin(lam0 / jnp.sqrt(lam1 * lam2))


def erf_population_loss(Q: Float[Array, "p p"], R: Float[Array, "p ps"], T: Float[Array, "ps ps"],
                    a: float, b: float) -> Float[Array, ""]:
    r""":math:`L = \tfrac12\,s^\top I_2 s`."""
    C, s = erf_joint(Q, R, T, a, b)
    return 0.5 * s @ erf_i2(C) @ s


POPULATION_LOSSES = {"quadratic": quadratic_population_loss, "erf": erf_population_loss}
