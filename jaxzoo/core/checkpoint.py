"""Orbax checkpoints of a TrainState (plus JSON metadata), verified on restore.

Each checkpoint stores the state pytree and a JSON record that includes a SHA-256 fingerprint of every
array in it. Restoring tries the newest checkpoint first; one that cannot be read or whose fingerprint
does not match (a half-written or corrupted folder) is moved aside to ``corrupt-<step>`` (never deleted)
and the previous good one is used instead, with a warning saying so.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path
from typing import Any

import jax
import numpy as np
import orbax.checkpoint as ocp
from flax import serialization

log = logging.getLogger("jaxzoo")


def fingerprint(tree: Any) -> str:
    h = hashlib.sha256()
    for leaf in jax.tree.leaves(tree):
        a = np.asarray(leaf)
        h.update(str(a.dtype).encode() + str(a.shape).encode())
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


class Checkpointer:
    """Saves and restores ``{"state": pytree}`` with JSON ``meta`` under ``directory``."""

    def __init__(self, directory: str | Path, *, max_to_keep: int = 3):
        if max_to_keep < 2:
            raise ValueError(f"max_to_keep must be >= 2 so a corrupted latest checkpoint has a fallback, "
                             f"got {max_to_keep}")
        self.directory = Path(directory).absolute()
        self.max_to_keep = max_to_keep
        self._manager = self._open()

    def _open(self) -> ocp.CheckpointManager:
        options = ocp.CheckpointManagerOptions(max_to_keep=self.max_to_keep, create=True,
                                               enable_async_checkpointing=False)
        return ocp.CheckpointManager(self.directory, options=options)

    def steps(self) -> list[int]:
        return sorted(self._manager.all_steps())

    def save(self, step: int, state: Any, meta: dict) -> None:
        host_state = serialization.to_state_dict(jax.device_get(state))
        meta = {**meta, "step": int(step), "fingerprint": fingerprint(host_state)}
        self._manager.save(int(step), args=ocp.args.Composite(state=ocp.args.StandardSave(host_state),
                                                              meta=ocp.args.JsonSave(meta)), force=True)
        self._manager.wait_until_finished()

    def restore_latest(self, target: Any) -> tuple[Any, dict] | None:
        """Newest checkpoint that reads back intact, as ``(state, meta)``; None when there is none."""
        target_dict = serialization.to_state_dict(jax.device_get(target))
        abstract = jax.tree.map(lambda a: np.zeros(np.shape(a), np.asarray(a).dtype), target_dict)
        for step in reversed(self.steps()):
            try:
                out = self._manager.restore(step, args=ocp.args.Composite(
                    state=ocp.args.StandardRestore(abstract), meta=ocp.args.JsonRestore()))
                state, meta = out["state"], dict(out["meta"])
                if meta.get("fingerprint") != fingerprint(state):
                    raise ValueError("fingerprint mismatch (the arrays on disk are not the ones saved)")
                return serialization.from_state_dict(target, state), meta
            except Exception as e:  # noqa: BLE001 - any failure to read means this checkpoint is unusable
                self._quarantine(step, e)
        return None

    def _quarantine(self, step: int, error: Exception) -> None:
        src = self.directory / str(step)
        dst = self.directory / f"corrupt-{step}"
        i = 1
        while dst.exists():
            dst, i = self.directory / f"corrupt-{step}-{i}", i + 1
        if src.exists():
            shutil.move(str(src), str(dst))
        log.warning("checkpoint at step %d is unreadable (%s: %s); moved to %s, trying the previous one",
                    step, type(error).__name__, str(error).splitlines()[0][:200] if str(error) else "",
                    dst.name)
        print(f"jaxzoo: checkpoint at step {step} is unreadable ({type(error).__name__}); moved aside to "
              f"{dst.name}; resuming from the previous good checkpoint")
        self._manager.close()
        self._manager = self._open()

    def close(self) -> None:
        self._manager.close()
