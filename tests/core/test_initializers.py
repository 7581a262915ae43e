"""The LAPACK-free orthogonal initialiser draws what Flax's does, and is orthogonal under vmap."""

import chex
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxzoo.core.initializers import gram_schmidt_q, orthogonal


@pytest.mark.parametrize("shape, axis", [((64, 64), -1), ((4, 64), -1), ((128, 2), -1), ((3, 3, 8, 16), -1),
                                         ((16, 5), 0)])
@pytest.mark.parametrize("scale", [1.0, np.sqrt(2)])
def test_same_draws_as_flax(shape, axis, scale):
    key = jax.random.key(7)
    ours = orthogonal(scale, column_axis=axis)(key, shape)
    flax = nn.initializers.orthogonal(scale, column_axis=axis)(key, shape)
    chex.assert_shape(ours, shape)
    chex.assert_trees_all_close(ours, flax, atol=2e-5)


def test_q_factor_of_ill_conditioned_matrix_is_orthonormal():
    a = jax.random.normal(jax.random.key(0), (64, 64)).at[:, 1].set(0) + jnp.eye(64) * 1e-3
    a = a.at[:, 1].add(a[:, 0])  # two nearly parallel columns
    q = gram_schmidt_q(a)
    chex.assert_trees_all_close(q.T @ q, jnp.eye(64), atol=1e-5)


def test_vmapped_init_is_orthogonal_per_seed():
    keys = jax.random.split(jax.random.key(1), 16)
    qs = jax.jit(jax.vmap(lambda k: orthogonal()(k, (64, 64))))(keys)
    chex.assert_shape(qs, (16, 64, 64))
    chex.assert_trees_all_close(jnp.einsum("bij,bik->bjk", qs, qs), jnp.broadcast_to(jnp.eye(64), (16, 64, 64)),
                                atol=1e-5)
    assert not np.allclose(qs[0], qs[1])


def test_rank_one_shape_is_rejected():
    with pytest.raises(ValueError, match="rank >= 2"):
        orthogonal()(jax.random.key(0), (8,))
