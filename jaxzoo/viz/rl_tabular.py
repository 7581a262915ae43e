"""Tabular RL pictures: value heatmaps with policy arrows, |V_k - V*| convergence curves, and a text grid.

Grids are given as int cell arrays (``jaxzoo.rl.gridworld_maps``: 0 free, 1 wall, 2 start, 3 goal, 4 trap)
or as text rows; values and policies are flat ``[H * W]`` arrays in row-major order. Actions are
0 left, 1 down, 2 right, 3 up (gymnax FrozenLake's order).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from jaxzoo.viz.plots import plt, save_figure

FREE, WALL, START, GOAL, TRAP = range(5)
ARROWS = "←↓→↑"
_DX = np.array([-1.0, 0.0, 1.0, 0.0])   # plot coordinates: x right, y down (image rows)
_DY = np.array([0.0, 1.0, 0.0, -1.0])
_CHARS = {".": FREE, "F": FREE, "#": WALL, "S": START, "G": GOAL, "T": TRAP, "H": TRAP}


def as_grid(grid) -> np.ndarray:
    """An int cell array from an array or from text rows (gridworld ``.#SGT`` or FrozenLake ``SFHG``)."""
    if isinstance(grid, np.ndarray) and grid.dtype.kind in "iu":
        return grid
    if isinstance(grid, (list, tuple)) and grid and isinstance(grid[0], str):
        return np.array([[_CHARS[c] for c in row] for row in grid])
    return np.asarray(grid, dtype=int)


def frozen_lake_grid(env) -> np.ndarray:
    """The cell array of a gymnax FrozenLake (start, frozen, hole, goal -> start, free, trap, goal)."""
    desc = np.asarray(env.desc)
    return np.select([desc == 0, desc == 2, desc == 3], [START, TRAP, GOAL], FREE)


def render_text(grid, policy=None, values=None, *, decimals: int = 2) -> str:
    """The grid for the terminal: walls ``#``, goals ``G``, traps ``T``, and policy arrows on open cells.

    With ``values`` a second block prints V per cell.
    """
    grid = as_grid(grid)
    h, w = grid.shape
    pol = None if policy is None else np.asarray(policy).reshape(h, w)
    lines = []
    for r in range(h):
        row = []
        for c in range(w):
            kind = grid[r, c]
            if kind == WALL:
                row.append("#")
            elif kind == GOAL:
                row.append("G")
            elif kind == TRAP:
                row.append("T")
            elif pol is not None:
                row.append(ARROWS[int(pol[r, c])])
            else:
                row.append("S" if kind == START else ".")
        lines.append(" ".join(row))
    if values is not None:
        v = np.asarray(values, float).reshape(h, w)
        width = max(len(f"{x:.{decimals}f}") for x in v.ravel())
        lines.append("")
        for r in range(h):
            lines.append(" ".join("#".rjust(width) if grid[r, c] == WALL else f"{v[r, c]:{width}.{decimals}f}"
                                  for c in range(w)))
    return "\n".join(lines)


def value_heatmap(grid, values, path: str | Path, *, policy=None, title: str = "", ax=None,
                  annotate: bool | None = None) -> Path | None:
    """V as a heatmap (walls grey, goals/traps outlined) with policy arrows on open cells."""
    grid = as_grid(grid)
    h, w = grid.shape
    v = np.ma.masked_where(grid == WALL, np.asarray(values, float).reshape(h, w))
    own = ax is None
    if own:
        _, ax = plt.subplots(figsize=(min(2 + 0.6 * w, 10), min(1.5 + 0.6 * h, 10)))
    cmap = plt.get_cmap("viridis").with_extremes(bad="0.35")
    im = ax.imshow(v, cmap=cmap)
    ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="V(s)")
    for kind, color in ((GOAL, "gold"), (TRAP, "red")):
        for r, c in np.argwhere(grid == kind):
            ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, ec=color, lw=2))
    if policy is not None:
        pol = np.asarray(policy).reshape(h, w)
        rows, cols = np.nonzero(np.isin(grid, (FREE, START)))
        a = pol[rows, cols]
        ax.quiver(cols, rows, _DX[a], -_DY[a], color="white", scale=max(h, w) * 2.2, width=0.006,
                  pivot="middle")
    if annotate if annotate is not None else max(h, w) <= 10:
        for r, c in np.argwhere(grid != WALL):
            ax.text(c, r + 0.32, f"{v[r, c]:.2f}", ha="center", va="center", fontsize=7, color="white")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return save_figure(ax.figure, path) if own else None


def convergence_curves(curves: Mapping[str, Sequence[float]], path: str | Path, *,
                       ylabel: str = "max_s |V_k(s) - V*(s)|", title: str = "") -> Path:
    """Log-scale error per sweep, one line per named curve (nan entries are skipped)."""
    fig, ax = plt.subplots(figsize=(6, 4))
    for label, y in curves.items():
        y = np.asarray(y, float)
        k = np.flatnonzero(np.isfinite(y) & (y > 0))
        ax.semilogy(k + 1, y[k], label=label)
    ax.set_xlabel("sweep k")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3, which="both")
    if title:
        ax.set_title(title)
    if len(curves) > 1:
        ax.legend(fontsize=8)
    return save_figure(fig, path)


def value_panels(grid, panels: Mapping[str, tuple], path: str | Path, *, title: str = "") -> Path:
    """Several ``{title: (values, policy)}`` heatmaps side by side (e.g. one per discount or algorithm)."""
    n = len(panels)
    grid = as_grid(grid)
    h, w = grid.shape
    fig, axes = plt.subplots(1, n, figsize=(n * min(2 + 0.5 * w, 6), min(1.5 + 0.5 * h, 6)), squeeze=False)
    for ax, (name, (values, policy)) in zip(axes[0], panels.items()):
        value_heatmap(grid, values, path, policy=policy, title=name, ax=ax, annotate=False)
    if title:
        fig.suptitle(title)
    return save_figure(fig, path)
