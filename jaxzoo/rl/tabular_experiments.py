"""The planning and tabular-learning studies behind ``experiments/rl_gridworld.py`` and ``rl_tabular.py``.

Each takes a (locked) config and a run folder, writes plots/*.png, metrics.jsonl and a text rendering
of the policy, and returns the summary dict.
"""

from __future__ import annotations

import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from jaxzoo.core.config import ConfigError
from jaxzoo.core.metrics import MetricWriter
from jaxzoo.rl.gridworld import Gridworld
from jaxzoo.rl.planning import policy_evaluation, q_value_iteration, value_errors, value_iteration
from jaxzoo.rl.tabular import TabularConfig, make_train
from jaxzoo.rl.tabular_mdp import frozen_lake_mdp, stack_mdps
from jaxzoo.viz import rl_tabular as viz
from jaxzoo.viz.plots import learning_curves


def make_env(env_config, discount: float):
    """``(env, mdp, grid, start)`` for ``env_config.name`` in {gridworld, frozen_lake}; ValueError -> ConfigError."""
    try:
        if env_config.name == "frozen_lake":
            from gymnax.environments.misc.frozen_lake import FrozenLake
            if env_config.layout not in ("4x4", "8x8"):
                raise ValueError(f"frozen_lake layout must be '4x4' or '8x8', got {env_config.layout!r}")
            env = FrozenLake(map_name=env_config.layout, is_slippery=env_config.slip > 0)
            return env, frozen_lake_mdp(env, discount), viz.frozen_lake_grid(env), 0
        if env_config.name != "gridworld":
            raise ValueError(f"env.name must be 'gridworld' or 'frozen_lake', got {env_config.name!r}")
        kwargs = {"slip": env_config.slip, "step_reward": env_config.step_reward, "goal_reward": env_config.goal_reward,
                  "trap_reward": env_config.trap_reward, "discount": discount,
                  "exploring_starts": env_config.get("exploring_starts", False)}
        if env_config.layout == "generated":
            env = Gridworld.generate(env_config.size, wall_fraction=env_config.wall_fraction,
                                     trap_fraction=env_config.trap_fraction, seed=env_config.seed, **kwargs)
        else:
            env = Gridworld(env_config.layout, **kwargs)
        return env, env.mdp(), env.grid, env.start
    except ValueError as e:
        raise ConfigError(str(e)) from e


def run_planning(config, run_dir: Path) -> dict:
    """Value iteration and Q-value iteration on one map, vmapped over discounts and over generated map variants."""
    run_dir = Path(run_dir)
    _, mdp, grid, start = make_env(config.env, config.discount)
    t0 = time.perf_counter()
    vi = jax.block_until_ready(value_iteration(mdp, tol=config.tol, max_sweeps=config.max_sweeps))
    vi_time = time.perf_counter() - t0
    qvi = q_value_iteration(mdp, tol=config.tol, max_sweeps=config.max_sweeps)
    writer = MetricWriter(run_dir, tensorboard=False)
    residuals = np.asarray(vi.residuals)
    for k in range(int(vi.num_sweeps)):
        writer.write(k + 1, {"vi_residual": float(residuals[k]), "qvi_residual": float(qvi.residuals[k])})
    plots = run_dir / "plots"
    viz.value_heatmap(grid, vi.values, plots / "values_policy.png", policy=vi.policy,
                      title=f"V* and greedy policy (discount {config.discount})")
    text = viz.render_text(grid, vi.policy, vi.values)
    (run_dir / "policy.txt").write_text(text + "\n")
    print(text)

    gammas = jnp.asarray(config.discounts, jnp.float32)
    sweep = jax.vmap(lambda g: value_iteration(mdp.replace(discount=g), tol=config.tol,
                                               max_sweeps=config.max_sweeps))(gammas)
    errors = jax.vmap(lambda g, v: value_errors(mdp.replace(discount=g), v, config.max_sweeps))(gammas, sweep.values)
    names = [f"discount {float(g):.4g}" for g in gammas]
    curves = {name: np.asarray(e)[: int(n)] for name, e, n in zip(names, errors, sweep.num_sweeps)}
    viz.convergence_curves(curves, plots / "convergence.png", title="value iteration: |V_k - V*|")
    viz.value_panels(grid, {name: (sweep.values[i], sweep.policy[i]) for i, name in enumerate(names)},
                     plots / "values_by_discount.png")

    summary = {"num_states": mdp.num_states, "vi_sweeps": int(vi.num_sweeps), "vi_converged": bool(vi.converged),
               "vi_seconds_incl_compile": round(vi_time, 3), "v_star_start": float(vi.values[start]),
               "qvi_sweeps": int(qvi.num_sweeps),
               "max_abs_vi_minus_linear_solve": float(jnp.abs(policy_evaluation(mdp, vi.policy) - vi.values).max())
               if mdp.num_states <= 2500 else None,
               "sweeps_by_discount": {f"{float(g):.4g}": int(n) for g, n in zip(gammas, sweep.num_sweeps)},
               "v_start_by_discount": {f"{float(g):.4g}": float(v[start]) for g, v in zip(gammas, sweep.values)}}
    if config.num_variants > 0 and config.env.name == "gridworld" and config.env.layout == "generated":
        variants = [make_env(_with_seed(config.env, config.env.seed + i), config.discount)
                    for i in range(config.num_variants)]
        stacked = stack_mdps([v[1] for v in variants])
        res = jax.vmap(lambda m: value_iteration(m, tol=config.tol, max_sweeps=config.max_sweeps))(stacked)
        summary["variants_v_start"] = [float(r[0]) for r in res.values]
        summary["variants_sweeps"] = [int(n) for n in res.num_sweeps]
        _variant_panels(variants, res, plots / "map_variants.png", config)
    writer.close()
    return summary


def _mean(x) -> float:
    """Mean over seeds ignoring nan (a log step in which no episode ended); nan if all are."""
    x = np.asarray(x, float)
    return float(x[np.isfinite(x)].mean()) if np.isfinite(x).any() else float("nan")


def _with_seed(env_config, seed):
    c = env_config.copy_and_resolve_references()
    with c.unlocked():
        c.seed = seed
    return c


def _variant_panels(variants, res, path, config):
    from jaxzoo.viz.plots import plt, save_figure
    n = min(len(variants), 4)
    fig, axes = plt.subplots(1, n, figsize=(4.5 * n, 4), squeeze=False)
    for i in range(n):
        viz.value_heatmap(variants[i][2], res.values[i], path, policy=res.policy[i], ax=axes[0][i],
                          title=f"map seed {config.env.seed + i}", annotate=False)
    return save_figure(fig, path)


def run_learning(config, run_dir: Path) -> dict:
    """Q-learning and SARSA (and TD(0) on a soft optimal policy), several seeds vmapped, against the exact model."""
    run_dir = Path(run_dir)
    env, mdp, grid, start = make_env(config.env, config.discount)
    opt = value_iteration(mdp, tol=1e-7, max_sweeps=10_000)
    writer = MetricWriter(run_dir, tensorboard=False)
    keys = jax.random.split(jax.random.key(config.seed), config.num_seeds)
    summary, curves_ret, curves_err, panels = {"v_star_start": float(opt.values[start])}, {}, {}, {}
    panels["V* (value iteration)"] = (opt.values, opt.policy)
    for algo in config.algorithms:
        try:
            tc = TabularConfig(algorithm=algo, num_envs=config.num_envs, num_steps=config.num_steps,
                               log_every=config.log_every, lr=config.lr, lr_end=config.lr_end,
                               lr_power=config.lr_power, epsilon=config.epsilon, epsilon_end=config.epsilon_end,
                               epsilon_decay_fraction=config.epsilon_decay_fraction, discount=config.discount)
        except ValueError as e:
            raise ConfigError(str(e)) from e
        if algo == "td0":
            policy = (1 - config.td0_policy_noise) * jax.nn.one_hot(opt.policy, 4) + config.td0_policy_noise / 4
            reference = policy_evaluation(mdp, policy)
            train = make_train(env, tc, policy=policy, reference=reference, mask=~mdp.terminal)
        else:
            train = make_train(env, tc, reference=opt.q_values, mask=~mdp.terminal)
        fn = jax.jit(jax.vmap(train))
        compiled = fn.lower(keys).compile()
        t0 = time.perf_counter()
        result = jax.block_until_ready(compiled(keys))
        seconds = time.perf_counter() - t0
        m = jax.tree.map(np.asarray, result.metrics)
        steps = m["env_steps"][0]
        for i in range(len(steps)):
            writer.write(int(steps[i]), {f"{algo}/{k}": _mean(v[:, i]) for k, v in m.items() if k != "env_steps"})
        curves_err[algo] = (steps, m["max_error"].mean(0))
        if algo != "td0":
            curves_ret[algo] = (steps, [_mean(r) for r in m["mean_return"].T])
            greedy = result.table.argmax(-1)
            v_greedy = jax.vmap(policy_evaluation, in_axes=(None, 0))(mdp, greedy)
            panels[f"{algo} (seed 0)"] = (result.table[0].max(-1), greedy[0])
            summary[algo] = {"greedy_policy_value_start": [float(v[start]) for v in v_greedy],
                             "max_regret": float((opt.values[None] - v_greedy)[:, ~np.asarray(mdp.terminal)].max()),
                             "final_max_error_vs_q_star": [float(e) for e in m["max_error"][:, -1]],
                             "final_policy_agreement": [float(a) for a in m["policy_agreement"][:, -1]]}
        else:
            summary[algo] = {"final_max_error_vs_v_pi": [float(e) for e in m["max_error"][:, -1]]}
        summary[algo]["env_steps_per_second"] = round(config.num_seeds * config.num_envs * config.num_steps / seconds)
    plots = run_dir / "plots"
    learning_curves(curves_ret, plots / "returns.png", xlabel="environment steps (per seed)",
                    ylabel="mean episode return", title=f"{env.name}: mean over {config.num_seeds} seeds")
    learning_curves(curves_err, plots / "max_error.png", xlabel="environment steps (per seed)",
                    ylabel="max |Q - Q*|  (TD(0): max |V - V^pi|)",
                    title="distance to the exact values over non-terminal states")
    viz.value_panels(grid, panels, plots / "values_policy.png")
    text = viz.render_text(grid, panels[list(panels)[-1]][1], panels[list(panels)[-1]][0])
    (run_dir / "policy.txt").write_text(text + "\n")
    print(text)
    writer.close()
    return summary
