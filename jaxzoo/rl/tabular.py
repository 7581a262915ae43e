"""Tabular learning from experience: Q-learning, SARSA and TD(0) policy evaluation.

``make_train(env, config) -> train(key, hparams=None)``: ``num_envs`` gymnax environments step in
parallel (``vmap``) inside ``lax.scan``; the whole run is one compiled function, and
``jax.jit(jax.vmap(train))(keys)`` trains many agents at once. The swept hyperparameters (learning
rate, epsilon, discount, initial value) are traced leaves of ``hparams``.

Each step gives one transition per environment; transitions that hit the same (s, a) are averaged
(Q(s, a) += alpha * mean TD error), so the update does not depend on how many collide. Targets
bootstrap from ``info["final_observation"]`` and stop only at true termination, not time-outs.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
from flax import struct

ALGORITHMS = ("q_learning", "sarsa", "td0")


@dataclasses.dataclass(frozen=True)
class TabularConfig:
    algorithm: str = "q_learning"      # q_learning | sarsa | td0
    num_envs: int = 64
    num_steps: int = 5_000             # steps per environment
    log_every: int = 250               # steps per environment between metric rows
    lr: float = 0.5                    # learning rate, decayed linearly to lr_end over training ...
    lr_end: float = 0.01
    lr_power: float = 0.0              # ... or, when > 0, per pair: max(lr_end, lr / (1 + visits) ** lr_power)
    epsilon: float = 1.0               # epsilon-greedy exploration, decayed linearly to epsilon_end
    epsilon_end: float = 0.1
    epsilon_decay_fraction: float = 0.5
    discount: float = 0.99
    q_init: float = 0.0

    def __post_init__(self):
        if self.algorithm not in ALGORITHMS:
            raise ValueError(f"algorithm must be one of {ALGORITHMS}, got {self.algorithm!r}")
        for name in ("num_envs", "num_steps", "log_every"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        if self.log_every > self.num_steps:
            raise ValueError(f"log_every ({self.log_every}) must be <= num_steps ({self.num_steps})")
        for name in ("lr", "lr_end", "epsilon", "epsilon_end", "epsilon_decay_fraction"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {v!r}")
        if not 0.0 <= self.lr_power <= 1.0:
            raise ValueError(f"lr_power must be in [0, 1] (0: linear decay over time), got {self.lr_power!r}")
        if not 0.0 < self.discount <= 1.0:
            raise ValueError(f"discount must be in (0, 1], got {self.discount!r}")

    def hparams(self) -> dict:
        return {k: jnp.float32(getattr(self, k))
                for k in ("lr", "lr_end", "lr_power", "epsilon", "epsilon_end", "discount", "q_init")}


@struct.dataclass
class TabularResult:
    table: jax.Array    # [S, A] Q-values (q_learning, sarsa) or [S] state values (td0)
    visits: jax.Array   # [S, A] updates applied to each pair (td0: [S])
    metrics: dict       # each [num_steps // log_every]


def linear_schedule(start, end, progress):
    """``start`` -> ``end`` as ``progress`` goes 0 -> 1 (clipped)."""
    return start + (end - start) * jnp.clip(progress, 0.0, 1.0)


def epsilon_greedy(key, q_rows, epsilon):
    """One action per row of ``q_rows`` [N, A]: uniform with probability epsilon, else greedy (random ties)."""
    u = jax.random.uniform(key, q_rows.shape[:-1] + (q_rows.shape[-1] + 2,))
    best = q_rows >= q_rows.max(-1, keepdims=True)
    greedy = jnp.argmax(jnp.where(best, u[..., 2:], -1.0), axis=-1)
    uniform = jnp.minimum((u[..., 1] * q_rows.shape[-1]).astype(jnp.int32), q_rows.shape[-1] - 1)
    return jnp.where(u[..., 0] < epsilon, uniform, greedy)


def averaged_update(table, visits, index, td_error, lr):
    """table[index] += lr_c * (mean TD error of the c transitions at that index), ``index`` a tuple of arrays.

    lr_c = 1 - (1 - lr)^c is what c sequential updates with rate lr would move a shared target by, so
    collisions between parallel environments neither overshoot nor waste samples.
    """
    total = jnp.zeros_like(table).at[index].add(td_error)
    count = jnp.zeros_like(table).at[index].add(1.0)
    lr_c = 1.0 - (1.0 - lr) ** count
    return table + lr_c * total / jnp.maximum(count, 1.0), visits + count


def make_train(env, config: TabularConfig, env_params=None, *, policy=None, reference=None, mask=None):
    """Build ``train(key, hparams=None) -> TabularResult`` for ``config.algorithm``.

    ``policy`` [S, A] (probabilities) is the policy TD(0) evaluates (and follows). ``reference`` (Q* [S, A]
    or V^pi [S]) and ``mask`` [S] (states to compare, e.g. those reachable) add ``max_error`` (and, for
    Q tables, ``policy_agreement``) to the metrics at every log step.
    """
    params = env.default_params if env_params is None else env_params
    n_states = env.observation_space(params).n
    n_actions = env.action_space(params).n
    algo = config.algorithm
    if algo == "td0":
        if policy is None:
            raise ValueError("algorithm 'td0' evaluates a given policy: pass policy=[S, A] action probabilities")
        policy = jnp.asarray(policy, jnp.float32)
        if policy.shape != (n_states, n_actions):
            raise ValueError(f"policy must have shape [S, A] = [{n_states}, {n_actions}], got {policy.shape}")
    table_shape = (n_states,) if algo == "td0" else (n_states, n_actions)
    if reference is not None:
        reference = jnp.asarray(reference, jnp.float32)
        if reference.shape != table_shape:
            raise ValueError(f"reference must have shape {table_shape} for {algo}, got {reference.shape}")
        mask = jnp.ones(n_states, bool) if mask is None else jnp.asarray(mask, bool)
    n_logs = config.num_steps // config.log_every
    total = n_logs * config.log_every
    decay_steps = max(config.epsilon_decay_fraction * total, 1.0)

    def act(key, table, obs, eps):
        if algo == "td0":
            return jax.random.categorical(key, jnp.log(policy[obs]))
        return epsilon_greedy(key, table[obs], eps)

    def train(key, hparams=None):
        hp = config.hparams() if hparams is None else hparams
        k_reset, k_act, key = jax.random.split(key, 3)
        obs, env_state = jax.vmap(env.reset, in_axes=(0, None))(jax.random.split(k_reset, config.num_envs), params)
        table = jnp.full(table_shape, hp["q_init"], jnp.float32)
        action = act(k_act, table, obs, hp["epsilon"])
        ret = jnp.zeros(config.num_envs)

        def step(carry, t):
            table, visits, obs, env_state, action, ret, key = carry
            key, k_step, k_next, k_final = jax.random.split(key, 4)
            eps = linear_schedule(hp["epsilon"], hp["epsilon_end"], t / decay_steps)
            lr = jnp.where(hp["lr_power"] > 0,
                           jnp.maximum(hp["lr_end"], hp["lr"] * (1.0 + visits) ** -hp["lr_power"]),
                           linear_schedule(hp["lr"], hp["lr_end"], t / total))
            obs2, env_state, reward, term, trunc, info = jax.vmap(env.step, in_axes=(0, 0, 0, None))(
                jax.random.split(k_step, config.num_envs), env_state, action, params)
            final = info["final_observation"]
            next_action = act(k_next, table, obs2, eps)
            live = hp["discount"] * (1.0 - term.astype(jnp.float32))
            if algo == "td0":
                index, bootstrap = (obs,), table[final]
            elif algo == "q_learning":
                index, bootstrap = (obs, action), table[final].max(-1)
            else:  # sarsa: the next action; after a time-out, one drawn at the final observation
                target_action = jnp.where(trunc & ~term, act(k_final, table, final, eps), next_action)
                index, bootstrap = (obs, action), table[final, target_action]
            td_error = reward + live * bootstrap - table[index]
            table, visits = averaged_update(table, visits, index, td_error, lr)
            done = term | trunc
            ret = ret + reward
            stats = (jnp.where(done, ret, 0.0).sum(), done.sum())
            ret = jnp.where(done, 0.0, ret)
            return (table, visits, obs2, env_state, next_action, ret, key), stats

        def log_chunk(carry, i):
            ts = i * config.log_every + jnp.arange(config.log_every, dtype=jnp.float32)
            carry, (ret_sum, n_done) = jax.lax.scan(step, carry, ts)
            table = carry[0]
            n = n_done.sum()
            row = {"env_steps": (i + 1) * config.log_every * config.num_envs,
                   "epsilon": linear_schedule(hp["epsilon"], hp["epsilon_end"], ts[-1] / decay_steps),
                   "lr": jnp.where(hp["lr_power"] > 0, jnp.nan,
                                   linear_schedule(hp["lr"], hp["lr_end"], ts[-1] / total)),
                   "episodes": n, "mean_return": jnp.where(n > 0, ret_sum.sum() / jnp.maximum(n, 1), jnp.nan)}
            if reference is not None:
                row.update(table_errors(table, reference, mask))
            return carry, row

        visits = jnp.zeros(table_shape, jnp.float32)
        carry = (table, visits, obs, env_state, action, ret, key)
        carry, metrics = jax.lax.scan(log_chunk, carry, jnp.arange(n_logs))
        return TabularResult(table=carry[0], visits=carry[1], metrics=metrics)

    return train


def table_errors(table, reference, mask) -> dict:
    """``max_error`` over masked states; for Q tables also ``policy_agreement`` of the greedy actions."""
    err = jnp.abs(table - reference)
    err = err.max(-1) if err.ndim == 2 else err
    out = {"max_error": jnp.where(mask, err, 0.0).max()}
    if table.ndim == 2:
        same = jnp.argmax(table, -1) == jnp.argmax(reference, -1)
        out["policy_agreement"] = (same & mask).sum() / jnp.maximum(mask.sum(), 1)
    return out
