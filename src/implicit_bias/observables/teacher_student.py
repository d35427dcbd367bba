r"""Online quadratic teacher–student (:mod:`..theory.quadratic_teacher_student`): overlaps, the
conserved polar factor of M, the distance to the zero-loss point closest to the init."""

import jax.numpy as jnp

from ..models import QuadraticNetwork
from ..problems import OnlineTeacherStudent
from ..theory import quadratic_teacher_student as qts
from ._base import Observable, register

def _qts_overlaps(ctx, params):
    return qts.overlaps(params["W"], ctx.problem.teacher)


def _qts_procrustes_r(ctx):
    return qts.polar(_qts_overlaps(ctx, ctx.params0)[1])


def _qts_procrustes_distance(ctx, params, t):
    Q, M, T = _qts_overlaps(ctx, params)
    return qts.procrustes_distance(Q, M, T, ctx.once(_qts_procrustes_r), ctx.model.output_scale,
                                   ctx.problem.teacher_scale)


_QTS = dict(models=(QuadraticNetwork,), problems=(OnlineTeacherStudent,))
register(Observable("overlap_m_norm", "‖M‖_F, M = WW*ᵀ/N (student–teacher overlaps)",
                    lambda ctx, p, t: jnp.linalg.norm(_qts_overlaps(ctx, p)[1]), **_QTS))
register(Observable("overlap_q_trace", "tr Q, Q = WWᵀ/N",
                    lambda ctx, p, t: jnp.trace(_qts_overlaps(ctx, p)[0]), **_QTS))
register(Observable("polar_m_drift", "‖polar M(t) − polar M(0)‖_F (conserved for isotropic init, T = I)",
                    lambda ctx, p, t: jnp.linalg.norm(qts.polar(_qts_overlaps(ctx, p)[1]) - ctx.once(_qts_procrustes_r)),
                    **_QTS))
register(Observable("procrustes_distance", "‖W − √(b/a) R W*‖_F/√N, R = polar M(0): distance to the "
                    "zero-loss point closest to the init", _qts_procrustes_distance, **_QTS))
