"""Q-learning, SARSA and TD(0) reach the exact Q* / V^pi of the model (4x4 and 8x8, deterministic and slippery)."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from gymnax.environments.misc.frozen_lake import FrozenLake

from jaxzoo.rl.gridworld import Gridworld
from jaxzoo.rl.planning import policy_evaluation, state_occupancy, value_iteration
from jaxzoo.rl.tabular import TabularConfig, averaged_update, epsilon_greedy, make_train
from jaxzoo.rl.tabular_mdp import frozen_lake_mdp

GAMMA = 0.9


def _check_learned_q(env, mdp, start, *, num_steps, tol, policy_tol, algorithm="q_learning", epsilon_end=0.2,
                     everywhere=False, lr_power=0.6):
    """Train, then check the greedy policy is optimal and max_a Q is within ``tol`` of V*.

    States checked: every open state (``everywhere``, for exploring starts) or those the learned greedy
    policy visits from the start (expected discounted visits > 0.05); optimal actions may tie, so the
    policy is checked by its exact value V^pi_hat (within ``policy_tol`` of V*), not by its actions.
    """
    opt = value_iteration(mdp, tol=1e-7)
    v_star = np.asarray(opt.values)
    config = TabularConfig(algorithm=algorithm, num_envs=64, num_steps=num_steps, log_every=num_steps // 4,
                           discount=GAMMA, lr=1.0, lr_end=0.0, lr_power=lr_power, epsilon_end=epsilon_end)
    result = jax.jit(make_train(env, config, reference=opt.q_values))(jax.random.key(0))
    chex.assert_shape(result.table, opt.q_values.shape)
    chex.assert_tree_all_finite(result.table)
    q = np.asarray(result.table)
    greedy = q.argmax(-1)
    v_greedy = np.asarray(policy_evaluation(mdp, greedy))
    if everywhere:
        mask = ~np.asarray(mdp.terminal)
    else:
        mask = (np.asarray(state_occupancy(mdp, greedy, start)) > 0.05) & ~np.asarray(mdp.terminal)
    assert mask[start] and mask.sum() >= 4
    assert (v_star - v_greedy)[mask].max() < policy_tol
    assert np.abs(q.max(-1) - v_star)[mask].max() < tol
    return result


@pytest.mark.slow
@pytest.mark.parametrize("map_name,slippery,steps,tol,policy_tol", [("8x8", False, 4000, 1e-3, 1e-5),
                                                                    ("4x4", True, 20000, 0.06, 5e-4),
                                                                    ("8x8", True, 20000, 0.03, 5e-4)])
def test_q_learning_frozen_lake_reaches_q_star(map_name, slippery, steps, tol, policy_tol):
    env = FrozenLake(map_name=map_name, is_slippery=slippery)
    _check_learned_q(env, frozen_lake_mdp(env, GAMMA), 0, num_steps=steps, tol=tol, policy_tol=policy_tol)


@pytest.mark.slow
@pytest.mark.parametrize("layout,slip,steps,tol,policy_tol", [("4x4", 0.0, 1000, 1e-3, 1e-5),
                                                              ("8x8", 0.2, 20000, 0.05, 0.005)])
def test_q_learning_gridworld_reaches_q_star(layout, slip, steps, tol, policy_tol):
    env = Gridworld(layout, slip=slip, discount=GAMMA, exploring_starts=True)
    _check_learned_q(env, env.mdp(), env.start, num_steps=steps, tol=tol, policy_tol=policy_tol, everywhere=True,
                     lr_power=0.8)


@pytest.mark.slow
def test_sarsa_gridworld_finds_the_optimal_policy():
    # SARSA learns the values of its own epsilon-greedy policy: near Q* for a small final epsilon.
    env = Gridworld("4x4", slip=0.0, discount=GAMMA, exploring_starts=True)
    _check_learned_q(env, env.mdp(), env.start, num_steps=4000, tol=0.1, policy_tol=1e-5, algorithm="sarsa",
                     epsilon_end=0.05, everywhere=True)


@pytest.mark.slow
@pytest.mark.parametrize("slip", [0.0, 0.2])
def test_td0_matches_exact_policy_value(slip):
    env = Gridworld("8x8", slip=slip, discount=GAMMA, exploring_starts=True)
    mdp = env.mdp()
    # A soft policy: 70% the optimal action, the rest spread uniformly.
    opt = value_iteration(mdp)
    pi = 0.7 * jax.nn.one_hot(opt.policy, 4) + 0.3 / 4
    v_pi = np.asarray(policy_evaluation(mdp, pi))
    config = TabularConfig(algorithm="td0", num_envs=64, num_steps=20000, log_every=5000, discount=GAMMA,
                           lr=1.0, lr_end=0.0, lr_power=0.7)
    mask = ~np.asarray(mdp.terminal)
    result = jax.jit(make_train(env, config, policy=pi, reference=v_pi, mask=mask))(jax.random.key(1))
    chex.assert_shape(result.table, (env.n_states,))
    err = np.abs(np.asarray(result.table) - v_pi)[mask]
    assert err.max() < 0.1
    assert float(result.metrics["max_error"][-1]) == pytest.approx(err.max(), abs=1e-6)


def test_vmapped_training_equals_single_runs():
    env = Gridworld("4x4", slip=0.1, discount=GAMMA)
    config = TabularConfig(num_envs=8, num_steps=200, log_every=100, discount=GAMMA)
    train = make_train(env, config)
    keys = jax.random.split(jax.random.key(3), 2)
    hp = config.hparams()
    hps = {k: jnp.stack([v, v]) for k, v in hp.items()}
    hps["lr"] = jnp.array([0.5, 0.1])
    batched = jax.jit(jax.vmap(train))(keys, hps)
    chex.assert_shape(batched.table, (2, 16, 4))
    chex.assert_shape(batched.metrics["mean_return"], (2, 2))
    for i in range(2):
        single = jax.jit(train)(keys[i], {**hp, "lr": hps["lr"][i]})
        chex.assert_trees_all_close(single.table, batched.table[i], atol=1e-5)
    assert not np.allclose(batched.table[0], batched.table[1])


def test_averaged_update_matches_sequential_updates_on_a_fixed_target():
    table, visits = jnp.zeros(3), jnp.zeros(3)
    # Three transitions with target 1 at index 0, one at index 2.
    index = (jnp.array([0, 0, 0, 2]),)
    td = 1.0 - table[index]
    new, new_visits = averaged_update(table, visits, index, td, 0.5)
    np.testing.assert_allclose(new, [1 - 0.5 ** 3, 0.0, 0.5], rtol=1e-6)
    np.testing.assert_allclose(new_visits, [3, 0, 1])


def test_epsilon_greedy_is_greedy_at_zero_and_uniform_at_one():
    q = jnp.tile(jnp.array([[0.0, 2.0, 1.0, 2.0]]), (4000, 1))
    greedy = np.asarray(epsilon_greedy(jax.random.key(0), q, 0.0))
    assert set(np.unique(greedy)) == {1, 3}             # ties broken at random, never a worse action
    assert 0.4 < (greedy == 1).mean() < 0.6
    uniform = np.asarray(epsilon_greedy(jax.random.key(1), q, 1.0))
    np.testing.assert_allclose(np.bincount(uniform, minlength=4) / 4000, 0.25, atol=0.03)


@pytest.mark.parametrize("kwargs,match", [({"algorithm": "dqn"}, "algorithm"), ({"num_envs": 0}, "num_envs"),
                                          ({"epsilon": 1.5}, "epsilon"), ({"discount": 0.0}, "discount"),
                                          ({"log_every": 10, "num_steps": 5}, "log_every")])
def test_bad_config_is_one_clear_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TabularConfig(**kwargs)


def test_td0_needs_a_policy_of_the_right_shape():
    env = Gridworld("4x4")
    with pytest.raises(ValueError, match="policy"):
        make_train(env, TabularConfig(algorithm="td0", num_steps=10, log_every=10))
    with pytest.raises(ValueError, match="policy"):
        make_train(env, TabularConfig(algorithm="td0", num_steps=10, log_every=10), policy=jnp.ones((3, 4)))
