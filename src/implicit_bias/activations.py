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
- ``relu`` (:math:`\max(z, 0)`) and ``linear`` (:math:`z`): the same committee ODE
  (:mod:`implicit_bias.theory.committee`) with their integrals from :data:`COMMITTEE_ACTIVATIONS`.

The committee ODE needs, for :math:`u\sim N(0, C)`, the integrals

.. math::
    I_2(c,d) = \mathbb E\,g(u_c)g(u_d),\quad J_2(a,b) = \mathbb E\,g'(u_a)g'(u_b),\quad
    I_3(a,b,c) = \mathbb E\,g'(u_a)u_bg(u_c),\quad I_4(a,b,c,d) = \mathbb E\,g'(u_a)g'(u_b)g(u_c)g(u_d)

(:math:`J_2` only with label noise). An :class:`Activation` provides them; :class:`GaussHermite`
computes them for any g by quadrature, so a new activation is one class (closed forms where
known, the quadrature otherwise).
"""

import abc
from collections.abc import Callable

import jax.numpy as jnp
import numpy as np
from jax.scipy.special import erf
from jaxtyping import Array, Float

ACTIVATIONS = {"quadratic": lambda z: z**2, "erf": lambda z: erf(z / jnp.sqrt(2.0)),
               "relu": lambda z: jnp.maximum(z, 0.0), "linear": lambda z: z}


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


def erf_j2(C: Float[Array, "K K"]) -> Float[Array, "K K"]:
    r""":math:`J_2(a, b) = \frac{2}{\pi\sqrt{(1+C_{aa})(1+C_{bb}) - C_{ab}^2}}` (Goldt et al. 2019)."""
    d = 1.0 + jnp.diag(C)
    return 2 / jnp.pi / jnp.sqrt(d[:, None] * d[None, :] - C**2)


# --- the committee ODE's integrals per activation --------------------------------------------

class Activation(abc.ABC):
    r"""The unit function g of a committee network and the Gaussian integrals :math:`I_2, J_2,
    I_3, I_4` (module docstring) over :math:`u\sim N(0, C)`; ``first`` is the number of student
    units (the leading indices), over which :math:`I_3`'s and :math:`I_4`'s g' indices run."""

    @abc.abstractmethod
    def g(self, z: Array) -> Array: ...

    @abc.abstractmethod
    def i2(self, C: Float[Array, "K K"]) -> Float[Array, "K K"]: ...

    @abc.abstractmethod
    def j2(self, C: Float[Array, "K K"]) -> Float[Array, "K K"]: ...

    @abc.abstractmethod
    def i3(self, C: Float[Array, "K K"], first: int) -> Float[Array, "f K K"]: ...

    @abc.abstractmethod
    def i4(self, C: Float[Array, "K K"], first: int) -> Float[Array, "f f K K"]: ...


def _index_tuples(*sizes: int) -> np.ndarray:
    """All index tuples of a grid of ``sizes``: shape (*sizes, len(sizes))."""
    return np.stack(np.meshgrid(*[np.arange(s) for s in sizes], indexing="ij"), axis=-1)


class GaussHermite(Activation):
    r"""Any g by tensor-product Gauss–Hermite quadrature with ``nodes`` points per dimension.

    Each integral is over the k ≤ 4 components u_S it involves: :math:`u_S = L z`,
    :math:`LL^\top = C_{SS}` (symmetric root, so singular :math:`C_{SS}` — repeated indices —
    are fine), z on the probabilists' Hermite nodes. Exact for polynomial integrands of degree
    ≤ 2·``nodes`` − 1 in each z; for smooth g the error falls geometrically in ``nodes``, for a kink
    (ReLU) only algebraically (accuracies measured in tests/test_committee_activations.py).
    """

    def __init__(self, g: Callable[[Array], Array], dg: Callable[[Array], Array], nodes: int = 8):
        self._g, self._dg, self.nodes = g, dg, nodes

    def g(self, z):
        return self._g(z)

    def _expect(self, C, index, f):
        x, w = np.polynomial.hermite_e.hermegauss(self.nodes)
        k = index.shape[-1]
        z = _index_tuples(*[self.nodes] * k).reshape(-1, k)
        z, weight = x[z], np.prod(w[z], axis=-1) / (2 * np.pi) ** (k / 2)
        S = C[index[..., :, None], index[..., None, :]]
        lam, V = jnp.linalg.eigh(S)
        L = V * jnp.sqrt(jnp.maximum(lam, 0.0))[..., None, :]
        u = jnp.einsum("...ij,nj->...ni", L, z)
        return f(u) @ weight

    def i2(self, C):
        K = C.shape[0]
        return self._expect(C, _index_tuples(K, K), lambda u: self._g(u[..., 0]) * self._g(u[..., 1]))

    def j2(self, C):
        K = C.shape[0]
        return self._expect(C, _index_tuples(K, K), lambda u: self._dg(u[..., 0]) * self._dg(u[..., 1]))

    def i3(self, C, first):
        K = C.shape[0]
        return self._expect(C, _index_tuples(first, K, K),
                            lambda u: self._dg(u[..., 0]) * u[..., 1] * self._g(u[..., 2]))

    def i4(self, C, first):
        K = C.shape[0]
        return self._expect(C, _index_tuples(first, first, K, K),
                            lambda u: self._dg(u[..., 0]) * self._dg(u[..., 1]) * self._g(u[..., 2]) * self._g(u[..., 3]))


class Erf(Activation):
    r""":math:`g(z) = \operatorname{erf}(z/\sqrt2)`: Saad & Solla's closed forms (:mod:`..theory.erf_committee`)."""

    def g(self, z):
        return ACTIVATIONS["erf"](z)

    def i2(self, C):
        return erf_i2(C)

    def j2(self, C):
        return erf_j2(C)

    def i3(self, C, first):
        return erf_i3(C, first)

    def i4(self, C, first):
        return erf_i4(C, first)


class Linear(Activation):
    r""":math:`g(z) = z`: :math:`I_2 = C`, :math:`J_2 = 1`, :math:`I_3(a,b,c) = C_{bc}`,
    :math:`I_4(a,b,c,d) = C_{cd}`."""

    def g(self, z):
        return z

    def i2(self, C):
        return C

    def j2(self, C):
        return jnp.ones_like(C)

    def i3(self, C, first):
        return jnp.broadcast_to(C, (first, *C.shape))

    def i4(self, C, first):
        return jnp.broadcast_to(C, (first, first, *C.shape))


class ReLU(Activation):
    r""":math:`g(z) = \max(z, 0)`. With :math:`\rho_{cd} = C_{cd}/\sqrt{C_{cc}C_{dd}}`, the
    arc-cosine kernel of degree 1 (Cho & Saul 2009) and its degree-0 sibling,

    .. math::
        I_2(c,d) = \frac{\sqrt{C_{cc}C_{dd}}}{2\pi}\Big(\sqrt{1-\rho_{cd}^2}
                   + \rho_{cd}(\pi - \arccos\rho_{cd})\Big),\qquad
        J_2(a,b) = \frac{\pi - \arccos\rho_{ab}}{2\pi},

    and, by Stein's lemma :math:`\mathbb E\,u_bh(u) = \sum_e C_{be}\mathbb E\,\partial_eh(u)` on
    :math:`h = \mathbf 1(u_a > 0)\max(u_c, 0)` (derived here),

    .. math::
        I_3(a,b,c) = C_{ab}\frac{\sqrt{C_{aa}C_{cc} - C_{ac}^2}}{2\pi C_{aa}} + C_{bc}J_2(a,c),

    the first term :math:`C_{ab}\,p_{u_a}(0)\,\mathbb E[\max(u_c,0)\mid u_a = 0]`. :math:`I_4` (an
    orthant moment of four correlated Gaussians, no elementary closed form) by
    :class:`GaussHermite` with ``nodes`` points per dimension (its accuracy is measured in
    tests/test_committee_activations.py). Needs :math:`C_{cc} > 0` for every unit.
    """

    def __init__(self, nodes: int = 12):
        self._quadrature = GaussHermite(self.g, lambda z: (z > 0).astype(z.dtype), nodes)

    def g(self, z):
        return jnp.maximum(z, 0.0)

    @staticmethod
    def _rho(C):
        d = jnp.sqrt(jnp.diag(C))
        return jnp.clip(C / (d[:, None] * d[None, :]), -1.0, 1.0), d

    def i2(self, C):
        rho, d = self._rho(C)
        return d[:, None] * d[None, :] / (2 * jnp.pi) * (jnp.sqrt(1 - rho**2) + rho * (jnp.pi - jnp.arccos(rho)))

    def j2(self, C):
        rho, _ = self._rho(C)
        return (jnp.pi - jnp.arccos(rho)) / (2 * jnp.pi)

    def i3(self, C, first):
        Ca, da = C[:first], jnp.diag(C)[:first]
        cond = jnp.sqrt(jnp.maximum(da[:, None] * jnp.diag(C)[None, :] - Ca**2, 0.0)) / (2 * jnp.pi * da[:, None])
        return Ca[:, :, None] * cond[:, None, :] + C[None, :, :] * self.j2(C)[:first, None, :]

    def i4(self, C, first):
        return self._quadrature.i4(C, first)


#: The committee ODE's integrals per activation (quadratic has its own closed-form ODE).
COMMITTEE_ACTIVATIONS: dict[str, Activation] = {"erf": Erf(), "relu": ReLU(), "linear": Linear()}


def committee_population_loss(activation: str) -> Callable:
    r""":math:`L = \tfrac12\,s^\top I_2 s` (Q, R, T, a, b) for a committee activation."""
    act = COMMITTEE_ACTIVATIONS[activation]

    def loss(Q, R, T, a, b):
        C, s = erf_joint(Q, R, T, a, b)
        return 0.5 * s @ act.i2(C) @ s
    return loss


POPULATION_LOSSES = {"quadratic": quadratic_population_loss, "erf": erf_population_loss,
                     "relu": committee_population_loss("relu"), "linear": committee_population_loss("linear")}
