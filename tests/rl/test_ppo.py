"""PPO: config errors, compiled training output, hyperparameter sweeps by vmap, chunked resume, CartPole."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxzoo.rl import ppo, runner
from jaxzoo.rl import rl_common as rc


def _small(**kw):
    cfg = ppo.default_config()
    cfg.update(dict(total_timesteps=2048, num_envs=4, num_steps=32, eval_envs=2, **kw))
    return cfg


@pytest.mark.parametrize("change, match", [
    (dict(env_name="CartPole-v9"), "unknown environment"),
    (dict(env_name="Pendulum-v1"), "discrete action space"),
    (dict(num_minibatches=3), "does not divide"),
    (dict(num_envs=0), "positive integer"),
    (dict(total_timesteps=10), "smaller than one rollout"),
])
def test_bad_config_is_one_clear_error(change, match):
    cfg = _small()
    cfg.update(change)
    with pytest.raises(ValueError, match=match):
        ppo.make_train(cfg)


def test_learning_rate_sweep_is_one_vmapped_call():
    agent = ppo.make_agent(_small())
    lrs = jnp.array([0.0, 1e-3, 3e-3])
    hp = {k: jnp.full(3, v) for k, v in agent.hparams.items()} | {"lr": lrs}
    keys = jnp.stack([jax.random.key(0)] * 3)  # same seed: only the learning rate differs
    out = jax.jit(jax.vmap(rc.make_train(agent)))(keys, hp)
    chex.assert_shape(out["metrics"]["episode_return"], (3, agent.num_updates))
    chex.assert_shape(out["eval_return"], (3,))
    chex.assert_tree_all_finite(out["runner_state"]["params"])
    assert np.all((np.asarray(out["eval_return"]) > 0) & (np.asarray(out["eval_return"]) <= 500))
    params = out["runner_state"]["params"]
    init = jax.vmap(agent.init)(jax.vmap(lambda k: jax.random.split(k)[0])(keys), hp)["params"]
    delta = [float(sum(jnp.abs(a - b)[i].sum() for a, b in zip(jax.tree.leaves(params), jax.tree.leaves(init))))
             for i in range(3)]
    assert delta[0] < 1e-3 * delta[1] and delta[1] < delta[2]  # lr 0: unchanged up to float rounding


def test_killed_chunked_run_resumes_to_the_uninterrupted_result(tmp_path):
    agent = ppo.make_agent(_small())
    keys = jax.random.split(jax.random.key(3), 2)
    whole = runner.train_chunked(agent, keys, chunk_updates=5, log=lambda *_: None)
    lines = []

    def killed_after_two_chunks(line):
        lines.append(line)
        if len(lines) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        runner.train_chunked(agent, keys, chunk_updates=5, run_dir=tmp_path, log=killed_after_two_chunks)
    resumed = runner.train_chunked(agent, keys, chunk_updates=5, run_dir=tmp_path, log=lines.append)
    assert lines[2].startswith("resumed at update 10")
    chex.assert_trees_all_close(resumed["runner_state"]["params"], whole["runner_state"]["params"], atol=1e-6)
    np.testing.assert_allclose(resumed["eval_return"], whole["eval_return"])
    np.testing.assert_allclose(resumed["metrics"]["episode_return"], whole["metrics"]["episode_return"])
    assert resumed["metrics"]["episode_return"].shape == (2, agent.num_updates)
    assert len((tmp_path / "metrics.jsonl").read_text().splitlines()) == len(resumed["history"])


@pytest.mark.slow
def test_default_config_solves_cartpole_for_4_of_5_seeds():
    out = jax.jit(jax.vmap(ppo.make_train(ppo.default_config())))(jax.random.split(jax.random.key(0), 5))
    returns = np.asarray(out["eval_return"])
    assert (returns >= 475).sum() >= 4, returns


def test_rollout_gif_of_a_policy(tmp_path):
    from PIL import Image

    from jaxzoo.rl.evaluate import record_episode, save_gif

    agent = ppo.make_agent(_small())
    params = agent.init(jax.random.key(0), {k: jnp.asarray(v) for k, v in agent.hparams.items()})["params"]
    env, env_params = rc.make_env("CartPole-v1")
    obs, _, rewards = record_episode(env, env_params, agent.act, params, jax.random.key(1))
    assert obs.shape == (len(rewards), 4) and 0 < len(rewards) <= 500 and rewards.sum() == len(rewards)
    path = save_gif(obs, tmp_path / "rollout.gif", env_name="CartPole-v1", max_frames=20)
    assert Image.open(path).n_frames == min(20, len(rewards))
