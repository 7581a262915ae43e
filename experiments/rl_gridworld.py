"""Planning on a gridworld: value iteration and Q-value iteration, vmapped over discounts and map variants."""

import ml_collections

from jaxzoo.core.config import ConfigError, check_positive
from jaxzoo.rl.tabular_experiments import run_planning


def get_config() -> ml_collections.ConfigDict:
    c = ml_collections.ConfigDict()
    c.env = ml_collections.ConfigDict()
    c.env.name = "gridworld"          # gridworld | frozen_lake
    c.env.layout = "generated"        # a map name (aima, 4x4, 8x8, cliff), "generated", or frozen_lake's 4x4 / 8x8
    c.env.size = 12                   # generated maps: size x size
    c.env.wall_fraction = 0.2
    c.env.trap_fraction = 0.05
    c.env.seed = 0
    c.env.slip = 0.2                  # probability of moving perpendicular to the chosen direction
    c.env.step_reward = -0.04
    c.env.goal_reward = 1.0
    c.env.trap_reward = -1.0
    c.discount = 0.95
    c.discounts = (0.5, 0.9, 0.99)    # the vmapped sweep over discounts
    c.num_variants = 4                # generated maps (seeds seed..seed+n-1) solved in one vmapped call
    c.tol = 1e-6
    c.max_sweeps = 2000
    c.lock()
    return c


def check_config(config) -> None:
    check_positive(config, "tol", "max_sweeps")
    check_positive(config, "num_variants", allow_zero=True)
    if not config.discounts or any(not 0.0 < g <= 1.0 for g in config.discounts):
        raise ConfigError(f"config.discounts must be values in (0, 1], got {config.discounts!r}")


def run(config, run_dir):
    return run_planning(config, run_dir)
