"""Tabular RL speed: jaxzoo (JAX, compiled) against plain NumPy implementations of the same algorithms.

1. Value iteration to a tolerance on a generated 100 x 100 gridworld (10,000 states, slip 0.2).
2. Q-learning environment steps per second with N gridworlds stepping in parallel (8x8 map, slip 0.2).

Both sides run the same sparse model and the same update rules in this one process; times are the
median of several repeats after one warm-up (jaxzoo's compile time is reported separately).

    python experiments/bench/rl_tabular.py [--repeats 5] [--size 100] [--envs 64,1024] [--steps 2000]
"""

from __future__ import annotations

import argparse
import statistics
import time

import jax
import numpy as np

from jaxzoo.rl.gridworld import Gridworld
from jaxzoo.rl.planning import value_iteration
from jaxzoo.rl.tabular import TabularConfig, make_train


def numpy_value_iteration(next_states, probs, R, terminal, discount, tol, max_sweeps):
    """The same sweeps as ``jaxzoo.rl.planning.value_iteration``, in NumPy (float32)."""
    v = np.zeros(R.shape[0], np.float32)
    live = ~terminal
    k, res = 0, np.inf
    while k < max_sweeps and res >= tol:
        v_new = (R + discount * (probs * (v * live)[next_states]).sum(-1)).max(-1)
        res, v, k = np.abs(v_new - v).max(), v_new, k + 1
    return v, k


def numpy_q_learning(env, num_envs, num_steps, cfg, seed=0):
    """Vectorised tabular Q-learning over ``num_envs`` gridworlds: the same dynamics, schedules and update."""
    rng = np.random.default_rng(seed)
    p = env.default_params
    moves, kind = np.asarray(env._moves), np.asarray(env._kind)
    rewards, terminal = np.asarray(env.cell_rewards(p)), np.isin(kind, (3, 4))
    S, A = env.n_states, 4
    Q, visits = np.zeros((S, A), np.float32), np.zeros((S, A), np.float32)
    pos, t = np.full(num_envs, env.start), np.zeros(num_envs, int)
    decay = max(cfg.epsilon_decay_fraction * num_steps, 1.0)
    rows = np.arange(num_envs)
    for step in range(num_steps):
        eps = cfg.epsilon + (cfg.epsilon_end - cfg.epsilon) * min(step / decay, 1.0)
        q = Q[pos]
        u = rng.random((num_envs, A + 2))
        greedy = np.where(q >= q.max(-1, keepdims=True), u[:, 2:], -1.0).argmax(-1)
        a = np.where(u[:, 0] < eps, np.minimum((u[:, 1] * A).astype(int), A - 1), greedy)
        side = np.where(rng.random(num_envs) < 0.5, 1, -1)
        d = np.where(rng.random(num_envs) < p.slip, (a + side) % 4, a)
        nxt = moves[pos, d]
        r, term = rewards[nxt], terminal[nxt]
        t += 1
        trunc = t >= p.max_steps_in_episode
        td = r + cfg.discount * (~term) * Q[nxt].max(-1) - q[rows, a]
        flat = pos * A + a
        total = np.bincount(flat, td, S * A).reshape(S, A)
        count = np.bincount(flat, None, S * A).reshape(S, A)
        lr = np.maximum(cfg.lr_end, cfg.lr * (1.0 + visits) ** -cfg.lr_power)
        Q += (1.0 - (1.0 - lr) ** count) * total / np.maximum(count, 1.0)
        visits += count
        done = term | trunc
        pos, t = np.where(done, env.start, nxt), np.where(done, 0, t)
    return Q


def timed(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        jax.block_until_ready(out)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def bench_value_iteration(size, repeats, tol=1e-6, max_sweeps=5000):
    env = Gridworld.generate(size, wall_fraction=0.2, trap_fraction=0.02, seed=0, slip=0.2, step_reward=-0.01,
                             discount=0.99)
    mdp = env.mdp()
    t0 = time.perf_counter()
    jax.block_until_ready(value_iteration(mdp, tol=tol, max_sweeps=max_sweeps))
    compile_s = time.perf_counter() - t0
    jax_s, res = timed(lambda: value_iteration(mdp, tol=tol, max_sweeps=max_sweeps), repeats)
    args = [np.asarray(x) for x in (mdp.next_states, mdp.probs, mdp.R, mdp.terminal)]
    np_s, (v_np, k_np) = timed(lambda: numpy_value_iteration(*args, np.float32(0.99), tol, max_sweeps), repeats)
    assert int(res.num_sweeps) == k_np, (int(res.num_sweeps), k_np)
    diff = float(np.abs(np.asarray(res.values) - v_np).max())
    return {"states": env.n_states, "sweeps": k_np, "jax_s": jax_s, "numpy_s": np_s, "compile_s": compile_s,
            "max_abs_diff": diff}


def bench_q_learning(num_envs, num_steps, repeats):
    env = Gridworld("8x8", slip=0.2, discount=0.9)
    cfg = TabularConfig(num_envs=num_envs, num_steps=num_steps, log_every=num_steps, discount=0.9, lr=1.0,
                        lr_end=0.0, lr_power=0.6)
    train = jax.jit(make_train(env, cfg))
    key = jax.random.key(0)
    t0 = time.perf_counter()
    jax.block_until_ready(train(key))
    compile_s = time.perf_counter() - t0
    jax_s, _ = timed(lambda: train(key).table, repeats)
    np_s, _ = timed(lambda: numpy_q_learning(env, num_envs, num_steps, cfg), max(1, repeats // 2))
    steps = num_envs * num_steps
    return {"envs": num_envs, "steps": steps, "jax_sps": steps / jax_s, "numpy_sps": steps / np_s,
            "compile_s": compile_s}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--envs", default="64,1024")
    parser.add_argument("--steps", type=int, default=2000)
    args = parser.parse_args()
    print(f"jax {jax.__version__} on {jax.devices()[0].platform}, numpy {np.__version__}; "
          f"median of {args.repeats} repeats after a warm-up\n")
    vi = bench_value_iteration(args.size, args.repeats)
    print(f"Value iteration, {vi['states']:,}-state gridworld, {vi['sweeps']} sweeps to tol 1e-6 "
          f"(max |V_jax - V_numpy| = {vi['max_abs_diff']:.1e})")
    print(f"| {'implementation':<22} | {'solve (s)':>10} | {'ms / sweep':>10} | {'speed-up':>8} |")
    print(f"|{'-' * 24}|{'-' * 12}|{'-' * 12}|{'-' * 10}|")
    for name, s in (("NumPy", vi["numpy_s"]), ("jaxzoo (jit)", vi["jax_s"])):
        print(f"| {name:<22} | {s:>10.3f} | {1e3 * s / vi['sweeps']:>10.3f} | {vi['numpy_s'] / s:>7.1f}x |")
    print(f"(jaxzoo first call incl. compile: {vi['compile_s']:.2f} s)\n")
    print(f"Tabular Q-learning, 8x8 gridworld (slip 0.2), {args.steps} steps per environment")
    print(f"| {'environments':>12} | {'NumPy steps/s':>14} | {'jaxzoo steps/s':>15} | {'speed-up':>8} | "
          f"{'compile (s)':>11} |")
    print(f"|{'-' * 14}|{'-' * 16}|{'-' * 17}|{'-' * 10}|{'-' * 13}|")
    for n in [int(x) for x in args.envs.split(",")]:
        q = bench_q_learning(n, args.steps, args.repeats)
        print(f"| {n:>12} | {q['numpy_sps']:>14,.0f} | {q['jax_sps']:>15,.0f} | "
              f"{q['jax_sps'] / q['numpy_sps']:>7.1f}x | {q['compile_s']:>11.2f} |")


if __name__ == "__main__":
    main()
