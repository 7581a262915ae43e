"""Optimizers from a config: optax transforms with warmup + decay schedules and gradient clipping.

The learning rate is injected as a hyperparameter (``optax.inject_hyperparams``), so it lives in the
optimizer state as a traced leaf: a run can be ``vmap``-ed over learning rates.
"""

from __future__ import annotations

from collections.abc import Mapping

import optax

OPTIMIZERS = {"adam": optax.adam, "adamw": optax.adamw, "sgd": optax.sgd, "rmsprop": optax.rmsprop}
SCHEDULES = ("constant", "cosine", "linear")


def make_schedule(lr: float, total_steps: int, *, schedule: str = "constant", warmup_steps: int = 0,
                  end_factor: float = 0.0) -> optax.Schedule:
    if not lr > 0:
        raise ValueError(f"learning rate must be > 0, got {lr}")
    if schedule not in SCHEDULES:
        raise ValueError(f"unknown schedule {schedule!r}; allowed: {', '.join(SCHEDULES)}")
    if warmup_steps < 0:
        raise ValueError(f"warmup_steps must be >= 0, got {warmup_steps}")
    decay_steps = max(total_steps - warmup_steps, 1)
    if schedule == "cosine":
        main = optax.cosine_decay_schedule(lr, decay_steps, alpha=end_factor)
    elif schedule == "linear":
        main = optax.linear_schedule(lr, lr * end_factor, decay_steps)
    else:
        main = optax.constant_schedule(lr)
    if warmup_steps:
        return optax.join_schedules([optax.linear_schedule(0.0, lr, warmup_steps), main], [warmup_steps])
    return main


def make_optimizer(config: Mapping, total_steps: int) -> optax.GradientTransformation:
    """``config``: name, lr, and optionally schedule, warmup_steps, end_factor, weight_decay, momentum,
    grad_clip (global norm; 0 = off)."""
    get = config.get
    name = get("name", "adam")
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; allowed: {', '.join(OPTIMIZERS)}")
    lr = make_schedule(float(get("lr", 1e-3)), total_steps, schedule=get("schedule", "constant"),
                       warmup_steps=int(get("warmup_steps", 0)), end_factor=float(get("end_factor", 0.0)))
    kwargs = {}
    if name == "adamw":
        kwargs["weight_decay"] = float(get("weight_decay", 1e-4))
    if name == "sgd":
        kwargs["momentum"] = get("momentum", None) or None
        kwargs["nesterov"] = bool(get("nesterov", False))
    tx = optax.inject_hyperparams(OPTIMIZERS[name])(learning_rate=lr, **kwargs)
    if name != "adamw" and float(get("weight_decay", 0.0)) > 0:
        tx = optax.chain(optax.add_decayed_weights(float(get("weight_decay"))), tx)
    clip = float(get("grad_clip", 0.0))
    return optax.chain(optax.clip_by_global_norm(clip), tx) if clip > 0 else tx
