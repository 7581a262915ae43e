"""DQN on gymnax (CartPole-v1 default; double, dueling, prioritised replay are config flags)."""

import ml_collections

from jaxzoo.core.config import ConfigError
from jaxzoo.rl import dqn
from jaxzoo.rl.experiment import run_agent


def get_config():
    config = ml_collections.ConfigDict(dict(agent=dqn.default_config(), num_seeds=5, seed=0, chunk_updates=20,
                                            save_gif=True))
    config.lock()
    return config


def check_config(config):
    try:
        dqn.check_config(config.agent)
    except ValueError as e:
        raise ConfigError(str(e)) from e
    if config.num_seeds < 1 or config.chunk_updates < 0:
        raise ConfigError(f"num_seeds must be >= 1 and chunk_updates >= 0, got {config.num_seeds}, "
                          f"{config.chunk_updates}")


def run(config, run_dir):
    return run_agent(dqn.make_agent(config.agent), config.agent, name="DQN", run_dir=run_dir,
                     num_seeds=config.num_seeds, seed=config.seed, chunk_updates=config.chunk_updates,
                     save_rollout_gif=config.save_gif)
