"""Deep Q-networks: DQN with replay and a target network, Double DQN, Dueling DQN, prioritised replay.

An iteration collects ``num_steps`` epsilon-greedy steps in each of ``num_envs`` environments,
then takes ``gradient_steps`` Adam steps on replayed batches; the target network follows the online
one every ``target_update_interval`` iterations (Polyak-averaged with ``tau`` < 1). Every ``eval_every``
iterations the greedy policy is evaluated and the best parameters so far are kept (``best_params``);
the final evaluation and the saved policy use them, as a run keeps its best checkpoint. The buffer is
first filled with ``learning_starts`` uniformly random steps. Each variant is a config flag
(``double``, ``dueling``, ``prioritised``), so any combination works.
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
from jaxzoo.rl.networks import INITS, QNetwork

HPARAMS = ("lr", "gamma", "tau", "eps_end", "per_alpha", "per_beta0", "max_grad_norm")


def default_config() -> ml_collections.ConfigDict:
    """Double + dueling DQN, one gradient step per environment step, keeping the parameters of the best
    greedy check (64 episodes every 8 updates): CartPole-v1 solved by 20 of 20 seeds (10 from key(0), 10 from
    key(1)) and 5 of 5 in ``jaxzoo run rl_dqn``; Acrobot-v1 -82 (5/5 above -100)."""
    return ml_collections.ConfigDict(dict(
        env_name="CartPole-v1", total_timesteps=50_000, num_envs=4, num_steps=64, buffer_size=50_000,
        batch_size=64, learning_starts=1_000, gradient_steps=256, lr=1e-3, anneal_lr=True, gamma=0.99,
        target_update_interval=1, tau=1.0, eps_start=1.0, eps_end=0.04, exploration_fraction=0.1,
        double=True, dueling=True, prioritised=False, per_alpha=0.6, per_beta0=0.4, loss="huber",
        max_grad_norm=10.0, hidden=(128, 128), activation="relu", initializer="orthogonal", eval_envs=64,
        eval_every=8))


def check_config(config) -> None:
    """One clear ValueError for values DQN cannot use."""
    for name in ("total_timesteps", "num_envs", "num_steps", "buffer_size", "batch_size", "gradient_steps",
                 "target_update_interval", "eval_envs"):
        if not isinstance(config[name], int) or config[name] <= 0:
            raise ValueError(f"dqn: config.{name} must be a positive integer, got {config[name]!r}")
    if config.initializer not in INITS:
        raise ValueError(f"dqn: config.initializer must be one of {INITS}, got {config.initializer!r}")
    if not isinstance(config.eval_every, int) or config.eval_every < 0:
        raise ValueError(f"dqn: config.eval_every must be an integer >= 0 (0: keep the last parameters), "
                         f"got {config.eval_every!r}")
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
    if config.total_timesteps < config.num_envs * config.num_steps:
        raise ValueError(f"dqn: total_timesteps={config.total_timesteps} is smaller than one rollout "
                         f"(num_envs*num_steps={config.num_envs * config.num_steps})")


def td_target(reward, terminated, q_next_target, q_next_online=None, gamma=0.99):
    """r + gamma * Q_target(s', a*) unless the episode terminated; a* = argmax of the online net when given
    (Double DQN), else of the target net. Truncated transitions carry their true s', so they bootstrap."""
    a_star = jnp.argmax(q_next_target if q_next_online is None else q_next_online, -1)
    q_next = jnp.take_along_axis(q_next_target, a_star[..., None], -1)[..., 0]
    return reward + gamma * (1.0 - terminated.astype(jnp.float32)) * q_next


def _flat_items(traj: rc.Transition) -> dict:
    items = dict(obs=traj.obs, action=traj.action, reward=traj.reward, next_obs=traj.final_obs,
                 terminated=traj.terminated)
    return jax.tree.map(lambda x: x.reshape((-1,) + x.shape[2:]), items)


def make_agent(config) -> rc.Agent:
    check_config(config)
    env, env_params = rc.make_env(config.env_name, algorithm="DQN")
    n_act, obs_shape = rc.num_actions(env, env_params), rc.obs_shape(env, env_params)
    net = QNetwork(n_act, tuple(config.hidden), config.activation, bool(config.dueling), len(obs_shape),
                   config.initializer)
    n_envs, n_steps, batch_size = config.num_envs, config.num_steps, config.batch_size
    warmup_steps = -(-config.learning_starts // n_envs)
    num_updates = max((config.total_timesteps - warmup_steps * n_envs) // (n_envs * n_steps), 1)
    explore_iters = max(int(config.exploration_fraction * num_updates), 1)
    double, prioritised, anneal, huber = bool(config.double), bool(config.prioritised), bool(config.anneal_lr), \
        config.loss == "huber"

    def tx_for(hp, it):
        lr = hp["lr"] * rc.linear_fraction(it, num_updates, anneal)
        return optax.chain(optax.clip_by_global_norm(hp["max_grad_norm"]), optax.adam(lr))

    def q_values(params, obs):
        return net.apply({"params": params}, obs)

    def init(key, hp):
        k_check = jax.random.fold_in(key, 1)
        k_net, k_env, key = jax.random.split(key, 3)
        obs, env_state = rc.reset_envs(env, env_params, k_env, n_envs)
        params = net.init(k_net, obs)["params"]
        item = dict(obs=obs[0], action=jnp.zeros((), jnp.int32), reward=jnp.zeros(()),
                    next_obs=obs[0], terminated=jnp.zeros((), bool))
        buffer = replay.init(item, config.buffer_size)
        stats = rc.EpisodeStats.zeros(n_envs)
        if warmup_steps:  # fill the buffer with uniformly random actions before learning starts
            key, k_warm = jax.random.split(key)
            def random_policy(params, obs, noise):
                return (jnp.argmax(noise[:, :n_act], -1),) + (jnp.zeros(n_envs),) * 2

            env_state, obs, stats, traj, _, _ = rc.rollout(env, env_params, random_policy, params, env_state, obs,
                                                           stats, k_warm, warmup_steps)
            buffer = replay.add(buffer, _flat_items(traj))
        rs = dict(params=params, target=params, opt_state=tx_for(hp, jnp.zeros((), jnp.int32)).init(params),
                  buffer=buffer, env_state=env_state, obs=obs, stats=stats, key=key, hp=hp,
                  update_idx=jnp.zeros((), jnp.int32), episode_return=jnp.zeros(()))
        if config.eval_every:  # only runs with checks keep best parameters (see rc.final_params)
            rs |= dict(best_params=params, best_return=jnp.full((), -jnp.inf), check_key=k_check)
        return rs

    def loss_fn(params, target, batch, weights, hp):
        q = jnp.take_along_axis(q_values(params, batch["obs"]), batch["action"][:, None], -1)[:, 0]
        q_next_target = q_values(target, batch["next_obs"])
        q_next_online = q_values(params, batch["next_obs"]) if double else None
        y = td_target(batch["reward"], batch["terminated"], q_next_target, q_next_online, hp["gamma"])
        td = q - jax.lax.stop_gradient(y)
        per_item = optax.huber_loss(td) if huber else 0.5 * jnp.square(td)
        return (weights * per_item).mean(), (td, q.mean())

    def learn(carry, key, buffer, tx, beta, hp):
        """One gradient step on a batch from ``buffer``; carry = (params, opt_state, priorities, target)."""
        params, opt_state, priorities, target = carry
        buffer = buffer.replace(priorities=priorities)
        batch, idx, weights = replay.sample(buffer, key, batch_size, prioritised=prioritised, beta=beta)
        grads, (td, q_mean) = jax.grad(loss_fn, has_aux=True)(params, target, batch, weights, hp)
        updates, opt_state = tx.update(grads, opt_state, params)
        if prioritised:
            priorities = priorities.at[idx].set((jnp.abs(td) + 1e-6) ** hp["per_alpha"])
        return (optax.apply_updates(params, updates), opt_state, priorities, target), (jnp.mean(td * td), q_mean)

    def update(rs):
        """Collect num_steps x num_envs epsilon-greedy steps into the buffer, then take gradient_steps."""
        hp, it = rs["hp"], rs["update_idx"]
        key, k_roll, k_learn = jax.random.split(rs["key"], 3)
        frac = jnp.clip(it.astype(jnp.float32) / explore_iters, 0.0, 1.0)
        eps = config.eps_start + frac * (hp["eps_end"] - config.eps_start)

        def eps_greedy(params, obs, noise):
            greedy = jnp.argmax(q_values(params, obs), -1)
            random_a = jnp.argmax(noise[:, :n_act], -1)  # argmax of iid uniforms: a uniform action
            action = jnp.where(noise[:, n_act] < eps, random_a, greedy)
            return action, jnp.zeros(action.shape), jnp.zeros(action.shape)

        env_state, obs, stats, traj, ep_ret, ep_done = rc.rollout(
            env, env_params, eps_greedy, rs["params"], rs["env_state"], rs["obs"], rs["stats"], k_roll, n_steps)
        buffer = replay.add(rs["buffer"], _flat_items(traj))
        rs = {**rs, "buffer": buffer, "env_state": env_state, "obs": obs, "stats": stats, "key": key}
        tx = tx_for(hp, it)
        beta = hp["per_beta0"] + (1.0 - hp["per_beta0"]) * it.astype(jnp.float32) / num_updates
        sync = (it % config.target_update_interval) == 0
        target = jax.tree.map(lambda o, t: jnp.where(sync, hp["tau"] * o + (1 - hp["tau"]) * t, t),
                              rs["params"], rs["target"])
        carry = (rs["params"], rs["opt_state"], buffer.priorities, target)
        carry, (loss, q) = jax.lax.scan(lambda c, k: learn(c, k, buffer, tx, beta, hp), carry,
                                        jax.random.split(k_learn, config.gradient_steps))
        params, opt_state, priorities, target = carry
        if prioritised:
            buffer = buffer.replace(priorities=priorities, max_priority=jnp.maximum(buffer.max_priority,
                                                                                    priorities.max()))
        rs = {**rs, "params": params, "opt_state": opt_state, "target": target, "buffer": buffer}
        ep_mean = rc.finished_mean(ep_ret, ep_done, rs["episode_return"])
        rs = {**rs, "update_idx": it + 1, "episode_return": ep_mean}
        return rs, dict(episode_return=ep_mean, td_loss=loss.mean(), q_mean=q.mean(), epsilon=eps)

    def act(params, obs):
        return jnp.argmax(q_values(params, obs), -1)

    def greedy(params, key):
        return rc.greedy_return(env, env_params, act, params, key, config.eval_envs, rc.max_episode_steps(env_params))

    def checkpoint(rs):
        """Evaluate the current parameters greedily; keep them if they are the best so far."""
        return rc.keep_best(rs, greedy(rs["params"], jax.random.fold_in(rs["check_key"], rs["update_idx"])))

    def evaluate(rs, key):
        return greedy(rc.final_params(rs), key)

    return rc.Agent(init, update, evaluate, act, num_updates, n_envs * n_steps, rc.hparams_from(config, HPARAMS),
                    config.eval_every, checkpoint)


def make_train(config):
    """``train(key, hparams=None) -> {"runner_state", "metrics", "eval_return"}``, one compiled function."""
    return rc.make_train(make_agent(config))
