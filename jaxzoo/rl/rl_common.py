"""Shared pieces of the deep RL agents: gymnax environments, vectorised rollouts, GAE, the agent protocol."""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

import gymnax
import jax
import jax.numpy as jnp
import numpy as np
from gymnax.environments import spaces


class Agent(NamedTuple):
    """A deep RL algorithm as pure functions, so training is one compiled ``lax.scan``.

    ``init(key, hparams) -> runner_state`` (hparams: a dict of scalars, traced so they can be vmapped),
    ``update(runner_state) -> (runner_state, metrics)`` (one iteration: collect experience, learn),
    ``evaluate(runner_state, key) -> mean greedy return`` and ``act(params, obs) -> greedy action``.
    With ``eval_every`` > 0, ``checkpoint(runner_state) -> runner_state`` runs after every ``eval_every``
    updates (and after the last one): agents use it to keep the parameters of their best greedy
    evaluation in ``runner_state["best_params"]``, as a run keeps its best checkpoint.
    """

    init: Callable
    update: Callable
    evaluate: Callable
    act: Callable
    num_updates: int
    steps_per_update: int
    hparams: dict
    eval_every: int = 0
    checkpoint: Callable | None = None


def make_env(name: str, *, discrete_only: bool = True, algorithm: str = "this algorithm"):
    """``gymnax.make(name)`` with one clear error for unknown names or (for discrete agents) Box actions."""
    if not isinstance(name, str) or name not in gymnax.registered_envs:
        raise ValueError(f"unknown environment {name!r}; gymnax provides: {', '.join(gymnax.registered_envs)}")
    env, env_params = gymnax.make(name)
    space = env.action_space(env_params)
    if discrete_only and not isinstance(space, spaces.Discrete):
        raise ValueError(f"{algorithm} needs a discrete action space, but {name!r} has a continuous one "
                         f"({type(space).__name__}); pick a discrete environment such as CartPole-v1")
    return env, env_params


def num_actions(env, env_params) -> int:
    return int(env.action_space(env_params).n)


def obs_shape(env, env_params) -> tuple[int, ...]:
    return tuple(env.observation_space(env_params).shape)


def reset_envs(env, env_params, key, num_envs: int):
    return jax.vmap(env.reset, in_axes=(0, None))(jax.random.split(key, num_envs), env_params)


def step_keys(key, num_steps: int, num_envs: int):
    """Every (step, reset) key of a rollout in one draw, [num_steps, num_envs, 2] (no RNG inside the loop)."""
    return jax.random.split(key, num_steps * num_envs * 2).reshape(num_steps, num_envs, 2)


def step_envs(env, env_params, keys, state, action):
    """Step a batch of environments with auto-reset, as gymnax's ``env.step`` does, from pre-drawn
    ``keys`` [N, 2]; returns obs, state, reward, terminated, truncated, final_obs (before any reset)."""

    def one(k, s, a):
        obs_st, s_st, reward, terminated, _ = env.step_env(k[0], s, a, env_params)
        truncated = env.is_truncated(s_st, env_params)
        done = jnp.logical_or(terminated, truncated)
        obs_re, s_re = env.reset_env(k[1], env_params)
        pick = lambda x, y: jax.lax.select(done, x, y)  # noqa: E731
        return (jax.tree.map(pick, obs_re, obs_st), jax.tree.map(pick, s_re, s_st), reward, terminated,
                truncated, obs_st)

    obs, state, reward, term, trunc, final_obs = jax.vmap(one)(keys, state, action)
    return obs, state, reward.astype(jnp.float32), term, trunc, final_obs


def policy_noise(key, num_steps: int, num_envs: int, num_actions: int):
    """Uniform(0, 1) noise [T, N, A + 1] a policy turns into actions (Gumbel-max, epsilon-greedy)."""
    return jax.random.uniform(key, (num_steps, num_envs, num_actions + 1), minval=1e-12, maxval=1.0)


def sample_categorical(logits, noise):
    """Gumbel-max sample from ``logits`` [N, A] using uniform ``noise`` [N, >= A]."""
    u = noise[..., : logits.shape[-1]]
    return jnp.argmax(logits - jnp.log(-jnp.log(u)), -1)


class Transition(NamedTuple):
    obs: jax.Array
    action: jax.Array
    log_prob: jax.Array
    value: jax.Array
    reward: jax.Array
    terminated: jax.Array
    truncated: jax.Array
    final_obs: jax.Array


class EpisodeStats(NamedTuple):
    """Running undiscounted return per environment, and the return of the last finished episode."""

    running: jax.Array
    last: jax.Array

    @staticmethod
    def zeros(num_envs: int) -> "EpisodeStats":
        return EpisodeStats(jnp.zeros(num_envs), jnp.zeros(num_envs))

    def record(self, reward, done) -> "EpisodeStats":
        running = self.running + reward
        return EpisodeStats(jnp.where(done, 0.0, running), jnp.where(done, running, self.last))


def finished_mean(returns, done, fallback):
    """Mean undiscounted return of the episodes that ended in a rollout (``fallback`` if none did)."""
    n = done.sum()
    return jnp.where(n > 0, (returns * done).sum() / jnp.maximum(n, 1), fallback)


def rollout(env, env_params, policy_fn, params, env_state, obs, stats, key, num_steps: int):
    """``num_steps`` steps of ``policy_fn(params, obs, noise) -> (action, log_prob, value)`` in every env.

    ``noise`` is uniform [N, A + 1] (see ``policy_noise``); all random numbers are drawn before the
    scan, which keeps the compiled loop small. Returns the final (env_state, obs, stats), the stacked
    ``Transition`` s ([T, N, ...]) and the return of each finished episode per step with its mask.
    """
    num_envs = jax.tree.leaves(obs)[0].shape[0]
    k_env, k_noise = jax.random.split(key)
    n_act = num_actions(env, env_params)
    xs = (step_keys(k_env, num_steps, num_envs), policy_noise(k_noise, num_steps, num_envs, n_act))

    def one(carry, x):
        env_state, obs, stats = carry
        keys, noise = x
        action, log_prob, value = policy_fn(params, obs, noise)
        next_obs, env_state, reward, term, trunc, final_obs = step_envs(env, env_params, keys, env_state, action)
        done = term | trunc
        stats = stats.record(reward, done)
        tr = Transition(obs, action, log_prob, value, reward, term, trunc, final_obs)
        return (env_state, next_obs, stats), (tr, stats.last, done)

    (env_state, obs, stats), (traj, ep_ret, ep_done) = jax.lax.scan(one, (env_state, obs, stats), xs)
    return env_state, obs, stats, traj, ep_ret, ep_done


def bootstrap_truncated(reward, truncated, final_value, gamma):
    """Add ``gamma * V(final_obs)`` where an episode was cut by a time limit (never at termination)."""
    return reward + gamma * truncated.astype(reward.dtype) * final_value


def gae(reward, value, done, last_value, gamma, lam):
    """Generalised advantage estimates and value targets for [T, N] arrays; ``done`` cuts the trace."""
    not_done = 1.0 - done.astype(reward.dtype)

    def back(carry, x):
        adv_next, v_next = carry
        r, v, nd = x
        delta = r + gamma * v_next * nd - v
        adv = delta + gamma * lam * nd * adv_next
        return (adv, v), adv

    _, adv = jax.lax.scan(back, (jnp.zeros_like(last_value), last_value), (reward, value, not_done), reverse=True)
    return adv, adv + value


def discounted_returns(reward, done, gamma, last_value=None):
    """Returns-to-go within a [T, N] rollout, reset at ``done``; ``last_value`` bootstraps the tail."""
    not_done = 1.0 - done.astype(reward.dtype)
    tail = jnp.zeros(reward.shape[1:], reward.dtype) if last_value is None else last_value

    def back(g_next, x):
        r, nd = x
        g = r + gamma * nd * g_next
        return g, g

    _, g = jax.lax.scan(back, tail, (reward, not_done), reverse=True)
    return g


def complete_episode_mask(done):
    """1 where a step's episode ends inside the rollout (so its Monte-Carlo return is complete)."""
    later = jax.lax.cummax(done.astype(jnp.float32)[::-1], axis=0)[::-1]
    return later


def linear_fraction(update_idx, num_updates, anneal: bool):
    """1 -> 0 over training when ``anneal``; always 1 otherwise."""
    frac = 1.0 - update_idx.astype(jnp.float32) / num_updates
    return jnp.where(anneal, frac, 1.0)


def greedy_return(env, env_params, act_fn, params, key, num_envs: int, max_steps: int):
    """Mean undiscounted return of the first episode of ``num_envs`` envs under ``act_fn(params, obs)``."""
    k_reset, k_run = jax.random.split(key)
    obs, state = reset_envs(env, env_params, k_reset, num_envs)

    def step_once(k, s, a):  # no auto-reset: only the first episode counts, later steps are masked out
        obs, s, reward, terminated, _ = env.step_env(k[0], s, a, env_params)
        return obs, s, reward, terminated | env.is_truncated(s, env_params)

    def one(carry, keys):
        obs, state, total, alive = carry
        action = act_fn(params, obs)
        obs, state, reward, done = jax.vmap(step_once)(keys, state, action)
        total = total + jnp.where(alive > 0, reward, 0.0)
        alive = alive * (1.0 - done.astype(jnp.float32))
        return (obs, state, total, alive), None

    init = (obs, state, jnp.zeros(num_envs), jnp.ones(num_envs))
    (_, _, total, _), _ = jax.lax.scan(one, init, step_keys(k_run, max_steps, num_envs))
    return total.mean()


def max_episode_steps(env_params, default: int = 1000) -> int:
    return int(getattr(env_params, "max_steps_in_episode", default))


def hparams_from(config, names) -> dict[str, Any]:
    """The swept-able hyperparameters of ``config`` as float32 scalars (traced leaves inside ``train``)."""
    return {n: np.float32(config[n]) for n in names}


def compiler_options() -> dict:
    """XLA options for compiling whole RL runs. On CPU, LLVM optimisation level 1 instead of the default 3:
    these graphs are hundreds of small kernels, so code generation dominates a cold start, and level 1
    builds them in about half the time while they run as fast (experiments/bench/rl_cartpole.py)."""
    return {"xla_backend_optimization_level": 1} if jax.default_backend() == "cpu" else {}


def jit(fn, **kwargs):
    """``jax.jit`` with ``compiler_options()``: use it for ``jit(vmap(train))``."""
    return jax.jit(fn, compiler_options=compiler_options(), **kwargs)


def keep_best(rs: dict, eval_return) -> dict:
    """Keep ``rs["params"]`` as ``rs["best_params"]`` when ``eval_return`` is at least ``rs["best_return"]``."""
    better = eval_return >= rs["best_return"]
    best = jax.tree.map(lambda b, p: jnp.where(better, p, b), rs["best_params"], rs["params"])
    return {**rs, "best_params": best, "best_return": jnp.where(better, eval_return, rs["best_return"])}


def final_params(rs: dict):
    """The parameters a run hands back: the best evaluated ones when the agent keeps them, else the last."""
    return rs.get("best_params", rs["params"])


def scan_updates(agent: Agent, rs, num: int, *, last: bool):
    """``num`` updates in ``lax.scan``, with ``agent.checkpoint`` after every ``eval_every`` of them (runs
    start at a multiple of ``eval_every``) and, when ``last`` ends training, after the final update."""
    def plain(rs, n):
        return jax.lax.scan(lambda c, _: agent.update(c), rs, None, n)

    if not agent.eval_every:
        return plain(rs, num)
    periods, rest = divmod(num, agent.eval_every)
    parts = []
    if periods:
        def period(c, _):
            c, m = plain(c, agent.eval_every)
            return agent.checkpoint(c), m

        rs, m = jax.lax.scan(period, rs, None, periods)
        parts.append(jax.tree.map(lambda x: x.reshape((-1,) + x.shape[2:]), m))
    if rest:
        rs, m = plain(rs, rest)
        parts.append(m)
        if last:
            rs = agent.checkpoint(rs)
    return rs, jax.tree.map(lambda *xs: jnp.concatenate(xs), *parts)


def make_train(agent: Agent):
    """``train(key, hparams=None)``: init, ``lax.scan`` over every update, then a greedy evaluation."""

    def train(key, hparams=None):
        hp = {k: jnp.asarray(v, jnp.float32) for k, v in (agent.hparams if hparams is None else hparams).items()}
        k_init, k_eval = jax.random.split(key)
        rs = agent.init(k_init, hp)
        rs, metrics = scan_updates(agent, rs, agent.num_updates, last=True)
        return {"runner_state": rs, "metrics": metrics, "eval_return": agent.evaluate(rs, k_eval)}

    return train
