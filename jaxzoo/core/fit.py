"""`fit`: the one Python loop. It feeds compiled chunks of steps, evaluates, logs, checkpoints, resumes.

The training set lives on the device(s) once. Each chunk of steps is one compiled ``lax.scan`` that
gathers its batches by index from that device-resident copy, so the host only sends a small array of
indices per chunk and feeding data never becomes the bottleneck. Data order comes from
``(seed, epoch)`` and each step's key from ``(seed, step)``, so a run resumed from a checkpoint ends with
exactly the parameters of an uninterrupted one.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from tqdm.auto import tqdm

from jaxzoo.core import parallel
from jaxzoo.core.checkpoint import Checkpointer
from jaxzoo.core.metrics import MetricWriter
from jaxzoo.core.train import TrainState, classification_metrics, evaluate

DEFAULTS = {"epochs": 1, "batch_size": 128, "seed": 0, "log_every": 0, "checkpoint_every": 0,
            "keep_checkpoints": 3, "eval_batch_size": 1000, "progress": True, "unroll": 1,
            "data_parallel": True}
EARLY_STOPPING = {"monitor": "", "mode": "max", "patience": 0, "min_delta": 0.0, "restore_best": True}


class TrainingDivergedError(FloatingPointError):
    """The loss became NaN or Inf; the message names the step. Checkpoints on disk are left as they were."""


def _settings(config: Mapping) -> dict:
    cfg = {k: config.get(k, v) for k, v in DEFAULTS.items()}
    es = config.get("early_stopping", None) or {}
    cfg["early_stopping"] = {k: es.get(k, v) for k, v in EARLY_STOPPING.items()}
    return cfg


def validate_config(config: Mapping, train_data: Mapping, eval_data: Mapping | None = None) -> None:
    """Raise one clear ValueError for a config or data that `fit` cannot train on (before any work)."""
    _check(_settings(config), len(next(iter(train_data.values()))), train_data, eval_data)


def _check(cfg: dict, n: int, train_data: Mapping, eval_data: Mapping | None) -> None:
    for name, d in (("train_data", train_data), ("eval_data", eval_data or {})):
        lengths = {k: len(v) for k, v in d.items()}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"{name} arrays must share their first dimension, got lengths {lengths}")
    b = cfg["batch_size"]
    if not isinstance(b, int) or b <= 0 or b > n:
        raise ValueError(f"batch_size must be an integer in 1..{n} (the training set size), got {b!r}")
    if not isinstance(cfg["epochs"], int) or cfg["epochs"] <= 0:
        raise ValueError(f"epochs must be a positive integer, got {cfg['epochs']!r}")
    for k in ("log_every", "checkpoint_every"):
        if not isinstance(cfg[k], int) or cfg[k] < 0:
            raise ValueError(f"{k} must be an integer >= 0 (0: once per epoch), got {cfg[k]!r}")
    es = cfg["early_stopping"]
    if es["monitor"] and es["mode"] not in ("min", "max"):
        raise ValueError(f"early_stopping.mode must be 'min' or 'max', got {es['mode']!r}")


@functools.lru_cache(maxsize=32)  # the same step in a later fit call reuses the compiled chunk
def _make_chunk(train_step: Callable, unroll: int, batch_sharding):
    def chunk(state, data, idx, base_key):
        def body(state, batch_idx):
            batch = jax.tree.map(lambda a: a[batch_idx], data)
            if batch_sharding is not None:
                batch = jax.lax.with_sharding_constraint(batch, batch_sharding)
            return train_step(state, batch, jax.random.fold_in(base_key, state.step))
        return jax.lax.scan(body, state, idx, unroll=unroll)
    return jax.jit(chunk, donate_argnums=(0,))


def _improved(value: float, best: float | None, mode: str, min_delta: float) -> bool:
    if best is None:
        return True
    return value > best + min_delta if mode == "max" else value < best - min_delta


def fit(state: TrainState, train_data: Mapping[str, np.ndarray], train_step: Callable, *, config: Mapping,
        run_dir: str | Path | None = None, eval_data: Mapping[str, np.ndarray] | None = None,
        metrics_fn: Callable = classification_metrics, mesh=None) -> tuple[TrainState, list[dict]]:
    """Train ``state`` with ``train_step`` over ``train_data`` (dict of equal-length arrays).

    ``config`` keys (defaults in ``DEFAULTS``): epochs, batch_size, seed, log_every (steps per compiled
    chunk; 0 = one epoch), checkpoint_every (steps; 0 = each epoch), keep_checkpoints, eval_batch_size,
    progress, unroll, data_parallel, and ``early_stopping`` {monitor (e.g. "val_accuracy"), mode,
    patience (epochs), min_delta, restore_best}. With ``run_dir``, metrics go to ``metrics.jsonl`` and
    checkpoints to ``checkpoints/``; a run folder that already holds checkpoints is resumed.
    Returns the trained state and the per-epoch history.
    """
    cfg = _settings(config)
    train_data = {k: np.asarray(v) if not isinstance(v, jax.Array) else v for k, v in train_data.items()}
    n = len(next(iter(train_data.values())))
    _check(cfg, n, train_data, eval_data)
    batch, epochs, seed = cfg["batch_size"], cfg["epochs"], cfg["seed"]
    spe = n // batch
    total = epochs * spe
    log_every = cfg["log_every"] or spe
    ckpt_every = cfg["checkpoint_every"] or spe
    es = cfg["early_stopping"]
    lead = jax.process_index() == 0

    if mesh is None and cfg["data_parallel"] and len(jax.devices()) > 1:
        mesh = parallel.data_mesh()
    if mesh is not None:
        parallel.check_divisible(batch, mesh)

    run_dir = Path(run_dir) if run_dir is not None else None
    writer = MetricWriter(run_dir, enabled=lead)
    ckpt = Checkpointer(run_dir / "checkpoints", max_to_keep=cfg["keep_checkpoints"]) if run_dir else None
    best_vars = parallel.to_host({"params": state.params, "model_state": state.model_state})
    record = {"history": [], "best": None, "wait": 0, "epoch_sums": {}, "stopped": False}
    step = 0
    if ckpt is not None:
        restored = ckpt.restore_latest({"state": state, "best": best_vars})
        if restored is not None:
            tree, meta = restored
            state, best_vars, step = tree["state"], tree["best"], int(meta["step"])
            record = {k: meta[k] for k in record}
            print(f"jaxzoo: resuming from the checkpoint at step {step} ({run_dir})")

    state = jax.tree.map(jnp.copy, state)  # the compiled chunks donate their input: keep the caller's
    if mesh is not None:
        rep = parallel.replicated(mesh)
        state, data = parallel.put(state, rep), parallel.put(train_data, rep)
        idx_sharding, batch_sharding = parallel.batch_sharded(mesh, axis=1), parallel.batch_sharded(mesh)
    else:
        data = jax.device_put(train_data)
        idx_sharding = batch_sharding = None
    chunk_fn = _make_chunk(train_step, cfg["unroll"], batch_sharding)
    base_key = jax.random.fold_in(jax.random.key(seed), 1)

    history = record["history"]
    bar = tqdm(total=total, initial=step, unit="step", disable=not (cfg["progress"] and lead), leave=False)
    perm_epoch, perm = -1, None
    try:
        while step < total and not record["stopped"]:
            epoch = step // spe
            if epoch != perm_epoch:
                perm = np.random.default_rng([seed, epoch]).permutation(n)[: spe * batch].reshape(spe, batch)
                perm = perm.astype(np.int32)
                perm_epoch = epoch
            end = min((epoch + 1) * spe, (step // log_every + 1) * log_every, (step // ckpt_every + 1) * ckpt_every)
            idx = perm[step - epoch * spe: end - epoch * spe]
            idx = parallel.put(idx, idx_sharding) if idx_sharding is not None else idx
            t0 = time.perf_counter()
            state, metrics = chunk_fn(state, data, idx, base_key)
            metrics = parallel.to_host(metrics)
            dt = time.perf_counter() - t0
            losses = np.asarray(metrics["loss"])
            if not np.all(np.isfinite(losses)):
                bad = step + 1 + int(np.argmin(np.isfinite(losses)))
                raise TrainingDivergedError(
                    f"loss became {losses[~np.isfinite(losses)][0]} at step {bad} (epoch {epoch + 1}); "
                    "training stopped" + (f"; the last good checkpoint is kept in {ckpt.directory}" if ckpt else ""))
            sums = record["epoch_sums"]
            for k, v in metrics.items():
                sums[k] = sums.get(k, 0.0) + float(np.sum(v))
            sums["_steps"] = sums.get("_steps", 0) + (end - step)
            sums["_time"] = sums.get("_time", 0.0) + dt
            bar.update(end - step)
            bar.set_postfix(loss=f"{losses[-1]:.4f}", ex_per_s=f"{(end - step) * batch / dt:,.0f}")
            step = end
            if step % spe == 0:  # epoch boundary: evaluate, log, early stopping
                row = {"epoch": epoch + 1, "step": step}
                row |= {f"train_{k}": v / sums["_steps"] for k, v in sums.items() if not k.startswith("_")}
                if eval_data is not None:
                    ev = evaluate(state, eval_data, metrics_fn, batch_size=cfg["eval_batch_size"])
                    row |= {f"val_{k}": v for k, v in ev.items()}
                row["examples_per_s"] = round(sums["_steps"] * batch / max(sums["_time"], 1e-9))
                history.append(row)
                writer.write(step, row)
                record["epoch_sums"] = {}
                if es["monitor"]:
                    if es["monitor"] not in row:
                        raise ValueError(f"early_stopping.monitor {es['monitor']!r} is not a logged metric; "
                                         f"logged: {', '.join(k for k in row if k not in ('epoch', 'step'))}")
                    if _improved(row[es["monitor"]], record["best"], es["mode"], es["min_delta"]):
                        record["best"], record["wait"] = row[es["monitor"]], 0
                        best_vars = parallel.to_host({"params": state.params, "model_state": state.model_state})
                    else:
                        record["wait"] += 1
                        if record["wait"] > es["patience"]:
                            record["stopped"] = True
                            print(f"jaxzoo: early stopping after epoch {epoch + 1}: {es['monitor']} has not "
                                  f"improved on {record['best']:.4f} for {record['wait']} epochs")
            if ckpt is not None and (step % ckpt_every == 0 or step == total or record["stopped"]):
                ckpt.save(step, {"state": parallel.to_host(state), "best": best_vars}, record)
    finally:
        bar.close()
        writer.close()
        if ckpt is not None:
            ckpt.close()
    if es["monitor"] and es["restore_best"] and record["best"] is not None:
        state = state.replace(params=best_vars["params"], model_state=best_vars["model_state"])
    return state, history


def epochs_to_steps(n: int, batch_size: int, epochs: int) -> int:
    """Total optimizer steps of a run (batches per epoch drop the remainder), for schedules."""
    return max(math.floor(n / batch_size), 1) * epochs
