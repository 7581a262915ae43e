"""DQN family: TD targets (double, termination vs truncation), config errors, variants, CartPole."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxzoo.rl import dqn, runner
from jaxzoo.rl import rl_common as rc


def _small(**kw):
    cfg = dqn.default_config()
    cfg.update(dict(total_timesteps=1_000, learning_starts=200, num_envs=4, num_steps=8, gradient_steps=2,
                    buffer_size=500, batch_size=32, eval_envs=2, **kw))
    return cfg


def test_td_target_double_and_termination():
    q_t = jnp.array([[1.0, 5.0], [2.0, 3.0]])
    q_o = jnp.array([[9.0, 0.0], [0.0, 9.0]])
    r, term = jnp.array([1.0, 1.0]), jnp.array([False, True])
    np.testing.assert_allclose(np.asarray(dqn.td_target(r, term, q_t, None, 0.5)), [1 + 0.5 * 5.0, 1.0])
    # Double DQN: the online net picks a* = 0 in row 0, the target net scores it
    np.testing.assert_allclose(np.asarray(dqn.td_target(r, term, q_t, q_o, 0.5)), [1 + 0.5 * 1.0, 1.0])


@pytest.mark.parametrize("change, match", [
    (dict(buffer_size=16), "smaller than batch_size"),
    (dict(env_name="MountainCarContinuous-v0"), "discrete action space"),
    (dict(env_name="NoSuchEnv-v0"), "unknown environment"),
    (dict(loss="l1"), "huber"),
    (dict(learning_starts=8), "learning_starts"),
])
def test_bad_config_is_one_clear_error(change, match):
    cfg = _small()
    cfg.update(change)
    with pytest.raises(ValueError, match=match):
        dqn.make_train(cfg)


@pytest.mark.parametrize("double, dueling, prioritised", [(False, False, True)])
def test_variants_train_and_stay_finite(double, dueling, prioritised):
    cfg = _small(double=double, dueling=dueling, prioritised=prioritised)
    out = jax.jit(jax.vmap(dqn.make_train(cfg)))(jax.random.split(jax.random.key(0), 2))
    rs = out["runner_state"]
    chex.assert_tree_all_finite(rs["params"])
    assert int(rs["buffer"].size[0]) == min(cfg.buffer_size, 200 + cfg.num_envs * cfg.num_steps * 25)
    pri = np.asarray(rs["buffer"].priorities[0])
    assert len(np.unique(pri[pri > 0])) > 10  # TD errors replaced the initial max priority on replayed items


@pytest.mark.slow
def test_default_config_learns_cartpole():
    """Measured: 20 of 20 seeds >= 475 in sweeps from key(0) and key(1)."""
    out = jax.jit(jax.vmap(dqn.make_train(dqn.default_config())))(jax.random.split(jax.random.key(0), 5))
    returns = np.asarray(out["eval_return"])
    pri = np.asarray(out["runner_state"]["buffer"].priorities)
    assert set(np.unique(pri)) <= {0.0, 1.0}  # uniform replay leaves priorities untouched
    assert (returns >= 475).sum() >= 4, returns


def test_keep_best_keeps_the_best_evaluated_params():
    rs = {"params": {"w": jnp.ones(2)}, "best_params": {"w": jnp.zeros(2)}, "best_return": jnp.asarray(10.0)}
    worse = rc.keep_best(rs, jnp.asarray(9.0))
    chex.assert_trees_all_equal(worse["best_params"], rs["best_params"])
    assert float(worse["best_return"]) == 10.0
    better = rc.keep_best(rs, jnp.asarray(11.0))
    chex.assert_trees_all_equal(better["best_params"], rs["params"])
    assert float(better["best_return"]) == 11.0


def test_periodic_checkpoints_agree_between_chunked_and_whole_runs():
    """25 updates, a greedy check every 8 and after the last: chunked (chunks rounded up to 8) == one scan."""
    agent = dqn.make_agent(_small(eval_every=8))
    keys = jax.random.split(jax.random.key(1), 2)
    whole = jax.jit(jax.vmap(rc.make_train(agent)))(keys)
    chunked = runner.train_chunked(agent, keys, chunk_updates=5, log=lambda *_: None)
    assert [h["updates"] for h in chunked["history"]] == [8, 16, 24, 25]
    for name in ("params", "best_params", "best_return"):
        chex.assert_trees_all_close(chunked["runner_state"][name], whole["runner_state"][name], atol=1e-6)
    np.testing.assert_allclose(chunked["eval_return"], whole["eval_return"])
    best = np.asarray(whole["runner_state"]["best_return"])
    assert np.all(np.isfinite(best)) and np.all(best > 0)


def test_without_checks_the_last_params_are_final():
    agent = dqn.make_agent(_small(eval_every=0))
    out = jax.jit(rc.make_train(agent))(jax.random.key(2))
    assert "best_params" not in out["runner_state"]
    chex.assert_trees_all_equal(rc.final_params(out["runner_state"]), out["runner_state"]["params"])
