"""Value iteration, Q-value iteration and exact policy evaluation against hand-computed and linear-solve values."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from gymnax.environments.misc.frozen_lake import FrozenLake

from jaxzoo.rl.gridworld import Gridworld
from jaxzoo.rl.planning import (
    policy_evaluation,
    policy_q_values,
    q_value_iteration,
    state_occupancy,
    value_errors,
    value_iteration,
)
from jaxzoo.rl.tabular_mdp import frozen_lake_mdp, make_mdp, stack_mdps, transition_tensor


def _two_state_mdp(discount=0.9):
    """s0 --a0--> s0 (reward 1), s0 --a1--> s1 (reward 5, terminal). Optimal: V(s0) = max(1/(1-g), 5)."""
    P = np.zeros((2, 2, 2))
    P[0, 0, 0] = P[0, 1, 1] = P[1, :, 1] = 1.0
    R = np.array([[1.0, 5.0], [0.0, 0.0]])
    return make_mdp(P, R, terminal=[False, True], discount=discount)


@pytest.mark.parametrize("discount,v0,action", [(0.9, 10.0, 0), (0.5, 5.0, 1)])
def test_two_state_values_by_hand(discount, v0, action):
    result = value_iteration(_two_state_mdp(discount), tol=1e-7)
    np.testing.assert_allclose(result.values, [v0, 0.0], rtol=1e-5)
    assert int(result.policy[0]) == action
    assert bool(result.converged)


def test_chain_with_slip_by_hand():
    """s0 -> s1 -> goal; each move succeeds with prob 0.8 (else stay), step reward -1, goal +10, discount 1.

    Bellman with p = 0.8: V1 = 0.8 * 10 + 0.2 * (-1 + V1) -> V1 = 7.8 / 0.8 = 9.75,
    V0 = 0.8 * (-1 + V1) + 0.2 * (-1 + V0) -> V0 = (0.8 * 8.75 - 0.2) / 0.8 = 8.5.
    """
    P = np.zeros((3, 1, 3))
    P[0, 0, [0, 1]] = [0.2, 0.8]
    P[1, 0, [1, 2]] = [0.2, 0.8]
    P[2, 0, 2] = 1.0
    R = np.array([[0.2 * -1 + 0.8 * -1], [0.2 * -1 + 0.8 * 10], [0.0]])
    mdp = make_mdp(P, R, terminal=[False, False, True], discount=1.0)
    np.testing.assert_allclose(value_iteration(mdp, tol=1e-7).values, [8.5, 9.75, 0.0], rtol=1e-5)
    np.testing.assert_allclose(policy_evaluation(mdp, jnp.zeros(3, jnp.int32)), [8.5, 9.75, 0.0], rtol=1e-5)


def test_aima_4x3_world_matches_the_textbook():
    """Russell & Norvig's 4x3 world (slip 0.2, step reward -0.04, discount 1), utilities of AIMA Fig. 17.3.

    AIMA counts a state's reward on being in it, here on entering it: V(s) = U(s) - R(s) = U(s) + 0.04.
    """
    env = Gridworld("aima", slip=0.2, step_reward=-0.04, discount=1.0)
    result = value_iteration(env.mdp(), tol=1e-7)
    aima = np.array([[0.812, 0.868, 0.918, 0.0], [0.762, 0.0, 0.660, 0.0], [0.705, 0.655, 0.611, 0.388]])
    open_cells = ~(env.terminal | env.wall).reshape(3, 4)
    np.testing.assert_allclose(np.asarray(result.values).reshape(3, 4)[open_cells] - 0.04, aima[open_cells],
                               atol=1e-3)
    # AIMA's policy: right along the top, up the left column, left along the bottom, up at (3, 2).
    L, R, U = 0, 2, 3
    expected = np.array([[R, R, R, -1], [U, -1, U, -1], [U, L, L, L]])
    np.testing.assert_array_equal(np.asarray(result.policy).reshape(3, 4)[open_cells], expected[open_cells])


@pytest.mark.parametrize("make", [lambda: Gridworld("8x8", slip=0.2).mdp(),
                                  lambda: frozen_lake_mdp(FrozenLake(map_name="8x8", is_slippery=True), 0.95),
                                  lambda: Gridworld.generate(12, seed=3, slip=0.1, discount=1.0).mdp()])
def test_value_iteration_is_the_linear_solve_fixed_point(make):
    mdp = make()
    vi = value_iteration(mdp, tol=1e-7, max_sweeps=3000)
    assert bool(vi.converged)
    np.testing.assert_allclose(policy_evaluation(mdp, vi.policy), vi.values, atol=1e-4)
    qvi = q_value_iteration(mdp, tol=1e-7, max_sweeps=3000)
    np.testing.assert_allclose(qvi.q_values, vi.q_values, atol=1e-4)
    np.testing.assert_allclose(policy_q_values(mdp, vi.policy), vi.q_values, atol=1e-4)
    # No single-state deviation from the greedy policy improves on it (the Bellman optimality check).
    q_pi = np.asarray(policy_q_values(mdp, vi.policy))
    assert (q_pi.max(-1) - np.asarray(vi.values)).max() < 1e-4


def test_residuals_shrink_geometrically_and_are_nan_after_the_end():
    mdp = Gridworld("8x8", slip=0.2, discount=0.9).mdp()
    result = value_iteration(mdp, tol=1e-6, max_sweeps=500)
    k = int(result.num_sweeps)
    res = np.asarray(result.residuals)
    chex.assert_shape(result.residuals, (500,))
    assert res[k - 1] < 1e-6 <= res[k - 2] and np.isnan(res[k:]).all()
    assert (res[1:k] <= 0.9 * res[: k - 1] + 1e-6).all()     # a discount-0.9 contraction
    errors = np.asarray(value_errors(mdp, result.values, 50))
    assert (errors[1:] <= 0.9 * errors[:-1] + 1e-5).all()


def test_value_iteration_stops_at_max_sweeps():
    result = value_iteration(Gridworld("8x8", discount=0.99).mdp(), tol=1e-9, max_sweeps=5)
    assert int(result.num_sweeps) == 5 and not bool(result.converged)


def test_vmapped_over_discounts_and_map_variants_equals_single_runs():
    mdp = Gridworld("8x8", slip=0.1).mdp()
    gammas = jnp.array([0.5, 0.9, 0.99])
    batched = jax.vmap(lambda g: value_iteration(mdp.replace(discount=g), tol=1e-6))(gammas)
    chex.assert_shape(batched.values, (3, 64))
    for i, g in enumerate(gammas):
        single = value_iteration(mdp.replace(discount=g), tol=1e-6)
        np.testing.assert_allclose(batched.values[i], single.values, atol=1e-5)
    variants = [Gridworld.generate(10, seed=s, slip=0.2).mdp() for s in range(3)]
    stacked = stack_mdps(variants)
    batched = jax.vmap(lambda m: value_iteration(m, tol=1e-6))(stacked)
    for i, m in enumerate(variants):
        np.testing.assert_allclose(batched.values[i], value_iteration(m, tol=1e-6).values, atol=1e-5)
    v_pi = jax.vmap(policy_evaluation)(stacked, batched.policy)
    np.testing.assert_allclose(v_pi, batched.values, atol=1e-4)


def test_dense_round_trip_and_occupancy():
    mdp = frozen_lake_mdp(FrozenLake(map_name="4x4", is_slippery=True), 0.9)
    P = np.asarray(transition_tensor(mdp))
    chex.assert_shape(P, (16, 4, 16))
    np.testing.assert_allclose(P.sum(-1), 1.0, atol=1e-6)
    again = make_mdp(P, mdp.R, mdp.terminal, 0.9)
    np.testing.assert_allclose(value_iteration(again).values, value_iteration(mdp).values, atol=1e-6)
    # Discounted visits sum to the expected discounted episode length: sum_t g^t P(alive at t).
    pi = value_iteration(mdp).policy
    occ = np.asarray(state_occupancy(mdp, pi, 0))
    ones = mdp.replace(R=jnp.where(mdp.terminal[:, None], 0.0, jnp.ones_like(mdp.R)))
    assert occ[~np.asarray(mdp.terminal)].sum() == pytest.approx(float(policy_evaluation(ones, pi)[0]), rel=1e-4)


@pytest.mark.parametrize("P,R,kwargs,match", [
    (np.full((2, 1, 2), 0.5), np.zeros((2, 2)), {}, "shape"),
    (np.array([[[1.5, -0.5]], [[0.0, 1.0]]]), np.zeros((2, 1)), {}, "probabilities must lie in"),
    (np.array([[[0.5, 0.2]], [[0.0, 1.0]]]), np.zeros((2, 1)), {}, "sum to 1"),
    (np.array([[[1.0, 0.0]], [[0.0, 1.0]]]), np.zeros((2, 1)), {"discount": 1.5}, "discount"),
    (np.array([[[1.0, 0.0]], [[0.0, 1.0]]]), np.zeros((2, 1)), {"discount": 0.0}, "discount"),
    (np.array([[[1.0, 0.0]], [[0.0, 1.0]]]), np.zeros((2, 1)), {"discount": 1.0, "terminal": [False, True]},
     "every episode terminates"),
])
def test_bad_models_are_one_clear_error(P, R, kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_mdp(P, R, **kwargs)
