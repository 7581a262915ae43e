"""An N x M gridworld as a gymnax ``Environment``, with its exact model for planning.

The agent moves left/down/right/up (FrozenLake's action order). With probability ``slip`` it moves
in one of the two perpendicular directions instead (half each); walls and edges leave it in place.
Entering a goal gives ``goal_reward``, a trap ``trap_reward`` (both end the episode), any other cell
``step_reward`` (a step cost when negative). Episodes are cut at ``max_steps_in_episode`` (truncation).
Episodes start at ``S``, or with ``exploring_starts=True`` at a uniformly drawn open cell (so that
learning from experience sees every state).
``mdp(params)`` returns the same dynamics as a ``TabularMDP``; it is built with ``jnp`` from the
params, so it can be vmapped over slip probabilities or rewards.
"""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from flax import struct
from gymnax.environments import environment, spaces

from jaxzoo.rl import gridworld_maps as maps
from jaxzoo.rl.tabular_mdp import TabularMDP, check_discount, check_probability


@struct.dataclass
class GridState(environment.EnvState):
    position: jax.Array  # flat cell index, row-major


@struct.dataclass
class GridParams(environment.EnvParams):
    max_steps_in_episode: int = 100
    slip: float = 0.0
    step_reward: float = -0.01
    goal_reward: float = 1.0
    trap_reward: float = -1.0
    discount: float = 0.99


class Gridworld(environment.Environment[GridState, GridParams]):
    """A gridworld from a text map (see ``gridworld_maps``) or ``Gridworld.generate(size, ...)``."""

    def __init__(self, layout: str | Sequence[str] = "4x4", *, slip: float = 0.0, step_reward: float = -0.01,
                 goal_reward: float = 1.0, trap_reward: float = -1.0, discount: float = 0.99,
                 max_steps: int | None = None, exploring_starts: bool = False):
        self.grid = maps.parse_layout(layout)
        self.height, self.width = self.grid.shape
        self.n_states = self.height * self.width
        flat = self.grid.ravel()
        self.start = int(np.flatnonzero(flat == maps.START)[0])
        self.terminal = np.isin(flat, (maps.GOAL, maps.TRAP))
        self.wall = flat == maps.WALL
        self.exploring_starts = bool(exploring_starts)
        self._open = jnp.asarray(np.flatnonzero(~self.terminal & ~self.wall), jnp.int32)
        moves = maps.next_cells(self.grid)
        stay = self.terminal | self.wall
        self._moves = jnp.asarray(np.where(stay[:, None], np.arange(self.n_states)[:, None], moves))
        self._kind = jnp.asarray(flat)
        for name, v in (("step_reward", step_reward), ("goal_reward", goal_reward), ("trap_reward", trap_reward)):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v):
                raise ValueError(f"{name} must be a finite number, got {v!r}")
        max_steps = 4 * self.n_states if max_steps is None else max_steps
        if isinstance(max_steps, bool) or not isinstance(max_steps, (int, np.integer)) or max_steps < 1:
            raise ValueError(f"max_steps must be a positive integer, got {max_steps!r}")
        params = GridParams(max_steps_in_episode=int(max_steps), slip=check_probability("slip", slip),
                            step_reward=float(step_reward), goal_reward=float(goal_reward),
                            trap_reward=float(trap_reward), discount=0.5)
        gamma = check_discount(discount, self.mdp(params))
        self._default_params = params.replace(discount=gamma)

    @classmethod
    def generate(cls, size: int, *, wall_fraction: float = 0.2, trap_fraction: float = 0.05, seed: int = 0,
                 **kwargs) -> Gridworld:
        """A random ``size x size`` gridworld (start top-left, goal bottom-right); kwargs go to ``__init__``."""
        return cls(maps.generate_layout(size, wall_fraction=wall_fraction, trap_fraction=trap_fraction,
                                        seed=seed), **kwargs)

    @property
    def default_params(self) -> GridParams:
        return self._default_params

    @property
    def name(self) -> str:
        return f"Gridworld-{self.height}x{self.width}"

    @property
    def num_actions(self) -> int:
        return 4

    @property
    def layout(self) -> list[str]:
        return maps.layout_rows(self.grid)

    def cell_rewards(self, params: GridParams) -> jax.Array:
        """[S] reward for entering each cell."""
        return jnp.where(self._kind == maps.GOAL, params.goal_reward,
                         jnp.where(self._kind == maps.TRAP, params.trap_reward, params.step_reward))

    def step_env(self, key, state: GridState, action, params: GridParams):
        k_slip, k_side = jax.random.split(key)
        action = jnp.asarray(action, jnp.int32)
        side = jnp.where(jax.random.bernoulli(k_side), 1, -1)
        direction = jnp.where(jax.random.uniform(k_slip) < params.slip, (action + side) % 4, action)
        position = self._moves[state.position, direction]
        reward = self.cell_rewards(params)[position]
        terminated = jnp.isin(self._kind[position], jnp.array([maps.GOAL, maps.TRAP]))
        next_state = GridState(time=state.time + 1, position=position)
        obs = self.observe(key, next_state, action, params)
        return obs, next_state, reward, terminated, {"discount": jnp.where(terminated, 0.0, params.discount)}

    def reset_env(self, key, params: GridParams):
        if self.exploring_starts:
            position = jax.random.choice(key, self._open)
        else:
            position = jnp.int32(self.start)
        state = GridState(time=0, position=position)
        return self.observe(key, state, None, params), state

    def observe(self, key, state: GridState, action, params: GridParams) -> jax.Array:
        return state.position

    def is_terminated(self, state: GridState, params: GridParams) -> jax.Array:
        return jnp.isin(self._kind[state.position], jnp.array([maps.GOAL, maps.TRAP]))

    def action_space(self, params: GridParams | None = None) -> spaces.Discrete:
        return spaces.Discrete(4)

    def observation_space(self, params: GridParams) -> spaces.Discrete:
        return spaces.Discrete(self.n_states)

    def state_space(self, params: GridParams) -> spaces.Dict:
        return spaces.Dict({"position": spaces.Discrete(self.n_states),
                            "time": spaces.Discrete(params.max_steps_in_episode + 1)})

    def mdp(self, params: GridParams | None = None) -> TabularMDP:
        """The exact model: for each (s, a) the intended move and the two perpendicular slips."""
        params = self.default_params if params is None else params
        a = jnp.arange(4)
        dirs = jnp.stack([a, (a - 1) % 4, (a + 1) % 4], axis=-1)             # [A, 3]
        next_states = self._moves[:, dirs]                                    # [S, A, 3]
        slip = jnp.asarray(params.slip, jnp.float32)
        p = jnp.stack([1.0 - slip, slip / 2, slip / 2])
        stay = jnp.asarray(self.terminal | self.wall)
        probs = jnp.where(stay[:, None, None], jnp.array([1.0, 0.0, 0.0]), p)
        probs = jnp.broadcast_to(probs, next_states.shape)                    # [S, A, 3]
        R = jnp.where(stay[:, None], 0.0, (probs * self.cell_rewards(params)[next_states]).sum(-1))
        # Walls are unreachable; marking them terminal keeps their value at 0 and discount = 1 well posed.
        return TabularMDP(next_states=next_states.astype(jnp.int32), probs=probs.astype(jnp.float32),
                          R=R.astype(jnp.float32), terminal=stay,
                          discount=jnp.asarray(params.discount, jnp.float32))
