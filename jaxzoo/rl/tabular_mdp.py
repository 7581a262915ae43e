"""A finite MDP as a pytree, stored sparsely: each ``(s, a)`` leads to ``K`` listed next states.

``next_states[s, a, k]`` with probability ``probs[s, a, k]`` (K is small: 3 for a slippery grid), so a
10,000-state gridworld fits where a dense ``P[s, a, s']`` would take gigabytes; ``transition_tensor``
gives the dense ``P`` when wanted. ``R[s, a]`` is the expected reward. Terminal states are absorbing
with zero reward and the planning code never bootstraps through them, so ``discount = 1`` is well
defined whenever every episode ends. ``TabularMDP`` is a pytree: stack several (``stack_mdps``) or
vary ``discount`` and ``jax.vmap`` the planning functions over them.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from flax import struct


@struct.dataclass
class TabularMDP:
    next_states: jax.Array  # [S, A, K] int32
    probs: jax.Array        # [S, A, K] probability of each listed next state
    R: jax.Array            # [S, A] expected reward of taking a in s
    terminal: jax.Array     # [S] bool: the episode ends on entering these states
    discount: jax.Array     # [] in (0, 1]

    @property
    def num_states(self) -> int:
        return self.R.shape[-2]

    @property
    def num_actions(self) -> int:
        return self.R.shape[-1]


def transition_tensor(mdp: TabularMDP) -> jax.Array:
    """The dense ``P[s, a, s']`` (sums duplicate next states)."""
    S = mdp.next_states.shape[0]
    onehot = jax.nn.one_hot(mdp.next_states, S, dtype=mdp.probs.dtype)  # [S, A, K, S]
    return jnp.einsum("sak,sakt->sat", mdp.probs, onehot)


def check_probability(name: str, p) -> float:
    """``p`` as a float in [0, 1], or a ValueError naming it."""
    try:
        value = float(p)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a probability in [0, 1], got {p!r}") from None
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1], got {p!r}")
    return value


def check_discount(discount, mdp: TabularMDP | None = None) -> float:
    """A discount in (0, 1]; 1 only when a terminal state can be reached from every state of ``mdp``."""
    try:
        gamma = float(discount)
    except (TypeError, ValueError):
        raise ValueError(f"discount must be a number in (0, 1], got {discount!r}") from None
    if not 0.0 < gamma <= 1.0:
        raise ValueError(f"discount must be in (0, 1], got {discount!r}")
    if gamma == 1.0:
        if mdp is None:
            raise ValueError("discount = 1 needs a model with terminal states to check that every episode ends")
        stuck = np.flatnonzero(~_can_terminate(mdp))
        if stuck.size:
            raise ValueError(f"discount = 1 is only allowed where every episode terminates, but no terminal state "
                             f"can be reached from state(s) {stuck[:10].tolist()}; use a discount < 1")
    return gamma


def _edges(mdp: TabularMDP):
    ns, pr = np.asarray(mdp.next_states), np.asarray(mdp.probs)
    src = np.broadcast_to(np.arange(ns.shape[0])[:, None, None], ns.shape)
    keep = pr > 0
    return src[keep], ns[keep]


def _can_terminate(mdp: TabularMDP) -> np.ndarray:
    """States from which some action sequence reaches a terminal state with positive probability."""
    src, dst = _edges(mdp)
    ok = np.asarray(mdp.terminal, bool).copy()
    while True:
        new = ok.copy()
        new[src[ok[dst]]] = True
        if (new == ok).all():
            return ok
        ok = new


def reachable_states(mdp: TabularMDP, start: int) -> np.ndarray:
    """Boolean [S] mask of states reachable from ``start`` under some policy."""
    src, dst = _edges(mdp)
    seen = np.zeros(mdp.num_states, bool)
    seen[start] = True
    while True:
        new = seen.copy()
        new[dst[seen[src]]] = True
        if (new == seen).all():
            return seen
        seen = new


def make_sparse_mdp(next_states, probs, R, terminal=None, discount: float = 0.99) -> TabularMDP:
    """Check shapes, probabilities and discount of a sparse model and build a ``TabularMDP``."""
    ns, pr, R = np.asarray(next_states), np.asarray(probs, np.float64), np.asarray(R, np.float64)
    if ns.ndim != 3 or ns.shape != pr.shape or R.shape != ns.shape[:2]:
        raise ValueError(f"need next_states and probs of shape [S, A, K] and R of shape [S, A], got "
                         f"{ns.shape}, {pr.shape} and {R.shape}")
    S = R.shape[0]
    if ns.min() < 0 or ns.max() >= S:
        raise ValueError(f"next_states must be state indices in [0, {S}), got values in [{ns.min()}, {ns.max()}]")
    if (pr < 0).any() or (pr > 1).any():
        raise ValueError(f"transition probabilities must lie in [0, 1], got values in [{pr.min()}, {pr.max()}]")
    sums = pr.sum(-1)
    if not np.allclose(sums, 1.0, atol=1e-5):
        s, a = np.argwhere(~np.isclose(sums, 1.0, atol=1e-5))[0]
        raise ValueError(f"transition probabilities of each (s, a) must sum to 1, but ({s}, {a}) sums to {sums[s, a]}")
    terminal = np.zeros(S, bool) if terminal is None else np.asarray(terminal, bool)
    if terminal.shape != (S,):
        raise ValueError(f"terminal must be a [S] = [{S}] mask, got shape {terminal.shape}")
    mdp = TabularMDP(next_states=jnp.asarray(ns, jnp.int32), probs=jnp.asarray(pr, jnp.float32),
                     R=jnp.asarray(R, jnp.float32), terminal=jnp.asarray(terminal), discount=jnp.float32(0.5))
    return mdp.replace(discount=jnp.float32(check_discount(discount, mdp)))


def make_mdp(P, R, terminal=None, discount: float = 0.99) -> TabularMDP:
    """A ``TabularMDP`` from a dense ``P[s, a, s']`` (kept sparse: K = most next states of any (s, a))."""
    P = np.asarray(P, np.float64)
    if P.ndim != 3 or P.shape[0] != P.shape[2]:
        raise ValueError(f"need P of shape [S, A, S], got {P.shape}")
    K = max(int((P > 0).sum(-1).max()), 1)
    order = np.argsort(~(P > 0), axis=-1, kind="stable")[..., :K]
    return make_sparse_mdp(order, np.take_along_axis(P, order, -1), R, terminal, discount)


def stack_mdps(mdps) -> TabularMDP:
    """Stack MDPs with the same numbers of states and actions along a new leading axis (for ``jax.vmap``)."""
    shapes = {m.R.shape for m in mdps}
    if len(shapes) != 1:
        raise ValueError(f"can only stack MDPs with one number of states and actions, got {sorted(shapes)}")
    K = max(m.next_states.shape[-1] for m in mdps)

    def pad(m):
        extra = K - m.next_states.shape[-1]
        width = ((0, 0), (0, 0), (0, extra))
        return m.replace(next_states=jnp.pad(m.next_states, width), probs=jnp.pad(m.probs, width))

    return jax.tree.map(lambda *xs: jnp.stack(xs), *[pad(m) for m in mdps])


def frozen_lake_mdp(env, discount: float = 0.99) -> TabularMDP:
    """The exact model of a gymnax ``FrozenLake`` (any map, slippery or not), matching its ``step``."""
    desc = np.asarray(env.desc)
    nrow, ncol = desc.shape
    n, sr = nrow * ncol, float(env.success_rate)
    goal_r, hole_r, frozen_r = np.asarray(env.reward_schedule, np.float64)
    hole, goal = 2, 3                                       # gymnax FrozenLake tile ids
    moves = np.array([(0, -1), (1, 0), (0, 1), (-1, 0)])
    tile_reward = np.where(desc == goal, goal_r, np.where(desc == hole, hole_r, frozen_r)).ravel()
    terminal = np.isin(desc, (hole, goal)).ravel()
    outcomes = ((0, sr), (-1, (1 - sr) / 2), (1, (1 - sr) / 2)) if env.is_slippery else ((0, 1.0),)
    ns = np.zeros((n, 4, len(outcomes)), np.int32)
    pr = np.zeros((n, 4, len(outcomes)))
    for s in range(n):
        r, c = divmod(s, ncol)
        for a in range(4):
            for k, (turn, p) in enumerate(outcomes):
                d = (a + turn) % 4
                nr, nc = np.clip(r + moves[d, 0], 0, nrow - 1), np.clip(c + moves[d, 1], 0, ncol - 1)
                ns[s, a, k], pr[s, a, k] = (s, 1.0 if k == 0 else 0.0) if terminal[s] else (nr * ncol + nc, p)
    R = np.where(terminal[:, None], 0.0, (pr * tile_reward[ns]).sum(-1))
    return make_sparse_mdp(ns, pr, R, terminal, discount)
