"""The gridworld environment: map parsing and checks, gymnax API, and sampled steps that match its exact model."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from gymnax.environments.misc.frozen_lake import FrozenLake

from jaxzoo.rl.gridworld import Gridworld
from jaxzoo.rl.gridworld_maps import generate_layout, parse_layout, reachable_cells
from jaxzoo.rl.tabular_mdp import frozen_lake_mdp, transition_tensor


def _empirical_model(env, params, n=4000, seed=0):
    """Step every (s, a) n times from a forced state; return frequencies [S, A, S] and mean rewards [S, A]."""
    S = env.observation_space(params).n
    _, state = env.reset(jax.random.key(0), params)

    def sample(s, a, key):
        st = state.replace(position=jnp.int32(s), time=0)
        keys = jax.random.split(key, n)
        _, _, reward, _, _, info = jax.vmap(env.step, in_axes=(0, None, None, None))(keys, st, a, params)
        counts = jnp.zeros(S).at[info["final_observation"]].add(1.0) / n
        return counts, reward.mean()

    s, a = jnp.meshgrid(jnp.arange(S), jnp.arange(4), indexing="ij")
    keys = jax.random.split(jax.random.key(seed), S * 4).reshape(S, 4)
    return jax.jit(jax.vmap(jax.vmap(sample)))(s, a, keys)


@pytest.mark.parametrize("slip", [0.0, 0.3])
def test_sampled_steps_match_the_exact_model(slip):
    env = Gridworld("aima", slip=slip, step_reward=-0.04)
    params = env.default_params
    mdp = env.mdp(params)
    freq, reward = _empirical_model(env, params)
    live = ~(env.terminal | env.wall)
    P = np.asarray(transition_tensor(mdp))
    np.testing.assert_allclose(np.asarray(freq)[live], P[live], atol=0.03)
    np.testing.assert_allclose(np.asarray(reward)[live], np.asarray(mdp.R)[live], atol=0.03)
    if slip == 0.0:
        np.testing.assert_array_equal(np.asarray(freq)[live], P[live])


def test_frozen_lake_model_matches_gymnax_steps():
    env = FrozenLake(map_name="4x4", is_slippery=True)
    mdp = frozen_lake_mdp(env, 0.9)
    freq, reward = _empirical_model(env, env.default_params)
    live = ~np.asarray(mdp.terminal)
    np.testing.assert_allclose(np.asarray(freq)[live], np.asarray(transition_tensor(mdp))[live], atol=0.03)
    np.testing.assert_allclose(np.asarray(reward)[live], np.asarray(mdp.R)[live], atol=0.03)


def test_gymnax_api_auto_reset_and_truncation():
    env = Gridworld(["S.G"], step_reward=-0.1, max_steps=3)
    params = env.default_params
    obs, state = env.reset(jax.random.key(0), params)
    assert int(obs) == 0 and env.num_actions == 4 and env.observation_space(params).n == 3
    obs, state, r, term, trunc, info = env.step(jax.random.key(1), state, 2, params)   # right
    assert (int(obs), float(r), bool(term), bool(trunc)) == (1, pytest.approx(-0.1), False, False)
    obs, state, r, term, trunc, info = env.step(jax.random.key(2), state, 2, params)   # right onto the goal
    assert (float(r), bool(term), int(info["final_observation"]), int(obs)) == (1.0, True, 2, 0)
    for t in range(3):                                                                  # bump into the wall
        obs, state, r, term, trunc, info = env.step(jax.random.key(3 + t), state, 0, params)
    assert bool(trunc) and not bool(term) and int(state.time) == 0


def test_exploring_starts_cover_every_open_cell():
    env = Gridworld("aima", exploring_starts=True)
    obs, _ = jax.vmap(env.reset, in_axes=(0, None))(jax.random.split(jax.random.key(0), 2000), env.default_params)
    counts = np.bincount(np.asarray(obs), minlength=12)
    open_cells = ~(env.terminal | env.wall)
    assert (counts[open_cells] > 150).all() and (counts[~open_cells] == 0).all()


def test_model_is_vmappable_over_slip():
    env = Gridworld("4x4")
    slips = jnp.array([0.0, 0.5, 1.0])
    mdps = jax.vmap(lambda p: env.mdp(env.default_params.replace(slip=p)))(slips)
    chex.assert_shape(mdps.probs, (3, 16, 4, 3))
    np.testing.assert_allclose(mdps.probs.sum(-1), 1.0, atol=1e-6)
    assert float(mdps.probs[2, env.start, 0, 0]) == 0.0       # slip 1: never the intended move


def test_generated_maps_reach_the_goal_from_every_open_cell():
    rows = generate_layout(15, wall_fraction=0.3, trap_fraction=0.1, seed=7)
    grid = parse_layout(rows)
    assert grid.shape == (15, 15) and rows[0][0] == "S" and rows[-1][-1] == "G"
    seen = reachable_cells(grid, (0, 0))
    assert seen[grid == 0].all()                              # no free pocket cut off from the start
    Gridworld(rows, discount=1.0)                             # every episode can end: discount 1 is allowed
    assert generate_layout(15, seed=7) == generate_layout(15, seed=7)


@pytest.mark.parametrize("layout,kwargs,match", [
    (["S..", "..G", "."], {}, "not rectangular"),
    (["S..", "..."], {}, "no goal|needs at least one goal"),
    (["S.X", "..G"], {}, "unknown gridworld cell character"),
    (["..G", "..."], {}, "start"),
    (["S#G"], {}, "can be reached"),
    (["S.G"], {"slip": 1.5}, "slip must be a probability"),
    (["S.G"], {"slip": -0.1}, "slip must be a probability"),
    (["S.G"], {"discount": 0.0}, "discount must be in"),
    (["S.G"], {"discount": 1.2}, "discount must be in"),
    (["S.G", "#.#", "..#"], {"discount": 1.0}, None),         # every open cell can reach the goal: allowed
    (["S.G", "###", "..."], {"discount": 1.0}, "every episode terminates"),
    (["S.G"], {"max_steps": 0}, "max_steps"),
    ([], {}, "non-empty"),
])
def test_bad_maps_and_settings_are_one_clear_error(layout, kwargs, match):
    if match is None:
        Gridworld(layout, **kwargs)
        return
    with pytest.raises(ValueError, match=match):
        Gridworld(layout, **kwargs)


def test_generate_rejects_bad_sizes():
    with pytest.raises(ValueError, match="size"):
        generate_layout(1)
    with pytest.raises(ValueError, match="wall_fraction"):
        generate_layout(5, wall_fraction=1.2)
