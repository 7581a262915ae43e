"""Vanilla policy gradients: REINFORCE (with or without a learned baseline) and advantage actor-critic.

REINFORCE uses Monte-Carlo returns-to-go of episodes that finish inside the rollout (steps of an
episode still running when the rollout ends are masked out, so every return is complete). With
``baseline=True`` a learned V(s) is subtracted and time-limit truncations bootstrap from V of the
final observation. Actor-critic (A2C) bootstraps n-step / GAE(lambda) targets from its critic,
through truncation but never through termination.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import ml_collections
import optax

from jaxzoo.rl import rl_common as rc
from jaxzoo.rl.networks import ActorCritic, entropy_from_logp, log_softmax_pick

HPARAMS = ("lr", "gamma", "gae_lambda", "ent_coef", "vf_coef", "max_grad_norm")
KINDS = ("reinforce", "actor_critic")


def reinforce_config(baseline: bool = True) -> ml_collections.ConfigDict:
    return ml_collections.ConfigDict(dict(
        algorithm="reinforce", baseline=baseline, env_name="CartPole-v1", total_timesteps=600_000, num_envs=8,
        num_steps=500, lr=5e-3, anneal_lr=True, gamma=0.99, gae_lambda=1.0, ent_coef=0.0, vf_coef=0.5,
        max_grad_norm=1.0, normalize_advantages=True, hidden=(64, 64), activation="tanh", eval_envs=16))


def actor_critic_config() -> ml_collections.ConfigDict:
    """A2C with GAE: 7,812 small updates of 8 envs x 8 steps; 12 of 12 seeds solve CartPole-v1."""
    return ml_collections.ConfigDict(dict(
        algorithm="actor_critic", baseline=True, env_name="CartPole-v1", total_timesteps=500_000, num_envs=8,
        num_steps=8, lr=1.5e-3, anneal_lr=True, gamma=0.99, gae_lambda=0.95, ent_coef=0.0, vf_coef=0.5,
        max_grad_norm=0.5, normalize_advantages=True, hidden=(64, 64), activation="tanh", eval_envs=16))


def default_config(algorithm: str = "actor_critic") -> ml_collections.ConfigDict:
    if algorithm not in KINDS:
        raise ValueError(f"unknown policy-gradient algorithm {algorithm!r}; choose one of {', '.join(KINDS)}")
    return reinforce_config() if algorithm == "reinforce" else actor_critic_config()


def check_config(config) -> None:
    if config.algorithm not in KINDS:
        raise ValueError(f"config.algorithm must be one of {', '.join(KINDS)}, got {config.algorithm!r}")
    for name in ("total_timesteps", "num_envs", "num_steps", "eval_envs"):
        if not isinstance(config[name], int) or config[name] <= 0:
            raise ValueError(f"{config.algorithm}: config.{name} must be a positive integer, got {config[name]!r}")
    if not config.lr > 0 or not 0 < config.gamma <= 1 or not 0 <= config.gae_lambda <= 1:
        raise ValueError(f"{config.algorithm}: need lr > 0, 0 < gamma <= 1, 0 <= gae_lambda <= 1; got "
                         f"lr={config.lr}, gamma={config.gamma}, gae_lambda={config.gae_lambda}")
    if config.total_timesteps < config.num_envs * config.num_steps:
        raise ValueError(f"{config.algorithm}: total_timesteps={config.total_timesteps} is smaller than one "
                         f"rollout (num_envs*num_steps={config.num_envs * config.num_steps})")


def make_agent(config) -> rc.Agent:
    check_config(config)
    name = "REINFORCE" if config.algorithm == "reinforce" else "actor-critic"
    env, env_params = rc.make_env(config.env_name, algorithm=name)
    n_act, obs_shape = rc.num_actions(env, env_params), rc.obs_shape(env, env_params)
    net = ActorCritic(n_act, tuple(config.hidden), config.activation, len(obs_shape))
    n_envs, n_steps = config.num_envs, config.num_steps
    num_updates = config.total_timesteps // (n_envs * n_steps)
    reinforce, baseline, anneal = config.algorithm == "reinforce", bool(config.baseline), bool(config.anneal_lr)
    normalize = bool(config.normalize_advantages)

    def tx_for(hp, it):
        lr = hp["lr"] * rc.linear_fraction(it, num_updates, anneal)
        return optax.chain(optax.clip_by_global_norm(hp["max_grad_norm"]), optax.adam(lr))

    def init(key, hp):
        k_net, k_env, key = jax.random.split(key, 3)
        obs, env_state = rc.reset_envs(env, env_params, k_env, n_envs)
        params = net.init(k_net, obs)["params"]
        return dict(params=params, opt_state=tx_for(hp, jnp.zeros((), jnp.int32)).init(params), env_state=env_state,
                    obs=obs, stats=rc.EpisodeStats.zeros(n_envs), key=key, hp=hp,
                    update_idx=jnp.zeros((), jnp.int32), episode_return=jnp.zeros(()))

    def policy(params, obs, noise):
        logits, value = net.apply({"params": params}, obs)
        action = rc.sample_categorical(logits, noise)
        return action, jnp.zeros(action.shape), value

    def targets(params, traj, last_obs, hp):
        """(advantage, value target, mask) for the [T, N] rollout."""
        done = traj.terminated | traj.truncated
        if reinforce and not baseline:
            g = rc.discounted_returns(traj.reward, done, hp["gamma"])
            return g, g, rc.complete_episode_mask(done)
        values = net.apply({"params": params}, jnp.concatenate([traj.final_obs, last_obs[None]]), method="value")
        reward = rc.bootstrap_truncated(traj.reward, traj.truncated, values[:-1], hp["gamma"])
        if reinforce:
            g = rc.discounted_returns(reward, done, hp["gamma"])
            return g - traj.value, g, rc.complete_episode_mask(done)
        adv, target = rc.gae(reward, traj.value, done, values[-1], hp["gamma"], hp["gae_lambda"])
        return adv, target, jnp.ones_like(adv)

    def loss_fn(params, data, hp):
        logits, value = net.apply({"params": params}, data["obs"])
        logp_a, logp = log_softmax_pick(logits, data["action"])
        mask, adv = data["mask"], data["adv"]
        n = jnp.maximum(mask.sum(), 1.0)
        if normalize:
            mean = (adv * mask).sum() / n
            adv = (adv - mean) / (jnp.sqrt((jnp.square(adv - mean) * mask).sum() / n) + 1e-8)
        pg_loss = -(logp_a * adv * mask).sum() / n
        v_loss = 0.5 * (jnp.square(value - data["target"]) * mask).sum() / n if baseline else 0.0
        entropy = (entropy_from_logp(logp) * mask).sum() / n
        return pg_loss + hp["vf_coef"] * v_loss - hp["ent_coef"] * entropy, (pg_loss, v_loss, entropy)

    def update(rs):
        hp, params = rs["hp"], rs["params"]
        key, k_roll = jax.random.split(rs["key"])
        env_state, obs, stats, traj, ep_ret, ep_done = rc.rollout(
            env, env_params, policy, params, rs["env_state"], rs["obs"], rs["stats"], k_roll, n_steps)
        adv, target, mask = targets(params, traj, obs, hp)
        data = dict(obs=traj.obs, action=traj.action, adv=jax.lax.stop_gradient(adv),
                    target=jax.lax.stop_gradient(target), mask=mask)
        grads, (pg, vl, ent) = jax.grad(loss_fn, has_aux=True)(params, data, hp)
        tx = tx_for(hp, rs["update_idx"])
        updates, opt_state = tx.update(grads, rs["opt_state"], params)
        ep_mean = rc.finished_mean(ep_ret, ep_done, rs["episode_return"])
        rs = {**rs, "params": optax.apply_updates(params, updates), "opt_state": opt_state, "env_state": env_state,
              "obs": obs, "stats": stats, "key": key, "update_idx": rs["update_idx"] + 1, "episode_return": ep_mean}
        return rs, dict(episode_return=ep_mean, policy_loss=pg, value_loss=vl, entropy=ent)

    def act(params, obs):
        return jnp.argmax(net.apply({"params": params}, obs, method="logits"), -1)

    def evaluate(rs, key):
        return rc.greedy_return(env, env_params, act, rs["params"], key, config.eval_envs,
                                rc.max_episode_steps(env_params))

    return rc.Agent(init, update, evaluate, act, num_updates, n_envs * n_steps, rc.hparams_from(config, HPARAMS))


def make_train(config):
    """``train(key, hparams=None) -> {"runner_state", "metrics", "eval_return"}``, one compiled function."""
    return rc.make_train(make_agent(config))
