r"""Neural tangent kernel theory of the wide two-layer ReLU network :class:`TwoLayerReLU`.

Satpathi & Srikant (L4DC 2021, arXiv:2105.06569), Du et al. (arXiv:1810.02054), Arora et al.
(arXiv:1901.08584); notation of ``shared/papers/ntk-relu.md``. With
:math:`f(x) = \sum_k (a_k/\sqrt m)\mathrm{ReLU}(w_k^\top\tilde x)` and the loss
:math:`\tfrac12\lVert Y - f(X)\rVert^2`, gradient flow on the first layer is
:math:`\dot w = -\nabla f\,(f - Y)` and the residual obeys :math:`\dot r = -H(t)\,r`, with the
Gram (tangent kernel) matrix

.. math:: H(W)_{ij} = \frac1m\sum_k a_k^2\,\tilde x_i^\top\tilde x_j\,
          1\{w_k^\top\tilde x_i \ge 0\}\,1\{w_k^\top\tilde x_j \ge 0\}
          = \frac1m\big(\tilde X\tilde X^\top\big)\odot\big(S\,\mathrm{diag}(a^2)S^\top\big),

S the n×m activation pattern. Nothing here forms the per-sample Jacobian
:math:`\nabla f` (m·d̃ × n): products with it and its transpose use the pattern,
:math:`(\nabla f\,c)_k = (a_k/\sqrt m)\sum_i S_{ik}c_i\tilde x_i` and
:math:`(\nabla f^\top V)_i = \sum_k (a_k/\sqrt m)S_{ik}v_k^\top\tilde x_i`, each O(n·m·d̃).

Every function is pure JAX and runs inside a compiled ensemble.
"""

from typing import NamedTuple

import jax.numpy as jnp
import jax.scipy.linalg as jsl
from jaxtyping import Array, Float

from ..models import TwoLayerReLU

Params = dict[str, Float[Array, "..."]]


# --- kernels ---------------------------------------------------------------------------------

def gram_infinite(A: Float[Array, "n d"], B: Float[Array, "p d"] | None = None) -> Float[Array, "n p"]:
    r"""The infinite-width Gram matrix :math:`H^\infty_{ij} = \mathbb E_{w\sim N(0,I)}
    [u_i^\top v_j 1\{w^\top u_i\ge0\}1\{w^\top v_j\ge0\}] = u_i^\top v_j\,(\pi - \theta_{ij})/(2\pi)`
    between the rows :math:`u_i` of A and :math:`v_j` of B (default A), θ their angle.

    Give the inputs as the first layer sees them (``model.augment(X)``). Both normalizations of
    the notes are this formula: with the bias as an input and :math:`\lVert x\rVert^2 = d`,
    :math:`\lVert\tilde x\rVert^2 = d+1` and :math:`\cos\theta = \tilde x_i^\top\tilde x_j/(d+1)`
    (Satpathi–Srikant); unit inputs without bias give Du/Arora's
    :math:`x_i^\top x_j(\pi - \arccos x_i^\top x_j)/(2\pi)`. It does not depend on the init
    scale κ (the indicator is scale-free).
    """
    same = B is None
    B = A if same else B
    inner = A @ B.T
    norms = jnp.linalg.norm(A, axis=1)[:, None] * jnp.linalg.norm(B, axis=1)[None, :]
    # Rounding can push |cos| a hair past 1 for (anti)parallel rows; arccos would give NaN.
    theta = jnp.arccos(jnp.clip(inner / norms, -1.0, 1.0))
    if same:
        # arccos is ill-conditioned at 1: cos rounded to 1 − ε gives θ ≈ √(2ε) ≈ 1e-8, not 0.
        theta = theta * (1.0 - jnp.eye(theta.shape[0], dtype=theta.dtype))
    return inner * (jnp.pi - theta) / (2 * jnp.pi)


def activation_pattern(model: TwoLayerReLU, W: Float[Array, "m dt"], X: Float[Array, "n d"]) -> Float[Array, "n m"]:
    r""":math:`S_{ik} = 1\{w_k^\top\tilde x_i \ge 0\}` (as floats, for products)."""
    return (model.augment(X) @ W.T >= 0).astype(X.dtype)


def gram(model: TwoLayerReLU, params: Params, X: Float[Array, "n d"]) -> Float[Array, "n n"]:
    r"""The finite-width tangent kernel :math:`H(W) = \nabla f^\top\nabla f` at any weights, in
    O(n²·m) without per-sample Jacobians (module docstring). With a trained output layer it adds
    that layer's part :math:`\frac1m\mathrm{ReLU}(\tilde XW^\top)\mathrm{ReLU}(\tilde XW^\top)^\top`.
    At the init, :math:`H(0)\to H^\infty` like :math:`m^{-1/2}` (a mean of m i.i.d. terms)."""
    Xa = model.augment(X)
    c = model.outer(params)
    S = activation_pattern(model, params["W"], X)
    H = (Xa @ Xa.T) * ((S * c**2) @ S.T)
    if model.train_outer:
        hidden = jnp.maximum(Xa @ params["W"].T, 0.0)
        H = H + hidden @ hidden.T / model.width
    return H


def lambda_min(H: Float[Array, "n n"]) -> Float[Array, ""]:
    r""":math:`\lambda_0 = \lambda_{\min}(H)`; Du et al. need :math:`\lambda_0 > 0` (true when
    no two inputs are parallel)."""
    return jnp.linalg.eigvalsh(H)[0]


def kernel_norm(H: Float[Array, "n n"], Y: Float[Array, "n 1"]) -> Float[Array, ""]:
    r""":math:`\sqrt{Y^\top H^{-1}Y}`: the first layer's total movement :math:`\lVert W(\infty) -
    W(0)\rVert_F` in the kernel limit from f(0) = 0 (Arora et al., Thm. 4.1 and Sec. 4)."""
    return jnp.sqrt(jnp.sum(Y * jsl.cho_solve(jsl.cho_factor(H), Y)))


def generalization_bound(H: Float[Array, "n n"], Y: Float[Array, "n 1"], delta: float = 0.05) -> Float[Array, ""]:
    r"""Arora et al.'s bound (Thm. 5.1) on the population loss of a 1-Lipschitz loss with values
    in [0, 1] (here :math:`\ell(f, y) = \min(|f - y|, 1)`, which is ≥ the 0–1 error for ±1
    labels) of the trained, interpolating network:
    :math:`\sqrt{2Y^\top H^{-1}Y/n} + 3\sqrt{\log(2/\delta)/(2n)}`.

    The theorem writes the second term as :math:`O(\sqrt{\log(n/(\lambda_0\delta))/n})`; we use
    the standard uniform-convergence term of its proof (Rademacher bound,
    :math:`2\mathcal R + 3\sqrt{\log(2/\delta)/(2n)}`) and drop the terms that vanish as
    :math:`m\to\infty` and κ → 0. With probability ≥ 1 − δ over the sample."""
    n = Y.shape[0]
    return jnp.sqrt(2.0 / n) * kernel_norm(H, Y) + 3.0 * jnp.sqrt(jnp.log(2.0 / delta) / (2.0 * n))


def kernel_regression(H: Float[Array, "n n"], Y: Float[Array, "n 1"],
                      H_cross: Float[Array, "p n"]) -> Float[Array, "p 1"]:
    r""":math:`f_{KR}(x) = h(x)^\top H^{-1}Y` at p points, ``H_cross[j, i]`` = :math:`h(x_j)_i =
    H^\infty(x_j, x_i)` (:func:`gram_infinite` of the new points against the training inputs).
    It is what the trained network predicts in the limit of infinite width and small init."""
    return H_cross @ jsl.cho_solve(jsl.cho_factor(H), Y)


def kernel_residual(H: Float[Array, "n n"], r0: Float[Array, "n 1"], t: Float[Array, ""],
                    lr: Float[Array, ""] | None = None) -> Float[Array, "n 1"]:
    r"""The residual :math:`Y - f` the kernel dynamics predict at time t: gradient flow
    :math:`e^{-Ht}r_0`; with ``lr`` (η), gradient descent :math:`(I - \eta H)^{t/\eta}r_0`
    (Arora et al., Thm. 4.1). Components along H's small-eigenvalue directions decay slowly."""
    lam, Q = jnp.linalg.eigh(H)
    decay = jnp.exp(-lam * t) if lr is None else (1 - lr * lam) ** jnp.round(t / lr).astype(jnp.int64)
    return Q @ (decay[:, None] * (Q.T @ r0))


# --- the linearized network -----------------------------------------------------------------

class Linearization(NamedTuple):
    r"""The network linearized at :math:`W_0`:
    :math:`f_L(x, W) = \sum_k (a_k/\sqrt m)1\{w_k(0)^\top\tilde x\ge0\}\,w_k^\top\tilde x`
    (ReLU is 1-homogeneous, so :math:`f_L(x, W_0) = f(x, W_0)`), on the training inputs.
    ``cholesky`` factors :math:`H_0 = \nabla f_0^\top\nabla f_0 = H(W_0)`."""

    W0: Float[Array, "m dt"]
    Xa: Float[Array, "n dt"]
    pattern: Float[Array, "n m"]
    outer: Float[Array, " m"]
    cholesky: tuple[Float[Array, "n n"], bool]

    def jvp(self, V: Float[Array, "m dt"]) -> Float[Array, " n"]:
        r""":math:`\nabla f_0^\top V`: the change of :math:`f_L(X)` along V."""
        return jnp.sum(self.pattern * (self.Xa @ V.T) * self.outer, axis=1)

    def vjp(self, c: Float[Array, " n"]) -> Float[Array, "m dt"]:
        r""":math:`\nabla f_0\,c` as an m×d̃ matrix."""
        return self.outer[:, None] * (self.pattern.T @ (c[:, None] * self.Xa))

    def project(self, V: Float[Array, "m dt"]) -> Float[Array, "m dt"]:
        r""":math:`P_0V = \nabla f_0 H_0^{-1}\nabla f_0^\top V`, the projection on
        range(∇f₀)."""
        return self.vjp(jsl.cho_solve(self.cholesky, self.jvp(V)))


def linearize(model: TwoLayerReLU, params0: Params, X: Float[Array, "n d"]) -> Linearization:
    """The linearization at ``params0`` (first layer only: the papers fix the output layer)."""
    if model.train_outer:
        raise ValueError("the linearized min-norm solution is for a fixed output layer (train_outer=False)")
    W0 = params0["W"]
    S = activation_pattern(model, W0, X)
    return Linearization(W0, model.augment(X), S, model.outer(params0),
                         jsl.cho_factor(gram(model, params0, X)))


def linearized_min_norm(lin: Linearization, Y: Float[Array, "n 1"]) -> Float[Array, "m dt"]:
    r""":math:`W_L^* = \arg\min\lVert W - W_0\rVert` s.t. :math:`f_L(x_i, W) = y_i`
    :math:`= P_0^\perp W_0 + \nabla f_0 H_0^{-1}Y = W_0 + \nabla f_0 H_0^{-1}(Y - f(X, W_0))`."""
    residual0 = Y[:, 0] - lin.jvp(lin.W0)
    return lin.W0 + lin.vjp(jsl.cho_solve(lin.cholesky, residual0))


def lyapunov(lin: Linearization, W: Float[Array, "m dt"], W_star: Float[Array, "m dt"]) -> tuple[Float[Array, ""], Float[Array, ""]]:
    r"""Satpathi & Srikant's :math:`V_\perp = \lVert P_0^\perp(W - W_L^*)\rVert^2` and
    :math:`V_\parallel = \lVert P_0(W - W_L^*)\rVert^2`."""
    diff = W - W_star
    parallel = lin.project(diff)
    return jnp.sum((diff - parallel) ** 2), jnp.sum(parallel**2)


__all__ = ["Linearization", "activation_pattern", "generalization_bound", "gram", "gram_infinite",
           "kernel_norm", "kernel_regression", "kernel_residual", "lambda_min", "linearize",
           "linearized_min_norm", "lyapunov"]
