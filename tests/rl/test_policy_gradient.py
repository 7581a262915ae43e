"""REINFORCE (with and without baseline) and actor-critic: config errors, outputs, CartPole."""

import chex
import jax
import numpy as np
import pytest

from jaxzoo.rl import policy_gradient as pg


def _small(cfg, **kw):
    cfg.update(dict(total_timesteps=2_048, num_envs=4, num_steps=64, eval_envs=2, **kw))
    return cfg


@pytest.mark.parametrize("change, match", [
    (dict(env_name="Pendulum-v1"), "discrete action space"),
    (dict(env_name="cartpole"), "unknown environment"),
    (dict(algorithm="sarsa"), "algorithm"),
    (dict(total_timesteps=8), "smaller than one"),
])
def test_bad_config_is_one_clear_error(change, match):
    cfg = _small(pg.actor_critic_config())
    cfg.update(change)
    with pytest.raises(ValueError, match=match):
        pg.make_train(cfg)


def test_unknown_algorithm_name():
    with pytest.raises(ValueError, match="reinforce, actor_critic"):
        pg.default_config("ppo2")


@pytest.mark.slow
@pytest.mark.parametrize("cfg", [pg.reinforce_config(False), pg.reinforce_config(True), pg.actor_critic_config()],
                         ids=["reinforce", "reinforce_baseline", "actor_critic"])
def test_default_config_learns_cartpole(cfg):
    out = jax.jit(jax.vmap(pg.make_train(cfg)))(jax.random.split(jax.random.key(0), 5))
    chex.assert_shape(out["metrics"]["episode_return"], (5, pg.make_agent(cfg).num_updates))
    chex.assert_tree_all_finite(out["runner_state"]["params"])
    if not cfg.baseline:  # no critic is trained without a baseline
        assert float(np.abs(out["metrics"]["value_loss"]).sum()) == 0.0
    returns = np.asarray(out["eval_return"])
    assert (returns >= 475).sum() >= 4, returns
