"""Tabular Q-learning, SARSA and TD(0) with vectorised environments, measured against the exact model's Q* and V^pi."""

import ml_collections

from jaxzoo.core.config import ConfigError, check_positive
from jaxzoo.rl.tabular import ALGORITHMS
from jaxzoo.rl.tabular_experiments import run_learning


def get_config() -> ml_collections.ConfigDict:
    c = ml_collections.ConfigDict()
    c.env = ml_collections.ConfigDict()
    c.env.name = "frozen_lake"        # frozen_lake | gridworld
    c.env.layout = "8x8"              # frozen_lake: 4x4 | 8x8; gridworld: aima, 4x4, 8x8, cliff, generated
    c.env.size = 8
    c.env.wall_fraction = 0.2
    c.env.trap_fraction = 0.05
    c.env.seed = 0
    c.env.slip = 0.2                  # frozen_lake: > 0 means slippery (gymnax's 1/3 - 1/3 - 1/3)
    c.env.step_reward = -0.01
    c.env.goal_reward = 1.0
    c.env.trap_reward = -1.0
    c.env.exploring_starts = False    # gridworld only: start episodes at a random open cell
    c.algorithms = ("q_learning", "sarsa", "td0")
    c.td0_policy_noise = 0.3          # TD(0) evaluates (1 - noise) * optimal + noise * uniform
    c.seed = 0
    c.num_seeds = 4                   # agents trained at once with jax.vmap
    c.num_envs = 64
    c.num_steps = 20_000              # steps per environment
    c.log_every = 1_000
    c.lr = 1.0
    c.lr_end = 0.0
    c.lr_power = 0.6                  # per-pair learning rate lr / (1 + visits) ** lr_power
    c.epsilon = 1.0
    c.epsilon_end = 0.2
    c.epsilon_decay_fraction = 0.5
    c.discount = 0.9
    c.lock()
    return c


def check_config(config) -> None:
    check_positive(config, "num_seeds", "num_envs", "num_steps", "log_every")
    bad = [a for a in config.algorithms if a not in ALGORITHMS]
    if bad or not config.algorithms:
        raise ConfigError(f"config.algorithms must be a non-empty subset of {ALGORITHMS}, got {config.algorithms!r}")
    if not 0.0 <= config.td0_policy_noise <= 1.0:
        raise ConfigError(f"config.td0_policy_noise must be in [0, 1], got {config.td0_policy_noise!r}")


def run(config, run_dir):
    return run_learning(config, run_dir)
