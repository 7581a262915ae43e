"""Run an RL experiment: vmapped seeds trained in chunks, metrics, checkpoints, curves, a GIF and a summary."""

from __future__ import annotations

import time
from pathlib import Path

import jax
import numpy as np

from jaxzoo.rl import rl_common as rc
from jaxzoo.rl.evaluate import record_episode, save_gif
from jaxzoo.rl.runner import train_chunked
from jaxzoo.viz.rl_curves import return_curves

SOLVED = {"CartPole-v1": 475.0, "Acrobot-v1": -100.0, "Catch-bsuite": 0.9}


def run_agent(agent: rc.Agent, agent_config, *, name: str, run_dir: Path, num_seeds: int, seed: int,
              chunk_updates: int, save_rollout_gif: bool, log=print) -> dict:
    """Train ``num_seeds`` agents in one vmapped compiled call per chunk and write the run folder."""
    run_dir = Path(run_dir)
    t0 = time.time()
    keys = jax.random.split(jax.random.key(seed), num_seeds)
    out = train_chunked(agent, keys, chunk_updates=chunk_updates, run_dir=run_dir, log=log)
    wall = time.time() - t0
    ret = np.asarray(out["eval_return"], float)
    env_steps = (np.arange(agent.num_updates) + 1) * agent.steps_per_update
    threshold = SOLVED.get(agent_config.env_name)
    return_curves(env_steps, out["metrics"]["episode_return"], out["history"], run_dir / "plots" / "returns.png",
                  title=f"{name} on {agent_config.env_name}", solved_at=threshold)
    summary = {"env_name": agent_config.env_name, "num_seeds": num_seeds, "env_steps": int(env_steps[-1]),
               "eval_return_mean": float(ret.mean()), "eval_return_min": float(ret.min()),
               "eval_returns": ret.tolist(), "train_wall_s": round(wall, 2)}
    if threshold is not None:
        summary["solved_seeds"] = int((ret >= threshold).sum())
        summary["solved_threshold"] = threshold
    if save_rollout_gif:
        env, env_params = rc.make_env(agent_config.env_name)
        params = jax.tree.map(lambda x: x[int(np.argmax(ret))], rc.final_params(out["runner_state"]))
        obs, _, rewards = record_episode(env, env_params, agent.act, params, jax.random.key(seed + 1))
        save_gif(obs, run_dir / "plots" / "rollout.gif", env_name=agent_config.env_name)
        summary["gif_episode_return"] = float(rewards.sum())
    return summary
