"""Plots for the classical family: decision boundaries of 2-D classifiers, CV score tables, 2-D embeddings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from jaxzoo.viz.plots import save_figure


def decision_boundaries(predictors: Mapping[str, Callable[[np.ndarray], np.ndarray]], X, y, path: str | Path, *,
                        resolution: int = 200, title: str = "") -> Path:
    """One panel per ``{name: predict}``: predicted class over a grid around the 2-D points ``X``, with ``y``."""
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision boundaries need 2-D points (n, 2), got shape {X.shape}")
    pad = 0.1 * (X.max(0) - X.min(0))
    gx, gy = np.meshgrid(np.linspace(X[:, 0].min() - pad[0], X[:, 0].max() + pad[0], resolution),
                         np.linspace(X[:, 1].min() - pad[1], X[:, 1].max() + pad[1], resolution))
    grid = np.c_[gx.ravel(), gy.ravel()]
    n = len(predictors)
    cols = min(n, 3)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.8 * rows), squeeze=False)
    classes = np.unique(y)
    for ax, (name, predict) in zip(axes.ravel(), predictors.items()):
        z = np.searchsorted(classes, np.asarray(predict(grid))).reshape(gx.shape)
        ax.contourf(gx, gy, z, levels=np.arange(len(classes) + 1) - 0.5, cmap="Pastel1", alpha=0.9)
        ax.scatter(X[:, 0], X[:, 1], c=np.searchsorted(classes, y), cmap="Set1", s=12, edgecolors="k",
                   linewidths=0.3, vmin=0, vmax=max(len(classes) - 1, 1))
        ax.set_title(name, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    if title:
        fig.suptitle(title)
    return save_figure(fig, path)


def score_table(values, scores, path: str | Path, *, xlabel: str = "C", ylabel: str = "CV accuracy",
                title: str = "", log_x: bool = True, extra: Mapping[str, np.ndarray] | None = None) -> Path:
    """Mean +/- std over folds of ``scores (n_values, n_folds)`` against ``values``; best value marked."""
    values, scores = np.asarray(values, float), np.asarray(scores, float)
    mean, std = scores.mean(1), scores.std(1)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(values, mean, marker="o", ms=3, label="mean over folds")
    ax.fill_between(values, mean - std, mean + std, alpha=0.25, label="+/- 1 std")
    for name, curve in (extra or {}).items():
        ax.plot(values, curve, ls="--", label=name)
    best = int(np.argmax(mean))
    ax.axvline(values[best], color="k", ls=":", lw=1, label=f"best {xlabel}={values[best]:.3g}")
    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    return save_figure(fig, path)


def embedding(Z, labels, path: str | Path, *, title: str = "") -> Path:
    """2-D embedding (t-SNE, PCA, a latent space) coloured by label."""
    Z = np.asarray(Z)
    fig, ax = plt.subplots(figsize=(5.5, 5))
    sc = ax.scatter(Z[:, 0], Z[:, 1], c=np.asarray(labels), cmap="tab10", s=6)
    fig.colorbar(sc, ax=ax, fraction=0.046)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return save_figure(fig, path)
