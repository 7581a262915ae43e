"""Wall time to solve CartPole-v1: jaxzoo PPO / DQN vs Stable-Baselines3 (PyTorch) and rejax, side by side.

    python experiments/bench/rl_cartpole.py [--repeats 3] [--only jaxzoo_ppo,sb3_ppo,...]

Every measurement runs in a fresh Python process (so "cold" includes JAX compilation), timed from
just before the training call to trained parameters plus a greedy evaluation. "warm" reruns the
jaxzoo process with JAX's persistent compilation cache already filled. rejax 0.1.3 needs gymnax<1.0,
so it runs from its own virtual environment (REJAX_PYTHON, default .venv-rejax/bin/python); it is
skipped when that interpreter is missing. Prints medians over ``--repeats`` runs and the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REJAX_PYTHON = os.environ.get("REJAX_PYTHON", str(ROOT / ".venv-rejax" / "bin" / "python"))


def _jaxzoo(algo: str, seeds: int) -> dict:
    import jax
    import numpy as np

    from jaxzoo.rl import dqn, ppo
    from jaxzoo.rl import rl_common as rc

    t0 = time.perf_counter()
    mod = ppo if algo == "ppo" else dqn
    train = mod.make_train(mod.default_config())
    if seeds == 1:  # one agent: jit(train)(key), as a user training one agent writes it
        out = rc.jit(train)(jax.random.key(0))
    else:  # many seeds: one vmapped call
        out = rc.jit(jax.vmap(train))(jax.random.split(jax.random.key(0), seeds))
    returns = np.atleast_1d(np.asarray(jax.block_until_ready(out["eval_return"])))
    return {"seconds": time.perf_counter() - t0, "returns": returns.tolist(),
            "steps": mod.default_config().total_timesteps}


def _sb3(algo: str) -> dict:
    import gymnasium as gym
    import numpy as np
    import torch
    from stable_baselines3 import DQN, PPO
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.evaluation import evaluate_policy

    torch.set_num_threads(1)
    t0 = time.perf_counter()
    if algo == "ppo":  # RL-Zoo hyperparameters for CartPole-v1
        env = make_vec_env("CartPole-v1", n_envs=8, seed=0)
        lin = lambda start: (lambda frac: frac * start)  # noqa: E731
        model = PPO("MlpPolicy", env, n_steps=32, batch_size=256, gae_lambda=0.8, gamma=0.98, n_epochs=20,
                    ent_coef=0.0, learning_rate=lin(1e-3), clip_range=lin(0.2), seed=0, device="cpu")
        steps = 100_000
    else:
        env = gym.make("CartPole-v1")
        model = DQN("MlpPolicy", env, learning_rate=2.3e-3, batch_size=64, buffer_size=100_000,
                    learning_starts=1000, gamma=0.99, target_update_interval=10, train_freq=256, gradient_steps=128,
                    exploration_fraction=0.16, exploration_final_eps=0.04, policy_kwargs=dict(net_arch=[256, 256]),
                    seed=0, device="cpu")
        steps = 50_000
    model.learn(total_timesteps=steps)
    seconds = time.perf_counter() - t0
    mean, _ = evaluate_policy(model, gym.make("CartPole-v1"), n_eval_episodes=16, deterministic=True)
    return {"seconds": seconds, "returns": [float(mean)], "steps": steps, "train_only": True, "np": np.__version__}


def _rejax(seeds: int) -> dict:
    import jax
    import numpy as np
    from rejax import get_algo

    t0 = time.perf_counter()
    algo_cls = get_algo("ppo")
    algo = algo_cls.create(env="CartPole-v1", num_envs=16, num_steps=128, num_epochs=8, num_minibatches=8,
                           learning_rate=0.0005, max_grad_norm=0.5, total_timesteps=500_000, eval_freq=500_000,
                           gamma=0.99, gae_lambda=0.95, clip_eps=0.2, ent_coef=0.01, vf_coef=0.5)
    keys = jax.random.split(jax.random.PRNGKey(0), seeds)
    _, (_, returns) = jax.jit(jax.vmap(algo.train))(keys)  # evaluation: (lengths, returns) [seeds, evals, 128]
    returns = np.asarray(jax.block_until_ready(returns))
    return {"seconds": time.perf_counter() - t0, "returns": returns[:, -1].mean(-1).tolist(), "steps": 500_000}


def worker(name: str, seeds: int) -> dict:
    if name.startswith("jaxzoo_"):
        return _jaxzoo(name.split("_", 1)[1], seeds)
    if name.startswith("sb3_"):
        return _sb3(name.split("_", 1)[1])
    return _rejax(seeds)


def measure(name: str, seeds: int = 1, cache_dir: str | None = None) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("XLA_FLAGS", None)
    if cache_dir:
        env.update(JAX_COMPILATION_CACHE_DIR=cache_dir, JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS="0",
                   JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES="-1")
    python = REJAX_PYTHON if name == "rejax_ppo" else sys.executable
    cmd = [python, __file__, "--worker", name, "--seeds", str(seeds)]
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    if res.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--only", default="jaxzoo_ppo,jaxzoo_ppo16,jaxzoo_dqn,sb3_ppo,sb3_dqn,rejax_ppo,rejax_ppo16")
    p.add_argument("--worker")
    p.add_argument("--seeds", type=int, default=1)
    args = p.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.seeds)))
        return
    cases = {"jaxzoo_ppo": ("jaxzoo_ppo", 1), "jaxzoo_ppo16": ("jaxzoo_ppo", 16), "jaxzoo_dqn": ("jaxzoo_dqn", 1),
             "sb3_ppo": ("sb3_ppo", 1), "sb3_dqn": ("sb3_dqn", 1), "rejax_ppo": ("rejax_ppo", 1),
             "rejax_ppo16": ("rejax_ppo", 16)}
    rows = {}
    for case in args.only.split(","):
        name, seeds = cases[case]
        if name == "rejax_ppo" and not Path(REJAX_PYTHON).exists():
            print(f"skipping {case}: no rejax interpreter at {REJAX_PYTHON}")
            continue
        runs = [measure(name, seeds) for _ in range(args.repeats)]
        row = {"cold_s": statistics.median(r["seconds"] for r in runs), "returns": runs[-1]["returns"],
               "steps": runs[-1]["steps"], "seeds": seeds}
        if name.startswith("jaxzoo_"):
            with tempfile.TemporaryDirectory() as cache:
                measure(name, seeds, cache)
                row["warm_s"] = statistics.median(measure(name, seeds, cache)["seconds"] for _ in range(args.repeats))
        rows[case] = row
        print(f"{case}: {row}", flush=True)
    print(f"\n{'run':14s} {'seeds':>5s} {'steps':>8s} {'cold s':>8s} {'warm s':>8s} {'solved':>8s}")
    for case, r in rows.items():
        solved = sum(x >= 475 for x in r["returns"])
        print(f"{case:14s} {r['seeds']:5d} {r['steps']:8d} {r['cold_s']:8.2f} "
              f"{r.get('warm_s', float('nan')):8.2f} {solved:4d}/{len(r['returns']):<3d}")
    pairs = [("jaxzoo_ppo", "sb3_ppo"), ("jaxzoo_ppo", "rejax_ppo"), ("jaxzoo_ppo16", "rejax_ppo16"),
             ("jaxzoo_dqn", "sb3_dqn")]
    print()
    for ours, peer in pairs:
        if ours in rows and peer in rows:
            print(f"{ours} vs {peer} (cold wall time, peer / jaxzoo): "
                  f"{rows[peer]['cold_s'] / rows[ours]['cold_s']:.2f}x")


if __name__ == "__main__":
    main()
