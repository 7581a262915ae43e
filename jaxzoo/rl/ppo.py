"""Proximal policy optimisation: clipped objective, GAE, minibatch epochs, entropy bonus, clipping, LR decay."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import ml_collections
import optax

from jaxzoo.rl import rl_common as rc
from jaxzoo.rl.networks import INITS, ActorCritic, entropy_from_logp, log_softmax_pick

HPARAMS = ("lr", "gamma", "gae_lambda", "clip_eps", "ent_coef", "vf_coef", "max_grad_norm")


def default_config() -> ml_collections.ConfigDict:
    """Defaults that solve CartPole-v1 in 98,304 steps (80 of 80 seeds: 32 from key(0), 32 from key(1), 16; at
    81,920 steps 79 of 80) and also learn Acrobot-v1 and Catch-bsuite. ``initializer="normal"``: see
    ``networks.kernel_init``."""
    return ml_collections.ConfigDict(dict(
        env_name="CartPole-v1", total_timesteps=98_304, num_envs=8, num_steps=64,
        update_epochs=4, num_minibatches=4, lr=2.5e-3, anneal_lr=True, gamma=0.99, gae_lambda=0.95,
        clip_eps=0.2, ent_coef=0.0, vf_coef=0.5, max_grad_norm=0.5, hidden=(64, 64), activation="tanh",
        initializer="normal", eval_envs=16))


def check_config(config) -> None:
    """One clear ValueError for values PPO cannot use."""
    for name in ("total_timesteps", "num_envs", "num_steps", "update_epochs", "num_minibatches", "eval_envs"):
        if not isinstance(config[name], int) or config[name] <= 0:
            raise ValueError(f"ppo: config.{name} must be a positive integer, got {config[name]!r}")
    for name in ("lr", "gamma", "clip_eps", "max_grad_norm"):
        if not config[name] > 0:
            raise ValueError(f"ppo: config.{name} must be > 0, got {config[name]!r}")
    if not 0 <= config.gae_lambda <= 1 or not 0 < config.gamma <= 1:
        raise ValueError(f"ppo: gamma must be in (0, 1] and gae_lambda in [0, 1], got {config.gamma}, "
                         f"{config.gae_lambda}")
    if config.initializer not in INITS:
        raise ValueError(f"ppo: config.initializer must be one of {INITS}, got {config.initializer!r}")
    batch = config.num_envs * config.num_steps
    if batch % config.num_minibatches:
        raise ValueError(f"ppo: num_minibatches={config.num_minibatches} does not divide the rollout batch "
                         f"num_envs*num_steps={batch}; pick a divisor of {batch}")
    if config.total_timesteps < batch:
        raise ValueError(f"ppo: total_timesteps={config.total_timesteps} is smaller than one rollout ({batch})")


def make_agent(config) -> rc.Agent:
    check_config(config)
    env, env_params = rc.make_env(config.env_name, algorithm="PPO")
    n_act, obs_shape = rc.num_actions(env, env_params), rc.obs_shape(env, env_params)
    net = ActorCritic(n_act, tuple(config.hidden), config.activation, len(obs_shape), config.initializer)
    n_envs, n_steps, n_mb, epochs = config.num_envs, config.num_steps, config.num_minibatches, config.update_epochs
    batch = n_envs * n_steps
    num_updates = config.total_timesteps // batch
    anneal = bool(config.anneal_lr)

    def tx_for(hp, update_idx):
        lr = hp["lr"] * rc.linear_fraction(update_idx, num_updates, anneal)
        return optax.flatten(optax.chain(optax.clip_by_global_norm(hp["max_grad_norm"]), optax.adam(lr, eps=1e-5)))

    def init(key, hp):
        k_net, k_env, key = jax.random.split(key, 3)
        obs, env_state = rc.reset_envs(env, env_params, k_env, n_envs)
        params = net.init(k_net, obs)["params"]
        opt_state = tx_for(hp, jnp.zeros((), jnp.int32)).init(params)
        return dict(params=params, opt_state=opt_state, env_state=env_state, obs=obs,
                    stats=rc.EpisodeStats.zeros(n_envs), key=key, hp=hp, update_idx=jnp.zeros((), jnp.int32),
                    episode_return=jnp.zeros(()))

    def policy(params, obs, noise):
        logits, value = net.apply({"params": params}, obs)
        action = rc.sample_categorical(logits, noise)
        return action, log_softmax_pick(logits, action)[0], value

    def loss_fn(params, mb, hp):
        logits, value = net.apply({"params": params}, mb["obs"])
        logp_a, logp = log_softmax_pick(logits, mb["action"])
        ratio = jnp.exp(logp_a - mb["log_prob"])
        adv = (mb["adv"] - mb["adv"].mean()) / (mb["adv"].std() + 1e-8)
        clipped = jnp.clip(ratio, 1.0 - hp["clip_eps"], 1.0 + hp["clip_eps"])
        pg_loss = -jnp.minimum(ratio * adv, clipped * adv).mean()
        v_loss = 0.5 * jnp.square(value - mb["target"]).mean()
        entropy = entropy_from_logp(logp).mean()
        return pg_loss + hp["vf_coef"] * v_loss - hp["ent_coef"] * entropy, (pg_loss, v_loss, entropy)

    def update(rs):
        hp, params = rs["hp"], rs["params"]
        key, k_roll, k_perm = jax.random.split(rs["key"], 3)
        env_state, obs, stats, traj, ep_ret, ep_done = rc.rollout(
            env, env_params, policy, params, rs["env_state"], rs["obs"], rs["stats"], k_roll, n_steps)
        values = net.apply({"params": params}, jnp.concatenate([traj.final_obs, obs[None]]), method="value")
        reward = rc.bootstrap_truncated(traj.reward, traj.truncated, values[:-1], hp["gamma"])
        adv, target = rc.gae(reward, traj.value, traj.terminated | traj.truncated, values[-1],
                             hp["gamma"], hp["gae_lambda"])
        data = dict(obs=traj.obs, action=traj.action, log_prob=traj.log_prob, adv=adv, target=target)
        data = jax.tree.map(lambda x: x.reshape((batch,) + x.shape[2:]), data)
        tx = tx_for(hp, rs["update_idx"])

        def minibatch(carry, mb):
            params, opt_state = carry
            grads, aux = jax.grad(loss_fn, has_aux=True)(params, mb, hp)
            updates, opt_state = tx.update(grads, opt_state, params)
            return (optax.apply_updates(params, updates), opt_state), aux

        def epoch(carry, k):
            perm = jax.random.permutation(k, batch)
            mbs = jax.tree.map(lambda x: x[perm].reshape((n_mb, batch // n_mb) + x.shape[1:]), data)
            return jax.lax.scan(minibatch, carry, mbs)

        (params, opt_state), (pg, vl, ent) = jax.lax.scan(
            epoch, (params, rs["opt_state"]), jax.random.split(k_perm, epochs))
        ep_mean = rc.finished_mean(ep_ret, ep_done, rs["episode_return"])
        rs = dict(params=params, opt_state=opt_state, env_state=env_state, obs=obs, stats=stats, key=key, hp=hp,
                  update_idx=rs["update_idx"] + 1, episode_return=ep_mean)
        return rs, dict(episode_return=ep_mean, policy_loss=pg.mean(), value_loss=vl.mean(), entropy=ent.mean())

    def act(params, obs):
        return jnp.argmax(net.apply({"params": params}, obs, method="logits"), -1)

    def evaluate(rs, key):
        return rc.greedy_return(env, env_params, act, rs["params"], key, config.eval_envs,
                                rc.max_episode_steps(env_params))

    return rc.Agent(init, update, evaluate, act, num_updates, batch, rc.hparams_from(config, HPARAMS))


def make_train(config):
    """``train(key, hparams=None) -> {"runner_state", "metrics", "eval_return"}``, one compiled function."""
    return rc.make_train(make_agent(config))
