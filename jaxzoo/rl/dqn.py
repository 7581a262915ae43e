"""Deep Q-networks: DQN with replay and a target network, Double DQN, Dueling DQN, prioritised replay.

Each variant is a config flag (``double``, ``dueling``, ``prioritised``), so any combination works.
Transitions store the true next observation (gymnax's ``final_observation``), and the TD target
bootstraps unless the episode *terminated*: time-limit truncations are bootstrapped.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import ml_collections
import optax

from jaxzoo.rl import replay
from jaxzoo.rl import rl_common as rc
from jaxzoo.rl.networks import QNetwork

HPARAMS = ("lr", "gamma", "tau", "eps_end", "per_alpha", "per_beta0", "max_grad_norm")


def default_config() -> ml_collections.ConfigDict:
    """Double + dueling DQN defaults that solve CartPole-v1 and also learn Acrobot-v1 and Catch-bsuite."""
    return ml_collections.ConfigDict(dict(
        env_name="CartPole-v1", total_timesteps=60_000, num_envs=4, buffer_size=20_000, batch_size=64,
        learning_starts=1_000, gradient_steps=1, lr=1e-3, anneal_lr=True, gamma=0.99,
        target_update_interval=100, tau=1.0, eps_start=1.0, eps_end=0.02, exploration_fraction=0.2,
        double=True, dueling=True, prioritised=False, per_alpha=0.6, per_beta0=0.4, loss="huber",
        max_grad_norm=10.0, hidden=(64, 64), activation="relu", eval_envs=16))


def check_config(config) -> None:
    """One clear ValueError for values DQN cannot use."""
    for name in ("total_timesteps", "num_envs", "buffer_size", "batch_size", "gradient_steps",
                 "target_update_interval", "eval_envs"):
        if not isinstance(config[name], int) or config[name] <= 0:
            raise ValueError(f"dqn: config.{name} must be a positive integer, got {config[name]!r}")
    if config.buffer_size < config.batch_size:
        raise ValueError(f"dqn: buffer_size={config.buffer_size} is smaller than batch_size={config.batch_size}; "
                         f"the buffer must hold at least one batch")
    if config.learning_starts < config.batch_size:
        raise ValueError(f"dqn: learning_starts={config.learning_starts} must be >= batch_size="
                         f"{config.batch_size} so the first batch can be drawn")
    if config.loss not in ("huber", "mse"):
        raise ValueError(f"dqn: config.loss must be 'huber' or 'mse', got {config.loss!r}")
    if not 0 < config.tau <= 1 or not 0 < config.gamma <= 1 or not config.lr > 0:
        raise ValueError(f"dqn: need 0 < tau <= 1, 0 < gamma <= 1, lr > 0; got tau={config.tau}, "
                         f"gamma={config.gamma}, lr={config.lr}")
    if not 0 < config.exploration_fraction <= 1:
        raise ValueError(f"dqn: exploration_fraction must be in (0, 1], got {config.exploration_fraction}")
    if config.total_timesteps < config.num_envs:
        raise ValueError(f"dqn: total_timesteps={config.total_timesteps} is below num_envs={config.num_envs}")


def make_agent(config) -> rc.Agent:
    check_config(config)
    env, env_params = rc.make_env(config.env_name, algorithm="DQN")
    n_act, obs_shape = rc.num_actions(env, env_params), rc.obs_shape(env, env_params)
    net = QNetwork(n_act, tuple(config.hidden), config.activation, bool(config.dueling), len(obs_shape))
    n_envs, batch_size = config.num_envs, config.batch_size
    num_updates = config.total_timesteps // n_envs
    explore_iters = max(int(config.exploration_fraction * num_updates), 1)
    start_iter = config.learning_starts // n_envs
    double, prioritised, anneal, huber = bool(config.double), bool(config.prioritised), bool(config.anneal_lr), \
        config.loss == "huber"

    def tx_for(hp, it):
        lr = hp["lr"] * rc.linear_fraction(it, num_updates, anneal)
        return optax.chain(optax.clip_by_global_norm(hp["max_grad_norm"]), optax.adam(lr))

    def q_values(params, obs):
        return net.apply({"params": params}, obs)

    def init(key, hp):
        k_net, k_env, key = jax.random.split(key, 3)
        obs, env_state = rc.reset_envs(env, env_params, k_env, n_envs)
        params = net.init(k_net, obs)["params"]
        item = dict(obs=obs[0], action=jnp.zeros((), jnp.int32), reward=jnp.zeros(()),
                    next_obs=obs[0], terminated=jnp.zeros((), bool))
        return dict(params=params, target=params, opt_state=tx_for(hp, jnp.zeros((), jnp.int32)).init(params),
                    buffer=replay.init(item, config.buffer_size), env_state=env_state, obs=obs,
                    stats=rc.EpisodeStats.zeros(n_envs), key=key, hp=hp, update_idx=jnp.zeros((), jnp.int32),
                    grad_steps=jnp.zeros((), jnp.int32))

    def loss_fn(params, target, batch, weights, hp):
        q = jnp.take_along_axis(q_values(params, batch["obs"]), batch["action"][:, None], -1)[:, 0]
        q_next_target = q_values(target, batch["next_obs"])
        if double:
            a_star = jnp.argmax(q_values(params, batch["next_obs"]), -1)
        else:
            a_star = jnp.argmax(q_next_target, -1)
        q_next = jnp.take_along_axis(q_next_target, a_star[:, None], -1)[:, 0]
        y = batch["reward"] + hp["gamma"] * (1.0 - batch["terminated"].astype(jnp.float32)) * q_next
        td = q - jax.lax.stop_gradient(y)
        per_item = optax.huber_loss(td) if huber else 0.5 * jnp.square(td)
        return (weights * per_item).mean(), (td, q.mean())

    def learn(rs, key, tx, beta, active):
        """One gradient step on a sampled batch; ``active`` masks it (before learning_starts)."""
        buffer = rs["buffer"]
        batch, idx, weights = replay.sample(buffer, key, batch_size, prioritised=prioritised, beta=beta)
        grads, (td, q_mean) = jax.grad(loss_fn, has_aux=True)(rs["params"], rs["target"], batch, weights, rs["hp"])
        updates, opt_state = tx.update(grads, rs["opt_state"], rs["params"])
        keep = lambda new, old: jax.tree.map(lambda a, b: jnp.where(active, a, b), new, old)  # noqa: E731
        params = keep(optax.apply_updates(rs["params"], updates), rs["params"])
        opt_state = keep(opt_state, rs["opt_state"])
        if prioritised:
            p = (jnp.abs(td) + 1e-6) ** rs["hp"]["per_alpha"]
            p = jnp.where(active, p, buffer.priorities[idx])
            buffer = buffer.replace(priorities=buffer.priorities.at[idx].set(p),
                                    max_priority=jnp.maximum(buffer.max_priority, p.max()))
        grad_steps = rs["grad_steps"] + active.astype(jnp.int32)
        sync = active & ((grad_steps % config.target_update_interval) == 0)
        tau = rs["hp"]["tau"]
        target = jax.tree.map(lambda o, t: jnp.where(sync, tau * o + (1 - tau) * t, t), params, rs["target"])
        rs = {**rs, "params": params, "target": target, "opt_state": opt_state, "buffer": buffer,
              "grad_steps": grad_steps}
        return rs, jnp.mean(jnp.square(td)) * active, q_mean * active

    def update(rs):
        hp, it = rs["hp"], rs["update_idx"]
        key, k_eps, k_act, k_env, k_learn = jax.random.split(rs["key"], 5)
        frac = jnp.clip(it.astype(jnp.float32) / explore_iters, 0.0, 1.0)
        eps = config.eps_start + frac * (hp["eps_end"] - config.eps_start)
        greedy = jnp.argmax(q_values(rs["params"], rs["obs"]), -1)
        random_a = jax.random.randint(k_act, (n_envs,), 0, n_act)
        action = jnp.where(jax.random.uniform(k_eps, (n_envs,)) < eps, random_a, greedy)
        next_obs, env_state, reward, term, trunc, final_obs = rc.step_envs(
            env, env_params, k_env, rs["env_state"], action)
        buffer = replay.add(rs["buffer"], dict(obs=rs["obs"], action=action, reward=reward,
                                               next_obs=final_obs, terminated=term))
        stats = rs["stats"].record(reward, term | trunc)
        rs = {**rs, "buffer": buffer, "env_state": env_state, "obs": next_obs, "stats": stats, "key": key}
        tx = tx_for(hp, it)
        beta = hp["per_beta0"] + (1.0 - hp["per_beta0"]) * it.astype(jnp.float32) / num_updates

        active = it >= start_iter

        def one(rs, k):
            rs, loss, q = learn(rs, k, tx, beta, active)
            return rs, (loss, q)

        rs, (loss, q) = jax.lax.scan(one, rs, jax.random.split(k_learn, config.gradient_steps))
        loss, q = loss.mean(), q.mean()
        rs = {**rs, "update_idx": it + 1}
        done_mean = rc.finished_mean(stats.last, term | trunc, jnp.nan)
        return rs, dict(episode_return=stats.last.mean(), finished_return=done_mean, td_loss=loss, q_mean=q,
                        epsilon=eps)

    def act(params, obs):
        return jnp.argmax(q_values(params, obs), -1)

    def evaluate(rs, key):
        return rc.greedy_return(env, env_params, act, rs["params"], key, config.eval_envs,
                                rc.max_episode_steps(env_params))

    return rc.Agent(init, update, evaluate, act, num_updates, n_envs, rc.hparams_from(config, HPARAMS))


def make_train(config):
    """``train(key, hparams=None) -> {"runner_state", "metrics", "eval_return"}``, one compiled function."""
    return rc.make_train(make_agent(config))
