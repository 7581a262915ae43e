"""Shared plotting helpers: every figure is written as a PNG with the Agg backend (no display needed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def save_figure(fig, path: str | Path) -> Path:
    """Write ``fig`` to ``path`` (parents created), close it, and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def learning_curves(curves: Mapping[str, tuple[Sequence[float], Sequence[float]]], path: str | Path, *,
                    xlabel: str = "epoch", ylabel: str = "", title: str = "",
                    spread: Mapping[str, Sequence[float]] | None = None) -> Path:
    """One line per named curve ``{label: (x, y)}``; ``spread[label]`` shades y +/- spread."""
    fig, ax = plt.subplots(figsize=(6, 4))
    for label, (x, y) in curves.items():
        x, y = np.asarray(x, float), np.asarray(y, float)
        ax.plot(x, y, label=label)
        if spread and label in spread:
            s = np.asarray(spread[label], float)
            ax.fill_between(x, y - s, y + s, alpha=0.2)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    if len(curves) > 1:
        ax.legend()
    return save_figure(fig, path)


def history_plots(history: Sequence[Mapping[str, float]], path: str | Path, *, x: str = "epoch",
                  title: str = "") -> Path:
    """Loss and accuracy panels from a list of per-epoch metric dicts (keys like train_loss, val_accuracy)."""
    keys = sorted({k for row in history for k in row if k != x and isinstance(row[k], (int, float))})
    groups = {"loss": [k for k in keys if "loss" in k], "accuracy": [k for k in keys if "acc" in k]}
    groups = {g: ks for g, ks in groups.items() if ks}
    fig, axes = plt.subplots(1, max(len(groups), 1), figsize=(5 * max(len(groups), 1), 3.6), squeeze=False)
    for ax, (name, ks) in zip(axes[0], groups.items()):
        for k in ks:
            pts = [(row[x], row[k]) for row in history if k in row]
            ax.plot(*zip(*pts), marker="o", ms=3, label=k)
        ax.set_xlabel(x)
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    return save_figure(fig, path)
