"""Process-wide JAX settings, applied once before any array is made.

float64 is the default (conserved quantities are our accuracy check, and float32 drifts at
1e-7). On CPU the ensemble axis is sharded over one host device per core, which DESIGN.md
measured as the fastest ensemble strategy on this machine; that needs the device count set
before JAX starts its backend, hence this module runs on package import.
"""

import os

import jax


def configure_jax() -> None:
    jax.config.update("jax_enable_x64", True)
    try:
        jax.config.update("jax_num_cpu_devices", max(1, os.cpu_count() or 1))
    except RuntimeError:
        # The backend was already started by the caller (e.g. a notebook that used JAX first):
        # keep its device count; the ensemble strategy adapts to whatever devices exist.
        pass


configure_jax()
