r"""Observables of classification runs: losses in log space, margins, max-margin directions.

Directions compare the model's end-to-end predictor (flattened) with the hard-margin SVM
:math:`\hat w` of the folded data :math:`z_n = y_nx_n`, computed once per run on the host
(``jax.pure_callback`` into :mod:`implicit_bias.theory.max_margin`); data that are not
separable are refused at build time with the LP's margin in the message.
"""

import jax
import jax.numpy as jnp
import numpy as np

from ..errors import SpecError
from ..models import AbstractLinearModel, DeepLinear, Linear, TwoLayerLinear
from ..problems import Classification
from ..problems.classification import inverse_loss
from ..theory import max_margin as mm
from ._base import Observable, register

#: Models whose predictor is a linear map x ↦ Θᵀx, so that its direction can be compared with
#: the SVM's.
LINEAR_PREDICTOR_MODELS = (AbstractLinearModel,)


def _squared_norm(params) -> jax.Array:
    return sum(jnp.sum(a**2) for a in jax.tree.leaves(params))


def _angle(a: jax.Array, b: jax.Array) -> jax.Array:
    """Angle between vectors, as 2·atan2(‖u−v‖, ‖u+v‖): full precision at tiny angles."""
    u, v = a / jnp.linalg.norm(a), b / jnp.linalg.norm(b)
    return 2 * jnp.arctan2(jnp.linalg.norm(u - v), jnp.linalg.norm(u + v))


def _host(fn, shape):
    """``fn(Z)`` (NumPy, on the host) as a JAX value, once per run."""
    def compute(ctx):
        Z = ctx.problem.folded()
        return jax.pure_callback(lambda z: np.asarray(fn(np.asarray(z)), np.float64),
                                 jax.ShapeDtypeStruct(shape(Z), jnp.float64), Z, vmap_method="sequential")
    return compute


_svm_direction = _host(lambda Z: mm.hard_margin_svm(Z).w, lambda Z: (Z.shape[1],))
_svm_correction = _host(lambda Z: mm.finite_time_correction(Z, mm.hard_margin_svm(Z)), lambda Z: (Z.shape[1],))
_l1_direction = _host(mm.l1_max_margin, lambda Z: (Z.shape[1],))
_off_support = _host(mm.off_support_projector, lambda Z: (Z.shape[1], Z.shape[1]))


def _separable(model, problem) -> None:
    mm.require_separable(np.asarray(problem.folded()))


def _w_tilde_defined(model, problem) -> None:
    Z = np.asarray(problem.folded())
    try:
        mm.finite_time_correction(Z, mm.hard_margin_svm(Z))
    except ValueError as e:
        raise SpecError("problem.data", str(e), "use other data (another data_seed) or drop this observable") from None


def _homogeneous(model, problem) -> None:
    if model.homogeneity() is None:
        raise SpecError("observe.quantities", f"the model '{type(model).__name__}' is not positively homogeneous, "
                        "so its normalized and smoothed margins are not defined", "remove them")


def _normalized(ctx, p, value):
    return value / jnp.sqrt(_squared_norm(p)) ** ctx.model.homogeneity()


register(Observable(
    "log_loss", "log L, computed without forming L (finite where L underflows)",
    lambda ctx, p, t: ctx.objective.log_loss(p)))
register(Observable(
    "t_times_loss", "t·L(t); → ‖ŵ‖² for a linear model on separable data (Soudry et al.)",
    lambda ctx, p, t: jnp.exp(jnp.log(t) + ctx.objective.log_loss(p)), problems=(Classification,)))
register(Observable(
    "normalized_margin", "min_n y_n f(x_n) / ‖θ‖^k for a k-homogeneous model",
    lambda ctx, p, t: _normalized(ctx, p, jnp.min(ctx.problem.margins(ctx.model, p))),
    problems=(Classification,), validate=_homogeneous))
register(Observable(
    "smoothed_margin", "ℓ⁻¹(L)/‖θ‖^k (Lyu & Li): nondecreasing along GF once L < ℓ(0)",
    lambda ctx, p, t: _normalized(ctx, p, inverse_loss(ctx.problem.loss_name, ctx.objective.log_loss(p))),
    problems=(Classification,), validate=_homogeneous))
register(Observable(
    "angle_to_max_margin", "angle (rad) between the end-to-end predictor and the hard-margin SVM ŵ",
    lambda ctx, p, t: _angle(ctx.model.end_to_end(p).ravel(), ctx.once(_svm_direction)),
    models=LINEAR_PREDICTOR_MODELS, problems=(Classification,), validate=_separable))
register(Observable(
    "angle_to_l1_max_margin", "angle (rad) between the end-to-end predictor and the ℓ1 max-margin direction",
    lambda ctx, p, t: _angle(ctx.model.end_to_end(p).ravel(), ctx.once(_l1_direction)),
    models=LINEAR_PREDICTOR_MODELS, problems=(Classification,), validate=_separable))
def _fraction(projector: jax.Array, w: jax.Array) -> jax.Array:
    return jnp.linalg.norm(projector @ w) / jnp.linalg.norm(w)


register(Observable(
    "off_support_fraction", "‖(I − P_S)w‖/‖w‖, P_S the projector on the support vectors' span: the part of "
    "the predictor's direction no support vector pulls back (→ 0 like ‖w‖^(−1/N) for depth N, derived)",
    lambda ctx, p, t: _fraction(ctx.once(_off_support), ctx.model.end_to_end(p).ravel()),
    models=LINEAR_PREDICTOR_MODELS, problems=(Classification,), validate=_separable))
register(Observable(
    "predicted_angle_to_max_margin", "angle of ŵ log t + w̃ to ŵ: Soudry et al.'s finite-t prediction",
    lambda ctx, p, t: _angle(ctx.once(_svm_direction) * jnp.log(t) + ctx.once(_svm_correction),
                             ctx.once(_svm_direction)),
    models=(Linear,), problems=(Classification,), overlay_on="angle_to_max_margin", validate=_w_tilde_defined))
register(Observable(
    "distance_to_max_margin_path", "‖w(t) − (ŵ log t + w̃)‖: → 0 for a linear model (Soudry et al.)",
    lambda ctx, p, t: jnp.linalg.norm(ctx.model.end_to_end(p).ravel() - ctx.once(_svm_direction) * jnp.log(t)
                                      - ctx.once(_svm_correction)),
    models=(Linear,), problems=(Classification,), validate=_w_tilde_defined))


def _layer_alignment(ctx, params, t) -> jax.Array:
    r""":math:`\lVert W_N\cdots W_1\rVert_F / \prod_j \lVert W_j\rVert_F \le 1` (submultiplicativity),
    with equality iff every layer is rank one and each layer's right singular vector is the next
    one's left: Ji & Telgarsky's alignment. The layers are the parameter leaves (U, V for Θ = UVᵀ)."""
    norms = jnp.array([jnp.linalg.norm(w) for w in jax.tree.leaves(params)])
    return jnp.linalg.norm(ctx.model.end_to_end(params)) / jnp.prod(norms)


register(Observable(
    "layer_alignment", "‖W_N⋯W₁‖_F/∏‖W_j‖_F: 1 iff the layers are rank one and aligned (Ji & Telgarsky)",
    _layer_alignment, models=(TwoLayerLinear, DeepLinear)))


# --- margins of the end-to-end predictor (init scale vs accuracy, Moroshko et al. 2020)

def _predictor_margin(ctx, p):
    """min_n y_n x_nᵀΘ for the end-to-end predictor Θ (one output)."""
    return jnp.min(ctx.problem.folded() @ ctx.model.end_to_end(p).ravel())


register(Observable(
    "min_margin", "γ = min_n y_n f(x_n), unnormalized (μ = α²/γ sets a diagonal net's implicit bias)",
    lambda ctx, p, t: _predictor_margin(ctx, p), models=LINEAR_PREDICTOR_MODELS, problems=(Classification,)))
register(Observable(
    "l1_normalized_margin", "min_n y_n x_nᵀΘ/‖Θ‖₁ of the end-to-end predictor: → the ℓ1 max margin in the rich regime",
    lambda ctx, p, t: _predictor_margin(ctx, p) / jnp.sum(jnp.abs(ctx.model.end_to_end(p))),
    models=LINEAR_PREDICTOR_MODELS, problems=(Classification,)))
register(Observable(
    "l2_normalized_margin", "min_n y_n x_nᵀΘ/‖Θ‖₂ of the end-to-end predictor: → the SVM margin in the kernel regime",
    lambda ctx, p, t: _predictor_margin(ctx, p) / jnp.linalg.norm(ctx.model.end_to_end(p)),
    models=LINEAR_PREDICTOR_MODELS, problems=(Classification,)))
register(Observable(
    "linf_normalized_margin", "min_n y_n x_nᵀΘ/‖Θ‖∞ of the end-to-end predictor: → the ℓ∞ max margin under sign "
    "descent and Adam",
    lambda ctx, p, t: _predictor_margin(ctx, p) / jnp.max(jnp.abs(ctx.model.end_to_end(p))),
    models=LINEAR_PREDICTOR_MODELS, problems=(Classification,)))
