"""Run folders: ``runs/<experiment>/<time>/`` with config.json, metrics.jsonl, checkpoints/, plots/, summary.json."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np


def new_run_dir(experiment: str, root: str | Path = "runs") -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = Path(root) / experiment
    path, i = base / stamp, 1
    while path.exists():
        path, i = base / f"{stamp}-{i}", i + 1
    (path / "plots").mkdir(parents=True)
    return path


def latest_run_dir(experiment: str, root: str | Path = "runs") -> Path | None:
    base = Path(root) / experiment
    runs = sorted(p for p in base.glob("*") if p.is_dir()) if base.is_dir() else []
    return runs[-1] if runs else None


def _jsonable(v):
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (np.generic, np.ndarray)) or hasattr(v, "__array__"):
        a = np.asarray(v)
        return a.item() if a.ndim == 0 else a.tolist()
    if isinstance(v, Path):
        return str(v)
    return v


def write_json(path: str | Path, obj) -> Path:
    """Write atomically (temp file + rename) so a kill never leaves a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(_jsonable(obj), indent=2, sort_keys=True) + "\n")
    tmp.replace(path)
    return path
