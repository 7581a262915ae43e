"""Data parallelism on a ``("data",)`` mesh over every device of every process, and multi-host start-up.

``fit`` compiles its training loop with ``jax.jit``; placing the state replicated and each batch split
along the ``data`` axis is all it takes for XLA to average gradients (and BatchNorm statistics) across
devices. The same code runs on one CPU, eight fake CPU devices, a GPU box or a TPU pod slice.
"""

from __future__ import annotations

import os
from typing import Any

import jax
import numpy as np
from jax.sharding import AxisType, Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

DATA_AXIS = "data"


def data_mesh(devices: list | None = None) -> Mesh:
    """A 1-D mesh named ``data`` over ``devices`` (default: all devices of all processes)."""
    devices = list(devices if devices is not None else jax.devices())
    return jax.make_mesh((len(devices),), (DATA_AXIS,), axis_types=(AxisType.Auto,), devices=devices)


def replicated(mesh: Mesh) -> NamedSharding:
    return NamedSharding(mesh, P())


def batch_sharded(mesh: Mesh, axis: int = 0) -> NamedSharding:
    return NamedSharding(mesh, P(*([None] * axis), DATA_AXIS))


def put(tree: Any, sharding: NamedSharding) -> Any:
    """Place host arrays (identical on every process) as global arrays with ``sharding``.

    Works with several processes too: each process supplies the shards its own devices hold.
    """
    def one(a):
        if isinstance(a, jax.Array) and a.sharding == sharding:
            return a
        if jax.process_count() == 1:
            return jax.device_put(a, sharding)
        host = np.asarray(a)
        return jax.make_array_from_callback(host.shape, sharding, lambda idx: host[idx])
    return jax.tree.map(one, tree)


def to_host(tree: Any) -> Any:
    """Fetch (replicated or sharded) global arrays to numpy on this process."""
    def one(a):
        if isinstance(a, jax.Array) and not a.is_fully_addressable:
            if a.is_fully_replicated:
                return np.asarray(a.addressable_data(0))
            from jax.experimental import multihost_utils
            return np.asarray(multihost_utils.process_allgather(a, tiled=True))
        return np.asarray(a)
    return jax.tree.map(one, tree)


def check_divisible(batch_size: int, mesh: Mesh) -> None:
    n = mesh.devices.size
    if batch_size % n:
        raise ValueError(f"batch_size {batch_size} must be divisible by the number of devices ({n}) "
                         f"to split each batch evenly over the data axis")


def initialize_multihost(coordinator: str | None = None, num_processes: int | None = None,
                         process_id: int | None = None, *, cpu_collectives: str = "gloo") -> None:
    """Join a multi-process run with ``jax.distributed.initialize``.

    Arguments default to ``$JAXZOO_COORDINATOR``, ``$JAXZOO_NUM_PROCESSES`` and ``$JAXZOO_PROCESS_ID``; on
    Cloud TPU and SLURM, call it with no arguments and none set, and JAX finds its peers itself. On CPU
    the processes talk through gloo collectives. Call it before any other JAX call.
    """
    coordinator = coordinator or os.environ.get("JAXZOO_COORDINATOR")
    if num_processes is None and "JAXZOO_NUM_PROCESSES" in os.environ:
        num_processes = int(os.environ["JAXZOO_NUM_PROCESSES"])
    if process_id is None and "JAXZOO_PROCESS_ID" in os.environ:
        process_id = int(os.environ["JAXZOO_PROCESS_ID"])
    jax.config.update("jax_cpu_collectives_implementation", cpu_collectives)
    if coordinator is None:
        jax.distributed.initialize()
    else:
        jax.distributed.initialize(coordinator_address=coordinator, num_processes=num_processes,
                                   process_id=process_id)
