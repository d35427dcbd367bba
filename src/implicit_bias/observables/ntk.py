r"""Observables of the wide two-layer ReLU network against its kernel theory
(:mod:`implicit_bias.theory.ntk`), and test-set observables for any model on held-out data.

The kernel predictions follow the run's dynamics: :math:`e^{-H^\infty t}r_0` under gradient
flow, :math:`(I-\eta H^\infty)^k r_0` at step k = t/η of GD (for SGD, that of GD in
expectation; the gap then includes the SGD noise). W below is the first layer; the
output layer is fixed in the papers' setting, and the quantities that need it say so.
"""

import jax.numpy as jnp

from ..errors import SpecError
from ..models import TwoLayerReLU
from ..problems import Regression
from ..theory import ntk
from ._base import Observable, register


def _fixed_outer(model, problem) -> None:
    if model.train_outer:
        raise SpecError("model.train_outer", "the linearized min-norm solution W_L* is defined for a fixed output "
                        "layer", "set model.train_outer = false or drop the *_linearized_min_norm observables")


def _test_set(model, problem) -> None:
    if not problem.has_test_set:
        raise SpecError("problem.n_test", "test-set observables need held-out samples",
                        "set problem.n_test > 0 or drop the test_* observables")


def _h_inf(ctx):
    return ntk.gram_infinite(ctx.model.augment(ctx.problem.X))


def _lambda0(ctx):
    return ntk.lambda_min(ctx.once(_h_inf))


def _residual0(ctx):
    return ctx.problem.Y - ctx.model.predict(ctx.params0, ctx.problem.X)


def _linearization(ctx):
    return ntk.linearize(ctx.model, ctx.params0, ctx.problem.X)


def _w_star(ctx):
    return ntk.linearized_min_norm(ctx.once(_linearization), ctx.problem.Y)


def _residual(ctx, p):
    return ctx.problem.Y - ctx.model.predict(p, ctx.problem.X)


def _kernel_residual(ctx, t):
    step = ctx.dynamics.step_size if ctx.dynamics is not None else None
    return ntk.kernel_residual(ctx.once(_h_inf), ctx.once(_residual0), t, step)


def _relu(name, description, compute, *, overlay_on=None, validate=None):
    register(Observable(name, description, compute, models=(TwoLayerReLU,), problems=(Regression,),
                        overlay_on=overlay_on, validate=validate))


register(Observable("residual_norm", "‖Y − f(X)‖ on the training set",
                    lambda ctx, p, t: jnp.linalg.norm(_residual(ctx, p)), problems=(Regression,)))
_relu("kernel_residual_norm", "‖exp(−H∞t)(Y − f(0))‖ (GF) or ‖(I − ηH∞)^k(Y − f(0))‖ (GD): kernel dynamics",
      lambda ctx, p, t: jnp.linalg.norm(_kernel_residual(ctx, t)), overlay_on="residual_norm")
_relu("residual_bound", "Du et al.: exp(−λ₀t/2)‖Y − f(0)‖, λ₀ = λ_min(H∞) (GF, large m)",
      lambda ctx, p, t: jnp.exp(-ctx.once(_lambda0) * t / 2) * jnp.linalg.norm(ctx.once(_residual0)),
      overlay_on="residual_norm")
_relu("kernel_residual_gap", "‖(Y − f(t)) − (kernel prediction)‖: residual vs kernel dynamics",
      lambda ctx, p, t: jnp.linalg.norm(_residual(ctx, p) - _kernel_residual(ctx, t)))
_relu("distance_from_init", "‖W − W(0)‖_F (first layer)",
      lambda ctx, p, t: jnp.linalg.norm(p["W"] - ctx.params0["W"]))
_relu("kernel_norm", "√((Y − f(0))ᵀ(H∞)⁻¹(Y − f(0))), the limit of ‖W(∞) − W(0)‖_F",
      lambda ctx, p, t: ntk.kernel_norm(ctx.once(_h_inf), ctx.once(_residual0)), overlay_on="distance_from_init")
_relu("max_neuron_movement", "max_k ‖w_k − w_k(0)‖ (Du et al.: O(m^{-1/2}))",
      lambda ctx, p, t: jnp.max(jnp.linalg.norm(p["W"] - ctx.params0["W"], axis=1)))
_relu("gram_deviation", "‖H(W(t)) − H∞‖₂, finite-width Gram vs infinite width",
      lambda ctx, p, t: jnp.linalg.norm(ntk.gram(ctx.model, p, ctx.problem.X) - ctx.once(_h_inf), ord=2))
_relu("distance_to_linearized_min_norm", "‖W − W_L*‖_F, W_L* the min-norm solution of the linearized net",
      lambda ctx, p, t: jnp.linalg.norm(p["W"] - ctx.once(_w_star)), validate=_fixed_outer)
_relu("perp_distance_to_linearized_min_norm", "‖P₀^⊥(W − W_L*)‖_F = √V_⊥ (Satpathi & Srikant)",
      lambda ctx, p, t: jnp.sqrt(ntk.lyapunov(ctx.once(_linearization), p["W"], ctx.once(_w_star))[0]),
      validate=_fixed_outer)


# --- held-out data (any model) ----------------------------------------------------------------

def _test_residual(ctx, p):
    return ctx.problem.Y_test - ctx.model.predict(p, ctx.problem.X_test)


def _test(name, description, compute, *, overlay_on=None, models=None):
    register(Observable(name, description, compute, problems=(Regression,), overlay_on=overlay_on,
                        validate=_test_set, **({"models": models} if models else {})))


_test("test_mse", "mean squared error on the held-out set",
      lambda ctx, p, t: jnp.mean(_test_residual(ctx, p) ** 2))
_test("test_error", "fraction of held-out samples with sign(f) ≠ sign(y) (±1 labels)",
      lambda ctx, p, t: jnp.mean((jnp.sign(ctx.model.predict(p, ctx.problem.X_test))
                                  != jnp.sign(ctx.problem.Y_test)).astype(ctx.problem.Y_test.dtype)))
_test("test_ramp_loss", "held-out mean of min(|f − y|, 1): the 1-Lipschitz [0, 1] loss of Arora et al.'s bound",
      lambda ctx, p, t: jnp.mean(jnp.minimum(jnp.abs(_test_residual(ctx, p)), 1.0)))
_test("generalization_bound", "Arora et al.: √(2Yᵀ(H∞)⁻¹Y/n) + 3√(log(2/δ)/2n), δ = 0.05",
      lambda ctx, p, t: ntk.generalization_bound(ctx.once(_h_inf), ctx.problem.Y),
      overlay_on="test_ramp_loss", models=(TwoLayerReLU,))
