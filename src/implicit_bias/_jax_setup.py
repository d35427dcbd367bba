"""Process-wide JAX settings, applied once before any array is made.

float64 is the default (conserved quantities are our accuracy check, and float32 drifts at
1e-7). On CPU the ensemble axis is sharded over one host device per core, which DESIGN.md
measured as the fastest ensemble strategy on this machine; that needs the device count set
before JAX starts its backend, hence this module runs on package import. It does not import
JAX itself when JAX is not loaded yet: JAX reads both settings from the environment when it is
imported, so importing the package (and ``implicit-bias --help``) stays fast.

Equinox's run-time checks default to ``EQX_ON_ERROR=nan`` here (a user's own setting wins).
With equinox's default (``raise``) every gradient-flow program carries the host callbacks of
diffrax's input checks (``saveat`` times increasing and inside [t0, t1], the sign of dt0: all
times our runner builds), and JAX never stores a program with host callbacks in its persistent
compilation cache, so no process (a sweep's workers, each CLI call, the test suite's workers)
could reuse another's compiled runs. With ``nan`` a failed check poisons the run's output with
NaN, which the divergence check reports for that run instead of a traceback. Equinox reads the
setting when it is first imported, so this only applies if the package is imported first.
"""

import os
import sys


def configure_jax() -> None:
    devices = str(max(1, os.cpu_count() or 1))
    os.environ.setdefault("EQX_ON_ERROR", "nan")
    if "jax" not in sys.modules:
        os.environ["JAX_ENABLE_X64"] = "true"
        os.environ.setdefault("JAX_NUM_CPU_DEVICES", devices)
        return
    import jax

    jax.config.update("jax_enable_x64", True)
    try:
        jax.config.update("jax_num_cpu_devices", int(devices))
    except RuntimeError:
        # The backend was already started by the caller (e.g. a notebook that used JAX first):
        # keep its device count; the ensemble strategy adapts to whatever devices exist.
        pass


configure_jax()
