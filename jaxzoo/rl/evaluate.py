"""Evaluate trained agents: greedy returns per seed, one recorded episode, and a GIF of it."""

from __future__ import annotations

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from jaxzoo.rl import rl_common as rc


def greedy_returns(agent: rc.Agent, runner_states, key, num_seeds: int):
    """Mean greedy return of each of ``num_seeds`` vmapped runner states (one jitted call)."""
    keys = jax.random.split(key, num_seeds)
    return jax.jit(jax.vmap(agent.evaluate))(runner_states, keys)


def record_episode(env, env_params, act_fn, params, key, max_steps: int | None = None):
    """Run one greedy episode; returns (observations [T, ...], env states as a stacked pytree, rewards [T])."""
    max_steps = max_steps or rc.max_episode_steps(env_params)
    k_reset, k_run = jax.random.split(key)
    obs, state = env.reset(k_reset, env_params)

    def one(carry, k):
        obs, state, alive = carry
        action = act_fn(params, obs[None])[0]
        next_obs, next_state, reward, term, trunc, _ = env.step(k, state, action, env_params)
        out = (obs, state, reward * alive, alive)
        return (next_obs, next_state, alive * (1.0 - (term | trunc).astype(jnp.float32))), out

    _, (obs_seq, states, rewards, alive) = jax.jit(
        lambda o, s, ks: jax.lax.scan(one, (o, s, jnp.ones(())), ks))(obs, state, jax.random.split(k_run, max_steps))
    n = int(np.asarray(alive).sum())
    return (np.asarray(obs_seq)[:n], jax.tree.map(lambda x: np.asarray(x)[:n], states), np.asarray(rewards)[:n])


def _draw_cartpole(ax, obs):
    from matplotlib.patches import Rectangle

    x, theta = float(obs[0]), float(obs[2])
    ax.set_xlim(-2.4, 2.4)
    ax.set_ylim(-0.3, 1.3)
    ax.add_patch(Rectangle((x - 0.25, -0.1), 0.5, 0.2))
    ax.plot([x, x + np.sin(theta)], [0.1, 0.1 + np.cos(theta)], lw=5, color="tab:orange")
    ax.axhline(-0.1, color="k", lw=1)


def _draw_generic(ax, obs):
    obs = np.asarray(obs, float)
    if obs.ndim >= 2:
        ax.imshow(obs if obs.ndim == 2 else obs.max(-1), cmap="viridis", vmin=0, vmax=max(obs.max(), 1))
    else:
        ax.bar(np.arange(obs.size), obs)
        ax.set_ylim(-3, 3)


def save_gif(observations, path: str | Path, *, env_name: str = "", fps: int = 25, max_frames: int = 300) -> Path:
    """Render observations (CartPole drawn as a cart and pole; grids as images; else bars) to a GIF."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import animation

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = np.asarray(observations)[:max_frames]
    draw = _draw_cartpole if env_name.startswith("CartPole") else _draw_generic
    fig, ax = plt.subplots(figsize=(4, 3))

    def frame(i):
        ax.clear()
        draw(ax, frames[i])
        ax.set_title(f"{env_name} t={i}")
        ax.set_xticks([])
        ax.set_yticks([])

    anim = animation.FuncAnimation(fig, frame, frames=len(frames), interval=1000 // fps)
    anim.save(str(path), writer=animation.PillowWriter(fps=fps))
    plt.close(fig)
    return path
