"""Metric writers: JSON lines always, TensorBoard event files when tensorboardX is installed."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np


def _plain(v):
    if isinstance(v, (np.generic, np.ndarray)) or hasattr(v, "__array__"):
        v = np.asarray(v)
        return v.item() if v.ndim == 0 else v.tolist()
    return v


class MetricWriter:
    """Appends ``{"step": s, "time": t, **metrics}`` rows to ``run_dir/metrics.jsonl``.

    Opened in append mode, so a resumed run continues the same file. ``enabled=False`` (for
    non-zero processes of a multi-host run) makes every call a no-op.
    """

    def __init__(self, run_dir: str | Path | None, *, tensorboard: bool = True, enabled: bool = True):
        self.path = Path(run_dir) / "metrics.jsonl" if (run_dir is not None and enabled) else None
        self._tb = None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if tensorboard:
                try:
                    from tensorboardX import SummaryWriter
                    self._tb = SummaryWriter(str(self.path.parent / "tensorboard"))
                except ImportError:
                    pass

    def write(self, step: int, metrics: dict, **extra) -> None:
        if self.path is None:
            return
        row = {"step": int(step), "time": round(time.time(), 3), **{k: _plain(v) for k, v in metrics.items()},
               **{k: _plain(v) for k, v in extra.items()}}
        with open(self.path, "a") as f:
            f.write(json.dumps(row, allow_nan=True) + "\n")
        if self._tb is not None:
            for k, v in row.items():
                if k not in ("step", "time") and isinstance(v, (int, float)) and math.isfinite(v):
                    self._tb.add_scalar(k, v, int(step))

    def close(self) -> None:
        if self._tb is not None:
            self._tb.close()


def read_metrics(run_dir: str | Path) -> list[dict]:
    path = Path(run_dir) / "metrics.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
