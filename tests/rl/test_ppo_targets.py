"""Return and advantage estimators shared by PPO and the policy-gradient agents, against numpy loops."""

import chex
import jax.numpy as jnp
import numpy as np

from jaxzoo.rl import rl_common as rc


def _gae_reference(r, v, d, last_v, gamma, lam):
    T, N = r.shape
    adv = np.zeros((T, N))
    nxt_adv, nxt_v = np.zeros(N), last_v
    for t in reversed(range(T)):
        nd = 1.0 - d[t]
        delta = r[t] + gamma * nxt_v * nd - v[t]
        nxt_adv = delta + gamma * lam * nd * nxt_adv
        adv[t], nxt_v = nxt_adv, v[t]
    return adv


def test_gae_matches_reference_loop():
    rng = np.random.default_rng(0)
    r, v = rng.normal(size=(7, 3)), rng.normal(size=(7, 3))
    d, last = rng.random((7, 3)) < 0.3, rng.normal(size=3)
    adv, target = rc.gae(jnp.asarray(r), jnp.asarray(v), jnp.asarray(d), jnp.asarray(last), 0.9, 0.8)
    chex.assert_shape(adv, (7, 3))
    np.testing.assert_allclose(np.asarray(adv), _gae_reference(r, v, d, last, 0.9, 0.8), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.asarray(target), np.asarray(adv) + v, rtol=1e-5, atol=1e-5)


def test_gae_with_lambda_one_is_discounted_return_minus_value():
    rng = np.random.default_rng(1)
    r, v, d = rng.normal(size=(6, 2)), rng.normal(size=(6, 2)), rng.random((6, 2)) < 0.2
    last = rng.normal(size=2)
    adv, _ = rc.gae(jnp.asarray(r), jnp.asarray(v), jnp.asarray(d), jnp.asarray(last), 0.95, 1.0)
    g = rc.discounted_returns(jnp.asarray(r), jnp.asarray(d), 0.95, jnp.asarray(last))
    np.testing.assert_allclose(np.asarray(adv), np.asarray(g) - v, rtol=1e-5, atol=1e-5)


def test_truncation_bootstraps_but_termination_does_not():
    reward = jnp.ones((1, 2))
    final_value = jnp.array([[10.0, 10.0]])
    terminated, truncated = jnp.array([[True, False]]), jnp.array([[False, True]])
    r = rc.bootstrap_truncated(reward, truncated, final_value, 0.9)
    np.testing.assert_allclose(np.asarray(r), [[1.0, 10.0]])
    adv, target = rc.gae(r, jnp.zeros((1, 2)), terminated | truncated, jnp.array([99.0, 99.0]), 0.9, 0.95)
    # the next rollout's value (99) never leaks across an episode end, whichever kind it was
    np.testing.assert_allclose(np.asarray(target), [[1.0, 10.0]])


def test_complete_episode_mask_marks_steps_before_the_last_done():
    done = jnp.array([[0, 0], [1, 0], [0, 1], [0, 0]], bool)
    np.testing.assert_array_equal(np.asarray(rc.complete_episode_mask(done)), [[1, 1], [1, 1], [0, 1], [0, 0]])


def test_episode_stats_record_finished_returns():
    s = rc.EpisodeStats.zeros(2)
    s = s.record(jnp.array([1.0, 1.0]), jnp.array([False, False]))
    s = s.record(jnp.array([1.0, 2.0]), jnp.array([True, False]))
    np.testing.assert_allclose(np.asarray(s.last), [2.0, 0.0])
    np.testing.assert_allclose(np.asarray(s.running), [0.0, 3.0])
