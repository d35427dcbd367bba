"""How the ensemble axis (seeds × sweep points of one shape) is mapped: one interface, a
strategy per backend chosen by measurement.

Measured on the 2-core CPU of DESIGN.md (64 seeds, RK4 on a small linear net): ``vmap`` 0.93 s,
``lax.map`` 0.46 s, ``lax.map`` sharded over 2 host devices 0.25 s; ``vmap`` of an adaptive
diffrax solve was 2× slower than a loop (its while-loop runs every member until the slowest
finishes, and batched small matmuls are slower than unbatched ones on CPU). Re-measured with
the data passed once (not per member): GD at width 100, 256 seeds, per seed-step of core time
``map`` 2.6 µs, ``vmap`` 9.5 µs; GF ``vmap`` 3× ``map`` per member-step. On GPU, ``vmap``
fills the device and usually wins. ``benchmarks/ensemble_strategies.py`` re-measures.
"""

import abc
from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, PartitionSpec
from jaxtyping import PyTree


class AbstractEnsemble(eqx.Module):
    """Maps a function over the leading axis of a pytree, inside ``jit``."""

    @abc.abstractmethod
    def map(self, fn: Callable[[PyTree, PyTree], PyTree], batch: PyTree, shared: PyTree = None) -> PyTree:
        """``fn(member, shared)`` for each member of ``batch`` (leading axis), results stacked.

        ``shared`` is what every member sees alike (e.g. the data of a seed ensemble): it is
        passed once, not stacked per member, so a 64-seed ensemble holds one copy of X."""


class Vmap(AbstractEnsemble):
    """``jax.vmap``: one batched computation (best on accelerators).

    ``shared`` is broadcast to every member rather than mapped with ``in_axes=None``: then
    each member's products are batched products of its own operands, which round exactly as
    the run alone does, whereas one matrix product with the shared data (e.g. ``X`` times
    every member's ``Θ``) rounds differently from each member's matrix–vector product. On
    CPU sharing gained nothing measurable (``benchmarks/ensemble_strategies.py``)."""

    def map(self, fn, batch, shared=None):
        size = jax.tree.leaves(batch)[0].shape[0]
        return jax.vmap(fn)(batch, jax.tree.map(lambda a: jnp.broadcast_to(a, (size, *a.shape)), shared))


class SequentialMap(AbstractEnsemble):
    """``jax.lax.map``: a compiled loop over members (best on one CPU core)."""

    def map(self, fn, batch, shared=None):
        return jax.lax.map(lambda member: fn(member, shared), batch)


class ShardedMap(AbstractEnsemble):
    """``lax.map`` on each of the host's devices, the members split evenly between them
    (best on multi-core CPU, where JAX exposes one device per core). The batch is padded to a
    multiple of the device count by repeating its last member; the padding is dropped."""

    def map(self, fn, batch, shared=None):
        devices = jax.devices()
        size = jax.tree.leaves(batch)[0].shape[0]
        if size < len(devices):
            # Too few members to share: one device, whose intra-op threads then use every core
            # (padding would compute the same run twice on half the cores each).
            return SequentialMap().map(fn, batch, shared)
        padded = -(-size // len(devices)) * len(devices)
        batch = jax.tree.map(lambda a: jnp.concatenate([a, jnp.repeat(a[-1:], padded - size, axis=0)]), batch)
        mesh = Mesh(np.array(devices), ("ensemble",))
        spec = PartitionSpec("ensemble")
        # check_vma=False: diffrax/equinox internals (error_if) are not varying-axis aware.
        out = jax.shard_map(lambda b, s: SequentialMap().map(fn, b, s), mesh=mesh,
                            in_specs=(spec, PartitionSpec()), out_specs=spec, check_vma=False)(batch, shared)
        return jax.tree.map(lambda a: a[:size], out)


STRATEGIES = {"vmap": Vmap, "map": SequentialMap, "sharded_map": ShardedMap}


def default_ensemble() -> AbstractEnsemble:
    """The measured winner for the current backend."""
    if jax.default_backend() == "cpu":
        return ShardedMap() if jax.device_count() > 1 else SequentialMap()
    return Vmap()


def ensemble_named(name: str) -> AbstractEnsemble:
    return default_ensemble() if name == "auto" else STRATEGIES[name]()
