"""RL learning curves: return (mean and spread over seeds) against environment steps and wall-clock time."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from jaxzoo.viz.plots import plt, save_figure


def _band(ax, x, y, label):
    y = np.asarray(y, float)
    mean, lo, hi = np.nanmean(y, 0), np.nanmin(y, 0), np.nanmax(y, 0)
    std = np.nanstd(y, 0)
    ax.plot(x, mean, label=f"{label} (mean)")
    ax.fill_between(x, np.maximum(mean - std, lo), np.minimum(mean + std, hi), alpha=0.25, label="+/- 1 std")


def return_curves(env_steps: Sequence[float], train_returns, history: Sequence[dict], path: str | Path, *,
                  title: str = "", solved_at: float | None = None) -> Path:
    """Two panels: training-episode return [seeds, updates] vs env steps, and greedy evaluation vs wall-clock.

    ``history`` rows carry ``wall_s``, ``env_steps`` and ``eval_returns`` (one per seed), as written by
    ``jaxzoo.rl.runner.train_chunked``.
    """
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    train_returns = np.atleast_2d(np.asarray(train_returns, float))
    _band(ax1, np.asarray(env_steps, float), train_returns, "training episodes")
    rows = [r for r in history if "eval_returns" in r]
    if rows:
        ev = np.asarray([r["eval_returns"] for r in rows], float).T
        ax1.plot([r["env_steps"] for r in rows], ev.mean(0), "o-", ms=3, label="greedy evaluation (mean)")
        _band(ax2, np.asarray([r["wall_s"] for r in rows], float), ev, "greedy evaluation")
    for ax, xl in ((ax1, "environment steps"), (ax2, "wall-clock seconds (compilation included)")):
        if solved_at is not None:
            ax.axhline(solved_at, color="k", ls="--", lw=0.8, label=f"solved ({solved_at:g})")
        ax.set_xlabel(xl)
        ax.set_ylabel("return")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    n = train_returns.shape[0]
    fig.suptitle(f"{title} ({n} seed{'s' if n != 1 else ''})" if title else f"{n} seeds")
    return save_figure(fig, path)


def sweep_curve(values: Sequence[float], returns, path: str | Path, *, xlabel: str, title: str = "",
                log_x: bool = True) -> Path:
    """Final greedy return (mean and every seed) for each value of a swept hyperparameter."""
    returns = np.asarray(returns, float)  # [values, seeds]
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for j in range(returns.shape[1]):
        ax.plot(values, returns[:, j], ".", color="tab:gray", alpha=0.6)
    ax.plot(values, returns.mean(1), "o-", label="mean over seeds")
    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("final greedy return")
    ax.grid(alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    return save_figure(fig, path)
