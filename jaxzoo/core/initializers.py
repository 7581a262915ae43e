"""Parameter initialisers that stay safe when a whole training run is vmapped on the CPU.

``orthogonal`` draws the same matrices as ``flax.linen.initializers.orthogonal`` (the Q factor of a
Gaussian matrix, with the signs that make R's diagonal positive), but computes Q by Gram-Schmidt with
re-orthogonalisation in plain XLA ops instead of LAPACK's QR. Under ``vmap`` Flax's initialiser becomes
one batched LAPACK call per layer; XLA's CPU runtime runs such calls on its intra-op thread pool and
each one fans its batch out onto that same pool and waits, so two of them running at once on a 2-core
machine can wait on each other forever (seen here as a rare hang of ``jit(vmap(train))`` for 16 PPO
seeds). Gram-Schmidt has no such call, and its Q is the same unique positive-diagonal QR factor.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np


def gram_schmidt_q(a: jax.Array) -> jax.Array:
    """Q of the reduced QR factorisation of a tall matrix ``a`` [m, n] (m >= n) with diag(R) > 0."""
    m, n = a.shape
    cols = jnp.arange(n)

    def column(j, q):
        done = (cols < j).astype(a.dtype)                      # the columns of q already orthonormal
        v = a[:, j]
        for _ in range(2):                                     # "twice is enough" (Kahan, Parlett)
            v = v - q @ (done * (q.T @ v))
        return q.at[:, j].set(v / jnp.linalg.norm(v))

    return jax.lax.fori_loop(0, n, column, jnp.zeros((m, n), a.dtype))


def orthogonal(scale: float = 1.0, column_axis: int = -1, dtype=jnp.float32):
    """Orthogonal initialiser with the signature and the draws of Flax's ``orthogonal``, without LAPACK."""

    def init(key, shape, dtype=dtype):
        if len(shape) < 2:
            raise ValueError(f"orthogonal initialiser needs a shape of rank >= 2, got {tuple(shape)}")
        n_rows, n_cols = math.prod(shape) // shape[column_axis], shape[column_axis]
        z = jax.random.normal(key, (max(n_rows, n_cols), min(n_rows, n_cols)), dtype)
        q = gram_schmidt_q(z)
        q = q.T if n_rows < n_cols else q                      # [n_rows, n_cols]
        q = jnp.reshape(q, tuple(np.delete(np.asarray(shape), column_axis)) + (n_cols,))
        return jnp.asarray(scale, dtype) * jnp.moveaxis(q, -1, column_axis)

    return init
