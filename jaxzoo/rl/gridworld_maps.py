"""Gridworld maps: parse a small text map, generate one by size, and check it (one clear ValueError).

Cells: ``.`` free, ``#`` wall, ``S`` start (exactly one), ``G`` goal (at least one), ``T`` trap.
Goal and trap cells end the episode. Rows are listed top to bottom.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import numpy as np

FREE, WALL, START, GOAL, TRAP = range(5)
CELL_CHARS = {".": FREE, "#": WALL, "S": START, "G": GOAL, "T": TRAP}
CHAR_OF = {v: k for k, v in CELL_CHARS.items()}

# Actions follow gymnax/Gymnasium FrozenLake: 0 left, 1 down, 2 right, 3 up; a +/- 1 (mod 4) is perpendicular.
LEFT, DOWN, RIGHT, UP = range(4)
MOVES = np.array([(0, -1), (1, 0), (0, 1), (-1, 0)])

MAPS = {
    # Russell & Norvig's 4x3 world (AIMA ch. 17): a wall in the middle, goal and trap on the right.
    "aima": ("...G", ".#.T", "S..."),
    "4x4": ("S...", ".#.#", "...#", "#..G"),
    "8x8": ("S.......", "........", "...T....", ".....T..", "...T....", ".TT...T.", ".T..T.T.", "...T...G"),
    "cliff": ("............", "............", "............", "STTTTTTTTTTG"),
}


def parse_layout(layout: str | Sequence[str]) -> np.ndarray:
    """A text map (one string with newlines, a sequence of rows, or a name in ``MAPS``) -> int cell array."""
    if isinstance(layout, str):
        rows = MAPS[layout] if layout in MAPS else [r.strip() for r in layout.strip().splitlines()]
    else:
        rows = list(layout)
    if not rows or not all(isinstance(r, str) for r in rows) or not rows[0]:
        raise ValueError(f"a gridworld map must be non-empty rows of text (or one of {sorted(MAPS)}), got {layout!r}")
    widths = {len(r) for r in rows}
    if len(widths) != 1:
        raise ValueError(f"gridworld map is not rectangular: row lengths {[len(r) for r in rows]} differ")
    bad = sorted({c for r in rows for c in r if c not in CELL_CHARS})
    if bad:
        raise ValueError(f"unknown gridworld cell character(s) {bad}; allowed: '.' free, '#' wall, 'S' start, "
                         "'G' goal, 'T' trap")
    grid = np.array([[CELL_CHARS[c] for c in r] for r in rows], dtype=np.int32)
    check_grid(grid)
    return grid


def check_grid(grid: np.ndarray) -> None:
    """Exactly one start, at least one goal, and a goal reachable from the start."""
    starts = int((grid == START).sum())
    if starts != 1:
        raise ValueError(f"a gridworld map needs exactly one start cell 'S', found {starts}")
    if not (grid == GOAL).any():
        raise ValueError("a gridworld map needs at least one goal cell 'G', found none")
    seen = reachable_cells(grid, tuple(np.argwhere(grid == START)[0]))
    if not (seen & (grid == GOAL)).any():
        raise ValueError("no goal cell 'G' can be reached from the start 'S' (walls or traps block every path)")


def reachable_cells(grid: np.ndarray, start: tuple[int, int]) -> np.ndarray:
    """Boolean mask of cells reachable from ``start`` by moving through non-wall, non-terminal cells."""
    h, w = grid.shape
    seen = np.zeros_like(grid, dtype=bool)
    seen[start] = True
    queue = deque([start])
    while queue:
        r, c = queue.popleft()
        if grid[r, c] in (GOAL, TRAP):
            continue
        for dr, dc in MOVES:
            nr, nc = r + dr, c + dc
            if 0 <= nr < h and 0 <= nc < w and not seen[nr, nc] and grid[nr, nc] != WALL:
                seen[nr, nc] = True
                queue.append((nr, nc))
    return seen


def generate_layout(size: int, *, wall_fraction: float = 0.2, trap_fraction: float = 0.05,
                    seed: int = 0, width: int | None = None) -> list[str]:
    """A random ``size x width`` map: start top-left, goal bottom-right, random walls and traps.

    Free cells cut off from the start become walls, so every free cell can reach the goal.
    """
    width = size if width is None else width
    if not isinstance(size, (int, np.integer)) or size < 2 or width < 2:
        raise ValueError(f"a generated gridworld needs size >= 2 (and width >= 2), got {size!r} x {width!r}")
    for name, frac in (("wall_fraction", wall_fraction), ("trap_fraction", trap_fraction)):
        if not 0.0 <= frac < 1.0:
            raise ValueError(f"{name} must be in [0, 1), got {frac!r}")
    if wall_fraction + trap_fraction >= 0.9:
        raise ValueError(f"wall_fraction + trap_fraction must be < 0.9, got {wall_fraction + trap_fraction}")
    rng = np.random.default_rng(seed)
    for _ in range(1000):
        u = rng.random((size, width))
        grid = np.where(u < wall_fraction, WALL, np.where(u < wall_fraction + trap_fraction, TRAP, FREE))
        grid[0, 0], grid[-1, -1] = START, GOAL
        seen = reachable_cells(grid, (0, 0))
        if seen[-1, -1]:
            grid = np.where((grid == FREE) & ~seen, WALL, grid)
            return ["".join(CHAR_OF[int(v)] for v in row) for row in grid]
    raise ValueError(f"could not generate a {size}x{width} map with a path to the goal; "
                     f"lower wall_fraction ({wall_fraction}) or trap_fraction ({trap_fraction})")


def layout_rows(grid: np.ndarray) -> list[str]:
    """The text rows of an int cell array (inverse of ``parse_layout``)."""
    return ["".join(CHAR_OF[int(v)] for v in row) for row in np.asarray(grid)]


def next_cells(grid: np.ndarray) -> np.ndarray:
    """``[S, 4]`` flat index of the cell each move leads to (walls and edges leave the agent in place)."""
    h, w = grid.shape
    rows, cols = np.divmod(np.arange(h * w), w)
    out = np.empty((h * w, 4), dtype=np.int32)
    for a, (dr, dc) in enumerate(MOVES):
        nr, nc = np.clip(rows + dr, 0, h - 1), np.clip(cols + dc, 0, w - 1)
        blocked = grid[nr, nc] == WALL
        out[:, a] = np.where(blocked, rows * w + cols, nr * w + nc)
    return out
