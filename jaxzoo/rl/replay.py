"""Replay buffers in pure JAX: a circular buffer with uniform or proportional prioritised sampling.

The buffer is a pytree of fixed-size arrays, so it lives inside a jitted, vmapped training loop.
Prioritised sampling (Schaul et al., 2016) draws index i with probability p_i^alpha / sum_j p_j^alpha
by a stratified inverse-CDF lookup on the cumulative sum of priorities (O(capacity) per batch, all
vectorised), and returns importance-sampling weights (N P(i))^-beta / max_j (N P(j))^-beta.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import struct


class ReplayBuffer(struct.PyTreeNode):
    data: dict            # every leaf has a leading [capacity] axis
    priorities: jax.Array  # p_i^alpha, 0 for empty slots
    max_priority: jax.Array
    position: jax.Array
    size: jax.Array

    @property
    def capacity(self) -> int:
        return self.priorities.shape[0]


def init(example: dict, capacity: int) -> ReplayBuffer:
    """An empty buffer whose slots have the shapes and dtypes of one ``example`` item (no batch axis)."""
    if not isinstance(capacity, int) or capacity <= 0:
        raise ValueError(f"replay buffer capacity must be a positive integer, got {capacity!r}")
    data = jax.tree.map(lambda x: jnp.zeros((capacity,) + jnp.shape(x), jnp.asarray(x).dtype), example)
    return ReplayBuffer(data, jnp.zeros(capacity), jnp.ones(()), jnp.zeros((), jnp.int32),
                        jnp.zeros((), jnp.int32))


def add(buffer: ReplayBuffer, items: dict) -> ReplayBuffer:
    """Append a batch of items (leading axis B), overwriting the oldest; new items get the max priority."""
    n = jax.tree.leaves(items)[0].shape[0]
    idx = (buffer.position + jnp.arange(n)) % buffer.capacity
    data = jax.tree.map(lambda store, x: store.at[idx].set(x), buffer.data, items)
    return buffer.replace(data=data, priorities=buffer.priorities.at[idx].set(buffer.max_priority),
                          position=(buffer.position + n) % buffer.capacity,
                          size=jnp.minimum(buffer.size + n, buffer.capacity))


def sample_uniform(buffer: ReplayBuffer, key, batch_size: int):
    """``(items, indices, weights)`` with indices uniform over the filled slots and unit weights."""
    idx = jax.random.randint(key, (batch_size,), 0, jnp.maximum(buffer.size, 1))
    return jax.tree.map(lambda x: x[idx], buffer.data), idx, jnp.ones(batch_size)


def sample_prioritised(buffer: ReplayBuffer, key, batch_size: int, beta):
    """``(items, indices, weights)`` drawn in proportion to the stored priorities (stratified)."""
    cdf = jnp.cumsum(buffer.priorities)
    total = cdf[-1]
    u = (jnp.arange(batch_size) + jax.random.uniform(key, (batch_size,))) * (total / batch_size)
    idx = jnp.clip(jnp.searchsorted(cdf, u, side="right"), 0, jnp.maximum(buffer.size, 1) - 1)
    prob = buffer.priorities[idx] / total
    weights = (buffer.size * prob) ** (-beta)
    weights = weights / jnp.max(weights)
    return jax.tree.map(lambda x: x[idx], buffer.data), idx, weights


def update_priorities(buffer: ReplayBuffer, idx, td_error, alpha, eps: float = 1e-6) -> ReplayBuffer:
    """Set p_i = (|td_i| + eps)^alpha for the sampled indices and track the running maximum."""
    p = (jnp.abs(td_error) + eps) ** alpha
    return buffer.replace(priorities=buffer.priorities.at[idx].set(p),
                          max_priority=jnp.maximum(buffer.max_priority, p.max()))


def sample(buffer: ReplayBuffer, key, batch_size: int, *, prioritised: bool, beta=1.0):
    return (sample_prioritised(buffer, key, batch_size, beta) if prioritised
            else sample_uniform(buffer, key, batch_size))
