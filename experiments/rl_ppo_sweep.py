"""PPO learning-rate x seed sweep on CartPole-v1 in one jit(vmap(vmap(train))) call; return per rate."""

import time

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np

from jaxzoo.core.config import ConfigError
from jaxzoo.core.metrics import MetricWriter
from jaxzoo.rl import ppo
from jaxzoo.rl import rl_common as rc
from jaxzoo.viz.rl_curves import sweep_curve


def get_config():
    config = ml_collections.ConfigDict(dict(agent=ppo.default_config(), num_seeds=4, seed=0,
                                            learning_rates=(3e-4, 1e-3, 2.5e-3, 5e-3, 1e-2)))
    config.lock()
    return config


def check_config(config):
    try:
        ppo.check_config(config.agent)
    except ValueError as e:
        raise ConfigError(str(e)) from e
    if not config.learning_rates or min(config.learning_rates) <= 0 or config.num_seeds < 1:
        raise ConfigError(f"learning_rates must be positive and num_seeds >= 1, got {config.learning_rates}, "
                          f"{config.num_seeds}")


def run(config, run_dir):
    agent = ppo.make_agent(config.agent)
    lrs = np.asarray(config.learning_rates, np.float32)
    n_lr, n_seed = len(lrs), config.num_seeds
    hp = {k: jnp.full((n_lr, n_seed), v, jnp.float32) for k, v in agent.hparams.items()}
    hp["lr"] = jnp.broadcast_to(jnp.asarray(lrs)[:, None], (n_lr, n_seed))
    keys = jnp.broadcast_to(jax.random.split(jax.random.key(config.seed), n_seed), (n_lr, n_seed))
    t0 = time.time()
    train = jax.jit(jax.vmap(jax.vmap(rc.make_train(agent))))  # learning rates x seeds, one compiled call
    out = train(keys, hp)
    returns = np.asarray(jax.block_until_ready(out["eval_return"]))
    wall = time.time() - t0
    writer = MetricWriter(run_dir, tensorboard=False)
    for lr, r in zip(lrs, returns):
        writer.write(0, {"lr": float(lr), "eval_return_mean": float(r.mean()), "eval_return_min": float(r.min())})
    sweep_curve(lrs, returns, run_dir / "plots" / "lr_sweep.png", xlabel="learning rate",
                title=f"PPO on {config.agent.env_name}: {n_lr} learning rates x {n_seed} seeds, one call")
    best = int(np.argmax(returns.mean(1)))
    return {"wall_s_one_call": round(wall, 2), "best_lr": float(lrs[best]),
            "returns_per_lr": {f"{lr:g}": r.tolist() for lr, r in zip(lrs, returns)},
            "solved_per_lr": {f"{lr:g}": int((r >= 475).sum()) for lr, r in zip(lrs, returns)}}
