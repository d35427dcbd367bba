r"""Overlap ODEs of one-pass SGD on the soft committee machine, :math:`g(x) = \operatorname{erf}(x/\sqrt2)`.

Saad & Solla, Phys. Rev. E 52, 4225 (1995); Biehl & Schwarze, J. Phys. A 28, 643 (1995).
Student :math:`\hat y = a\sum_{i\le p} g(\lambda_i)`, teacher :math:`y = b\sum_{n\le p^*} g(\nu_n)`,
:math:`\lambda_i = w_i\cdot x/\sqrt N`, :math:`\nu_n = w^*_n\cdot x/\sqrt N`, overlaps Q (p×p),
R (p×p*, called M in :mod:`.quadratic_teacher_student`), T (p*×p*); time α = steps/N, per-sample
loss :math:`\tfrac12\delta^2`, :math:`\delta = \hat y - y`. Write
:math:`u = (\lambda, \nu) \sim N(0, C)`, :math:`C = \begin{pmatrix}Q & R\\ R^\top & T\end{pmatrix}`,
and :math:`\delta = \sum_c s_c g(u_c)` with :math:`s = (a\mathbf 1_p, -b\mathbf 1_{p^*})`. The step
:math:`w_i \leftarrow w_i - \eta a\,\delta\,g'(\lambda_i)\,x/\sqrt N` gives, as N → ∞,

.. math::
    \dot R_{in} = -\eta a\sum_c s_c I_3(i, n, c),\qquad
    \dot Q_{ik} = -\eta a\sum_c s_c\big(I_3(i, k, c) + I_3(k, i, c)\big)
                  + \eta^2a^2\sum_{c,d}s_cs_d\,I_4(i, k, c, d),

with the Gaussian integrals (closed form for this g, Saad & Solla's eqs. A3–A5)

.. math::
    I_2(c,d) = \mathbb E\,g(u_c)g(u_d) = \tfrac2\pi\arcsin\frac{C_{cd}}{\sqrt{(1+C_{cc})(1+C_{dd})}},\qquad
    I_3(a,b,c) = \mathbb E\,g'(u_a)u_bg(u_c)
               = \tfrac2\pi\frac{C_{bc}(1+C_{aa}) - C_{ab}C_{ac}}{(1+C_{aa})\sqrt{\Lambda_3}},

:math:`\Lambda_3 = (1+C_{aa})(1+C_{cc}) - C_{ac}^2`, and
:math:`I_4(a,b,c,d) = \mathbb E\,g'(u_a)g'(u_b)g(u_c)g(u_d) = \frac{4}{\pi^2\sqrt{\Lambda_4}}
\arcsin\frac{\Lambda_0}{\sqrt{\Lambda_1\Lambda_2}}` with :math:`\Lambda_4 = (1+C_{aa})(1+C_{bb}) - C_{ab}^2`,
:math:`\Lambda_0 = \Lambda_4C_{cd} - C_{bc}C_{bd}(1+C_{aa}) - C_{ac}C_{ad}(1+C_{bb}) + C_{ab}C_{ac}C_{bd}
+ C_{ab}C_{ad}C_{bc}`, :math:`\Lambda_1 = \Lambda_4(1+C_{cc}) - C_{bc}^2(1+C_{aa}) - C_{ac}^2(1+C_{bb})
+ 2C_{ab}C_{ac}C_{bc}` and :math:`\Lambda_2` the same with d for c. The population loss is
:math:`L = \tfrac12\sum_{c,d}s_cs_dI_2(c,d)`. The η² term is the SGD noise (the input's squared
norm over N is 1 + O(N^{-1/2})); without it, in time ηα, this is gradient flow on L.
"""

from jaxtyping import Array

from ..activations import Erf
from ..activations import erf_population_loss as population_loss  # noqa: F401  (the closed form L)
from . import committee


def overlap_velocity(Q, R, T, a, b, eta, noise: bool = True, label_noise=None,
                     weight_decay=None) -> tuple[Array, Array]:
    """(dQ/dα, dR/dα) of the module docstring: :func:`.committee.overlap_velocity` with the erf
    integrals (label noise and weight decay there)."""
    return committee.overlap_velocity(Q, R, T, a, b, eta, Erf(), noise, label_noise, weight_decay)
