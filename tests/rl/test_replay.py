"""Replay buffers: circular insertion, uniform and proportional prioritised sampling, IS weights."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxzoo.rl import replay


def _item():
    return dict(obs=jnp.zeros(3), action=jnp.zeros((), jnp.int32))


def _batch(start, n):
    return dict(obs=jnp.arange(start, start + n, dtype=jnp.float32)[:, None] * jnp.ones(3),
                action=jnp.arange(start, start + n, dtype=jnp.int32))


def test_add_is_circular_and_keeps_newest():
    buf = replay.init(_item(), 5)
    chex.assert_shape(buf.data["obs"], (5, 3))
    buf = replay.add(buf, _batch(0, 3))
    assert int(buf.size) == 3 and int(buf.position) == 3
    buf = replay.add(buf, _batch(3, 4))  # 0..6 into 5 slots: 5, 6 overwrite 0, 1
    assert int(buf.size) == 5 and int(buf.position) == 2
    np.testing.assert_array_equal(np.asarray(buf.data["action"]), [5, 6, 2, 3, 4])


def test_uniform_sampling_only_filled_slots():
    buf = replay.add(replay.init(_item(), 100), _batch(0, 10))
    items, idx, w = replay.sample_uniform(buf, jax.random.key(0), 2000)
    assert int(idx.max()) < 10 and len(np.unique(np.asarray(idx))) == 10
    np.testing.assert_array_equal(np.asarray(items["action"]), np.asarray(idx))
    np.testing.assert_array_equal(np.asarray(w), 1.0)


def test_prioritised_sampling_matches_priorities_and_is_weights():
    buf = replay.add(replay.init(_item(), 8), _batch(0, 4))
    td = jnp.array([1.0, 2.0, 3.0, 4.0])
    alpha, beta = 0.7, 0.5
    buf = replay.update_priorities(buf, jnp.arange(4), td, alpha, eps=0.0)
    p = np.asarray(td) ** alpha
    np.testing.assert_allclose(np.asarray(buf.priorities[:4]), p, rtol=1e-6)
    assert float(buf.max_priority) == pytest.approx(p.max(), rel=1e-6)
    n = 40_000
    _, idx, w = jax.jit(lambda b, k: replay.sample_prioritised(b, k, n, beta))(buf, jax.random.key(1))
    freq = np.bincount(np.asarray(idx), minlength=8) / n
    prob = p / p.sum()
    np.testing.assert_allclose(freq[:4], prob, atol=0.01)
    assert freq[4:].sum() == 0
    expected_w = (4 * prob) ** (-beta)
    expected_w = expected_w / expected_w.max()
    np.testing.assert_allclose(np.asarray(w), expected_w[np.asarray(idx)], rtol=1e-5)


def test_new_items_get_max_priority():
    buf = replay.add(replay.init(_item(), 8), _batch(0, 2))
    buf = replay.update_priorities(buf, jnp.arange(2), jnp.array([0.5, 9.0]), 1.0, eps=0.0)
    buf = replay.add(buf, _batch(2, 1))
    assert float(buf.priorities[2]) == pytest.approx(9.0)


def test_buffer_vmaps_over_seeds():
    bufs = jax.vmap(lambda _: replay.init(_item(), 6))(jnp.arange(3))
    bufs = jax.vmap(replay.add)(bufs, jax.tree.map(lambda x: jnp.stack([x] * 3), _batch(0, 2)))
    chex.assert_shape(bufs.data["obs"], (3, 6, 3))
    np.testing.assert_array_equal(np.asarray(bufs.size), [2, 2, 2])


def test_bad_capacity_is_one_clear_error():
    with pytest.raises(ValueError, match="capacity"):
        replay.init(_item(), 0)
