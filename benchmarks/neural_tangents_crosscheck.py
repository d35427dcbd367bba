"""Cross-check of the closed-form H∞ against neural-tangents' analytic ReLU NTK (values, speed).

neural-tangents 0.6.5 (archived) does not import with the package's JAX, so this script builds
its own virtual environment (``benchmarks/.nt-venv``: ``jax[cpu]==0.4.30``,
``neural-tangents==0.6.5``), runs neural-tangents there on the same inputs in float64, and
compares in this process. neural-tangents is never a dependency of the package.

neural-tangents' ``Dense(W_std=1, parameterization="ntk")`` scales by 1/√(input dim), and its
NTK of ``Dense → Relu → Dense`` counts both layers: Θ = NNGP_out + (xᵀy/d)(π − θ)/2π. So with
inputs x̃·√d̃ (bias appended as an input) the first-layer part, our H∞, is Θ − NNGP_out.

    python benchmarks/neural_tangents_crosscheck.py [--quick]
"""

import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np

import _common as C

VENV = Path(__file__).resolve().parent / ".nt-venv"
PINS = ["jax[cpu]==0.4.30", "neural-tangents==0.6.5"]
FULL = dict(n=2000, d=5, repeats=5)
QUICK = dict(n=300, d=5, repeats=3)

CHILD = textwrap.dedent("""
    import json, sys, time
    import numpy as np
    import jax
    jax.config.update("jax_enable_x64", True)
    import neural_tangents as nt
    from neural_tangents import stax
    X = np.load(sys.argv[1])["X"]
    repeats = int(sys.argv[3])
    _, _, kernel_fn = stax.serial(stax.Dense(512, W_std=1.0, b_std=None), stax.Relu(), stax.Dense(1, W_std=1.0, b_std=None))
    kernel_fn = jax.jit(kernel_fn, static_argnames="get")
    X = X * np.sqrt(X.shape[1])
    k = kernel_fn(X, X, get=("ntk", "nngp"))
    times = []
    for _ in range(repeats):
        t = time.perf_counter(); k = kernel_fn(X, X, get=("ntk", "nngp")); k.ntk.block_until_ready(); times.append(time.perf_counter() - t)
    np.savez(sys.argv[2], H=np.asarray(k.ntk - k.nngp))
    print(json.dumps({"seconds": sorted(times)[len(times) // 2], "jax": jax.__version__, "nt": nt.__version__}))
""")


def ensure_venv() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PINS], check=True)
    return python


def main() -> None:
    args = C.parse_args(__doc__.splitlines()[0])
    sizes = QUICK if args.quick else FULL
    repeats = args.repeats or sizes["repeats"]
    import jax
    import jax.numpy as jnp

    from implicit_bias.models import TwoLayerReLU
    from implicit_bias.problems import quadratic_teacher_regression
    from implicit_bias.theory import ntk

    python = ensure_venv()
    problem = quadratic_teacher_regression(sizes["n"], sizes["d"], seed=0)
    Xa = np.asarray(TwoLayerReLU(sizes["d"], 1).augment(problem.X))
    busy = C.warn_if_busy()
    with tempfile.TemporaryDirectory() as tmp:
        np.savez(f"{tmp}/in.npz", X=Xa)
        child = subprocess.run([str(python), "-c", CHILD, f"{tmp}/in.npz", f"{tmp}/out.npz", str(repeats)],
                               check=True, capture_output=True, text=True)
        theirs = np.load(f"{tmp}/out.npz")["H"]
    info = json.loads(child.stdout.strip().splitlines()[-1])
    gram = jax.jit(ntk.gram_infinite)
    ours = np.asarray(gram(jnp.asarray(Xa)))
    ours_s = C.median([C.timed(lambda: gram(jnp.asarray(Xa)).block_until_ready())[0] for _ in range(repeats)])
    # The diagonal apart: there cos θ = 1 and arccos's conditioning lets a one-ulp rounding of
    # cos become θ ≈ 1e-8 (we set θ_ii = 0 exactly; neural-tangents does not).
    off = ~np.eye(len(ours), dtype=bool)
    err = float(np.abs(ours - theirs)[off].max())
    rel = float((np.abs(ours - theirs) / np.abs(ours).max())[off].max())
    diag = float(np.abs(np.diag(ours) - np.diag(theirs)).max())
    C.print_table(f"H∞ vs neural-tangents {info['nt']} (JAX {info['jax']}), n = {sizes['n']}, d̃ = {Xa.shape[1]}",
                  ["", "max |ΔH| off-diag", "relative", "max |ΔH| diag", "ours s", "neural-tangents s", "speed ratio"],
                  [["H∞", err, rel, diag, ours_s, info["seconds"], info["seconds"] / ours_s]])
    C.save("neural_tangents_crosscheck", {"machine": C.machine_info(), "sizes": sizes, "busy_at_start": busy,
                                          "max_abs_diff_offdiag": err, "max_rel_diff_offdiag": rel,
                                          "max_abs_diff_diag": diag, "ours_seconds": ours_s,
                                          "neural_tangents_seconds": info["seconds"], "versions": info}, args)


if __name__ == "__main__":
    main()
