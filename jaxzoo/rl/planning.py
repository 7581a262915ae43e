"""Planning with a known model: value iteration, Q-value iteration, exact policy evaluation.

All functions take a ``TabularMDP`` pytree and are pure, so they jit and ``jax.vmap`` over a stack
of MDPs (map variants) or over discounts: ``jax.vmap(lambda g: value_iteration(mdp.replace(discount=g)))``.
Sweeps run in a ``lax.while_loop`` until the max-norm change is below ``tol`` (or ``max_sweeps``);
the residual of every sweep is returned (``nan`` after the last one).
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
from flax import struct

from jaxzoo.rl.tabular_mdp import TabularMDP


@struct.dataclass
class PlanningResult:
    values: jax.Array      # [S] V = max_a Q
    q_values: jax.Array    # [S, A]
    policy: jax.Array      # [S] greedy action (lowest index among ties)
    residuals: jax.Array   # [max_sweeps] max |V_k+1 - V_k| (or |Q_k+1 - Q_k|); nan after the last sweep
    num_sweeps: jax.Array  # [] sweeps done
    converged: jax.Array   # [] residual fell below tol


def expected_next_value(mdp: TabularMDP, values: jax.Array) -> jax.Array:
    """[S, A]: sum_s' P(s'|s,a) V(s'), with terminal next states counted as 0."""
    v = jnp.where(mdp.terminal, 0.0, values)
    return (mdp.probs * v[mdp.next_states]).sum(-1)


def q_backup(mdp: TabularMDP, values: jax.Array) -> jax.Array:
    """One Bellman backup: Q(s, a) = R(s, a) + discount * E[V(s')]."""
    return mdp.R + mdp.discount * expected_next_value(mdp, values)


def greedy_policy(q_values: jax.Array) -> jax.Array:
    return jnp.argmax(q_values, axis=-1).astype(jnp.int32)


def _iterate(update, x0, tol, max_sweeps):
    """Apply ``update(x) -> (x_new, residual)`` until residual < tol, recording residuals."""
    def cond(carry):
        _, k, res, _ = carry
        return (k < max_sweeps) & (res >= tol)

    def body(carry):
        x, k, _, history = carry
        x_new, res = update(x)
        return x_new, k + 1, res, history.at[k].set(res)

    init = (x0, jnp.int32(0), jnp.asarray(jnp.inf, x0.dtype), jnp.full((max_sweeps,), jnp.nan, x0.dtype))
    x, k, res, history = jax.lax.while_loop(cond, body, init)
    return x, k, res < tol, history


@partial(jax.jit, static_argnames=("max_sweeps",))
def value_iteration(mdp: TabularMDP, *, tol: float = 1e-6, max_sweeps: int = 1000,
                    init_values: jax.Array | None = None) -> PlanningResult:
    """V_{k+1}(s) = max_a [R(s, a) + discount * E V_k(s')] until max |V_{k+1} - V_k| < tol."""
    v0 = jnp.zeros(mdp.R.shape[0], jnp.float32) if init_values is None else init_values

    def update(v):
        v_new = q_backup(mdp, v).max(-1)
        return v_new, jnp.abs(v_new - v).max()

    v, k, converged, residuals = _iterate(update, v0, tol, max_sweeps)
    q = q_backup(mdp, v)
    return PlanningResult(values=q.max(-1), q_values=q, policy=greedy_policy(q), residuals=residuals,
                          num_sweeps=k, converged=converged)


@partial(jax.jit, static_argnames=("max_sweeps",))
def q_value_iteration(mdp: TabularMDP, *, tol: float = 1e-6, max_sweeps: int = 1000) -> PlanningResult:
    """Q_{k+1}(s, a) = R(s, a) + discount * E max_a' Q_k(s', a') until max |Q_{k+1} - Q_k| < tol."""
    def update(q):
        q_new = q_backup(mdp, q.max(-1))
        return q_new, jnp.abs(q_new - q).max()

    q, k, converged, residuals = _iterate(update, jnp.zeros_like(mdp.R), tol, max_sweeps)
    return PlanningResult(values=q.max(-1), q_values=q, policy=greedy_policy(q), residuals=residuals,
                          num_sweeps=k, converged=converged)


@partial(jax.jit, static_argnames=("num_sweeps",))
def value_errors(mdp: TabularMDP, reference: jax.Array, num_sweeps: int) -> jax.Array:
    """[num_sweeps] max_s |V_k(s) - reference(s)| for k = 1..num_sweeps of value iteration from V_0 = 0."""
    def sweep(v, _):
        v = q_backup(mdp, v).max(-1)
        return v, jnp.abs(v - reference).max()

    _, errors = jax.lax.scan(sweep, jnp.zeros_like(reference), None, length=num_sweeps)
    return errors


def policy_matrix(policy: jax.Array, num_actions: int) -> jax.Array:
    """[S, A] action probabilities from a deterministic policy [S] (ints) or pass through a [S, A] one."""
    if policy.ndim == 1:
        return jax.nn.one_hot(policy, num_actions, dtype=jnp.float32)
    return policy


@jax.jit
def policy_evaluation(mdp: TabularMDP, policy: jax.Array) -> jax.Array:
    """Exact V^pi by one linear solve (I - discount * P_pi) V = R_pi; ``policy`` is [S] ints or [S, A] probs.

    Dense in the number of states (an S x S solve): meant for maps up to a few thousand states.
    With discount = 1 the policy must reach a terminal state from every state (else the system is singular).
    """
    S, A = mdp.R.shape
    pi = policy_matrix(policy, A)
    live = (~mdp.terminal).astype(jnp.float32)
    weight = pi[:, :, None] * mdp.probs * live[mdp.next_states]             # [S, A, K]
    rows = jnp.broadcast_to(jnp.arange(S)[:, None, None], mdp.next_states.shape)
    P_pi = jnp.zeros((S, S), jnp.float32).at[rows, mdp.next_states].add(weight)
    r_pi = (pi * mdp.R).sum(-1)
    return jnp.linalg.solve(jnp.eye(S) - mdp.discount * P_pi, r_pi)


@jax.jit
def policy_q_values(mdp: TabularMDP, policy: jax.Array) -> jax.Array:
    """Q^pi(s, a) from the exact V^pi."""
    return q_backup(mdp, policy_evaluation(mdp, policy))


@jax.jit
def state_occupancy(mdp: TabularMDP, policy: jax.Array, start: int) -> jax.Array:
    """[S] expected discounted number of visits to each state when following ``policy`` from ``start``."""
    S, A = mdp.R.shape
    pi = policy_matrix(policy, A)
    live = (~mdp.terminal).astype(jnp.float32)
    weight = pi[:, :, None] * mdp.probs * live[:, None, None]               # no moves out of terminal states
    rows = jnp.broadcast_to(jnp.arange(S)[:, None, None], mdp.next_states.shape)
    P_pi = jnp.zeros((S, S), jnp.float32).at[rows, mdp.next_states].add(weight)
    return jnp.linalg.solve(jnp.eye(S) - mdp.discount * P_pi.T, jax.nn.one_hot(start, S))
