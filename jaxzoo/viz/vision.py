"""Figures for image classifiers: confusion matrix, misclassified examples, filters and feature maps."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from jaxzoo.viz.plots import plt, save_figure


def confusion_matrix(labels, preds, num_classes: int) -> np.ndarray:
    """``m[i, j]`` = how many examples of true class i were predicted as class j."""
    m = np.zeros((num_classes, num_classes), np.int64)
    np.add.at(m, (np.asarray(labels, int), np.asarray(preds, int)), 1)
    return m


def plot_confusion_matrix(labels, preds, path: str | Path, *, class_names: Sequence[str] | None = None,
                          title: str = "") -> Path:
    k = len(class_names) if class_names else int(max(np.max(labels), np.max(preds))) + 1
    m = confusion_matrix(labels, preds, k)
    names = list(class_names) if class_names else [str(i) for i in range(k)]
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    ax.imshow(m, cmap="Blues")
    for i in range(k):
        for j in range(k):
            ax.text(j, i, str(m[i, j]), ha="center", va="center", fontsize=7,
                    color="white" if m[i, j] > m.max() / 2 else "black")
    ax.set_xticks(range(k), names, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(k), names, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    acc = np.trace(m) / max(m.sum(), 1)
    ax.set_title(f"{title + ' ' if title else ''}(accuracy {acc:.2%})")
    return save_figure(fig, path)


def _image(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float32)
    return x[..., 0] if x.shape[-1] == 1 else x


def plot_misclassified(images, labels, preds, path: str | Path, *, class_names: Sequence[str] | None = None,
                       max_images: int = 32, cols: int = 8, title: str = "") -> Path:
    """A grid of the first misclassified images, each titled 'true -> predicted'."""
    labels, preds = np.asarray(labels), np.asarray(preds)
    wrong = np.flatnonzero(labels != preds)[:max_images]
    name = (lambda i: class_names[i]) if class_names else str
    rows = max(1, -(-len(wrong) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.3, rows * 1.5), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong):
        ax.imshow(_image(images[i]), cmap="gray")
        ax.set_title(f"{name(int(labels[i]))}\n-> {name(int(preds[i]))}", fontsize=6)
    fig.suptitle(title or f"misclassified: {int((labels != preds).sum())} of {len(labels)}", fontsize=9)
    return save_figure(fig, path)


def plot_filters(kernel, path: str | Path, *, title: str = "first-layer filters") -> Path:
    """Each output filter of an HWIO kernel (input channels averaged) as a small image."""
    k = np.asarray(kernel, np.float32).mean(axis=2)  # (H, W, out)
    n = k.shape[-1]
    cols = min(n, 8)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.2, rows * 1.3), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    lim = np.abs(k).max() or 1.0
    for i, ax in zip(range(n), axes.flat):
        ax.imshow(k[..., i], cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_title(str(i), fontsize=7)
    fig.suptitle(title, fontsize=9)
    return save_figure(fig, path)


def plot_feature_maps(image, maps: dict, path: str | Path, *, max_maps: int = 16) -> Path:
    """The input image and, per named layer, its feature maps (``(H, W, C)`` arrays) for one example."""
    layers = list(maps.items())
    cols = 1 + max(min(np.asarray(m).shape[-1], max_maps) for _, m in layers)
    fig, axes = plt.subplots(len(layers), cols, figsize=(cols * 1.0, len(layers) * 1.2), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for r, (name, m) in enumerate(layers):
        m = np.asarray(m, np.float32)
        axes[r, 0].imshow(_image(image), cmap="gray")
        axes[r, 0].set_title(f"{name}", fontsize=7)
        for c in range(min(m.shape[-1], max_maps)):
            axes[r, c + 1].imshow(m[..., c], cmap="viridis")
    return save_figure(fig, path)
