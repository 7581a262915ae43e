"""Long RL runs: the compiled update scanned in chunks, with progress, metrics, checkpoints and resume.

``train_chunked`` runs exactly the updates of ``make_train(agent)(key)`` (same keys, same order), but
returns to Python every ``chunk_updates`` updates to evaluate, log, and save the vmapped runner
state, so a killed run resumes from its last chunk and ends where an uninterrupted run would.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from jaxzoo.core.metrics import MetricWriter
from jaxzoo.rl import rl_common as rc


def _is_key(x) -> bool:
    return hasattr(x, "dtype") and jnp.issubdtype(x.dtype, jax.dtypes.prng_key)


def save_state(path: Path, state, extra: dict) -> None:
    """Leaves of the runner state (typed keys as raw key data) in an .npz, written atomically."""
    leaves = [np.asarray(jax.random.key_data(x) if _is_key(x) else x) for x in jax.tree.leaves(state)]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp, *leaves, extra=np.frombuffer(json.dumps(extra).encode(), np.uint8))
    tmp.replace(path)


def load_state(path: Path, template):
    """Inverse of ``save_state`` given a runner state of the same structure (from ``init``)."""
    with np.load(path) as f:
        leaves = [f[f"arr_{i}"] for i in range(len(jax.tree.leaves(template)))]
        extra = json.loads(bytes(f["extra"]).decode())
    tmpl_leaves, treedef = jax.tree.flatten(template)
    out = [jax.random.wrap_key_data(jnp.asarray(v), impl=jax.random.key_impl(t)) if _is_key(t) else
           jnp.asarray(v, t.dtype) for v, t in zip(leaves, tmpl_leaves)]
    return jax.tree.unflatten(treedef, out), extra


_COMPILED: dict = {}  # id(agent.update) -> jitted chunk scans and evaluation, reused across calls


def _batched_hparams(agent: rc.Agent, hparams, num: int):
    hp = agent.hparams if hparams is None else hparams
    return {k: jnp.broadcast_to(jnp.asarray(v, jnp.float32), (num,)) for k, v in hp.items()}


def train_chunked(agent: rc.Agent, keys, *, hparams=None, chunk_updates: int = 0, run_dir=None,
                  resume: bool = True, evaluate_chunks: bool = True, log=print) -> dict:
    """Train ``len(keys)`` agents (vmapped) in chunks; returns metrics [S, U], eval curve and final returns."""
    num = keys.shape[0]
    chunk = min(chunk_updates if chunk_updates > 0 else agent.num_updates, agent.num_updates)
    if agent.eval_every:  # chunks start where a checkpoint evaluation falls
        chunk = -(-chunk // agent.eval_every) * agent.eval_every
    split = jax.vmap(jax.random.split)(keys)
    k_init, k_eval = split[:, 0], split[:, 1]
    hp = _batched_hparams(agent, hparams, num)
    if "init" not in _COMPILED.setdefault(id(agent.update), {"agent": agent}):  # keeps the id in use
        _COMPILED[id(agent.update)]["init"] = rc.jit(jax.vmap(agent.init))
    state = _COMPILED[id(agent.update)]["init"](k_init, hp)
    ckpt = Path(run_dir) / "checkpoints" / "runner_state.npz" if run_dir else None
    if ckpt is not None:
        ckpt.parent.mkdir(parents=True, exist_ok=True)
    done_updates, history, metrics, elapsed = 0, [], [], 0.0
    if ckpt is not None and resume and ckpt.exists():
        state, extra = load_state(ckpt, state)
        done_updates, history, elapsed = extra["updates"], extra["history"], extra["elapsed"]
        metrics = [jax.tree.map(np.asarray, dict(np.load(ckpt.with_name("metrics.npz"))))]
        log(f"resumed at update {done_updates}/{agent.num_updates}")
    writer = MetricWriter(run_dir, tensorboard=False) if run_dir else None
    scans = _COMPILED.setdefault(id(agent.update), {})

    def scan_fn(n, last):
        if (n, last) not in scans:
            scans[n, last] = rc.jit(jax.vmap(lambda rs: rc.scan_updates(agent, rs, n, last=last)))
        return scans[n, last]

    if "eval" not in scans:
        scans["eval"] = rc.jit(jax.vmap(agent.evaluate))
    eval_fn = scans["eval"]
    t0 = time.time() - elapsed
    while done_updates < agent.num_updates:
        n = min(chunk, agent.num_updates - done_updates)
        state, m = scan_fn(n, done_updates + n == agent.num_updates)(state)
        m = jax.tree.map(np.asarray, m)
        metrics.append(m)
        done_updates += n
        row = {"env_steps": done_updates * agent.steps_per_update, "updates": done_updates,
               "wall_s": round(time.time() - t0, 3),
               "train_return_mean": float(np.nanmean(m["episode_return"][:, -1])),
               "train_return_std": float(np.nanstd(m["episode_return"][:, -1]))}
        if evaluate_chunks or done_updates == agent.num_updates:
            ev = np.asarray(eval_fn(state, k_eval))
            row.update(eval_return_mean=float(ev.mean()), eval_return_std=float(ev.std()),
                       eval_returns=ev.tolist())
        history.append(row)
        if ckpt is not None:
            joined = {k: np.concatenate([x[k] for x in metrics], axis=1) for k in metrics[0]}
            np.savez(ckpt.with_name("metrics.npz"), **joined)
            save_state(ckpt, state, {"updates": done_updates, "history": history, "elapsed": time.time() - t0})
        if writer:
            writer.write(row["env_steps"], {k: v for k, v in row.items() if k != "eval_returns"})
        log(" ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()
                     if k != "eval_returns"))
    joined = {k: np.concatenate([x[k] for x in metrics], axis=1) for k in metrics[0]}
    final = history[-1].get("eval_returns") if history else None
    if final is None:
        final = np.asarray(eval_fn(state, k_eval)).tolist()
    return {"runner_state": state, "metrics": joined, "history": history, "eval_return": np.asarray(final)}
