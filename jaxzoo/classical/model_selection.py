"""K-fold splits (indices identical to scikit-learn's) and cross-validation / grid search in one compiled call.

``KFold(n_splits, shuffle, seed)`` and ``StratifiedKFold`` yield the same ``(train, test)`` index arrays
as ``sklearn.model_selection.KFold`` / ``StratifiedKFold`` with ``random_state=seed``: without shuffling
the folds are contiguous blocks (the first ``n % n_splits`` folds one row longer); with ``shuffle=True``
the row order (``KFold``) or each class's fold assignment (``StratifiedKFold``) is permuted by
``numpy.random.RandomState(seed).shuffle``, exactly scikit-learn's generator and call order.

Cross-validation turns the folds into 0/1 sample-weight masks ``(n_folds, n)`` on the full data, so every
fold has the same shapes and all folds train under one ``vmap``; ``grid_search`` adds a second ``vmap``
over hyperparameter values (e.g. 32 values of ``C`` x 5 folds = 160 fits in one ``jit``).
"""

from __future__ import annotations

import itertools

import jax
import jax.numpy as jnp
import numpy as np

from jaxzoo.classical.base import as_key, check_number


class KFold:
    def __init__(self, n_splits=5, shuffle=False, seed=None):
        check_number("n_splits", n_splits, integer=True, low=2, inclusive=True)
        if not shuffle and seed is not None:
            raise ValueError("seed has no effect without shuffle=True; leave it None")
        self.n_splits, self.shuffle, self.seed = int(n_splits), bool(shuffle), seed

    def _check_n(self, n):
        if self.n_splits > n:
            raise ValueError(f"n_splits={self.n_splits} is more than the {n} samples")

    def _test_indices(self, X, y):
        n = len(X)
        self._check_n(n)
        idx = np.arange(n)
        if self.shuffle:
            np.random.RandomState(self.seed).shuffle(idx)
        sizes = np.full(self.n_splits, n // self.n_splits)
        sizes[: n % self.n_splits] += 1
        bounds = np.concatenate([[0], np.cumsum(sizes)])
        return [idx[a:b] for a, b in itertools.pairwise(bounds)]

    def split(self, X, y=None):
        n = len(X)
        for test in self._test_indices(X, y):
            mask = np.zeros(n, bool)
            mask[test] = True
            yield np.flatnonzero(~mask), np.flatnonzero(mask)

    def masks(self, X, y=None) -> np.ndarray:
        """``(n_splits, n)`` training-row masks (1.0 = train) for the vmapped fits."""
        m = np.ones((self.n_splits, len(X)))
        for k, (_, test) in enumerate(self.split(X, y)):
            m[k, test] = 0.0
        return m


class StratifiedKFold(KFold):
    """Folds that keep each class's share; assignment as scikit-learn's (classes in order of first appearance)."""

    def _test_indices(self, X, y):
        if y is None:
            raise ValueError("StratifiedKFold needs y")
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != len(X):
            raise ValueError(f"y must be 1-D with {len(X)} entries, got shape {y.shape}")
        self._check_n(len(y))
        _, first, inverse = np.unique(y, return_index=True, return_inverse=True)
        order_of_first = np.argsort(np.argsort(first))      # class codes in order of first appearance
        codes = order_of_first[inverse.reshape(-1)]
        n_classes = len(first)
        if np.all(np.bincount(codes) < self.n_splits) or np.min(np.bincount(codes)) < 1:
            raise ValueError(f"n_splits={self.n_splits} is more than the members of every class")
        sorted_codes = np.sort(codes)
        allocation = np.asarray([np.bincount(sorted_codes[i:: self.n_splits], minlength=n_classes)
                                 for i in range(self.n_splits)])
        rng = np.random.RandomState(self.seed) if self.shuffle else None
        fold = np.empty(len(y), np.int64)
        for c in range(n_classes):
            f = np.repeat(np.arange(self.n_splits), allocation[:, c])
            if rng is not None:
                rng.shuffle(f)
            fold[codes == c] = f
        return [np.flatnonzero(fold == k) for k in range(self.n_splits)]


def _score(est, model, X, y, test_w):
    pred = type(est).predict_impl(model, X)
    if est.is_classifier:
        return jnp.sum(test_w * (pred == y)) / jnp.sum(test_w)
    mean = jnp.sum(test_w * y) / jnp.sum(test_w)
    return 1 - jnp.sum(test_w * (y - pred) ** 2) / jnp.sum(test_w * (y - mean) ** 2)


def _folds(cv, X, y, classifier):
    if isinstance(cv, int):
        cv = StratifiedKFold(cv) if classifier else KFold(cv)
    return cv.masks(X, y)


def cross_val_score(est, X, y, cv=5, seed=0) -> np.ndarray:
    """Accuracy (classifiers) or R^2 (regressors) on each test fold; all folds fit in one compiled call."""
    return grid_search(est, X, y, {}, cv=cv, seed=seed)[0]


def grid_search(est, X, y, grid: dict, cv=5, seed=0) -> np.ndarray:
    """Scores ``(n_values, n_folds)`` for ``grid = {name: values}`` of ``est``'s vmappable hyperparameters.

    Several names are zipped (same length). With an empty grid, returns ``(1, n_folds)``.
    """
    X, y, _ = est.prepare(X, y)
    base = est.hyper()
    unknown = [k for k in grid if k not in base]
    if unknown:
        raise ValueError(f"{type(est).__name__} cannot vmap over {unknown}; its vmappable hyperparameters: "
                         f"{', '.join(base) or 'none'}")
    lengths = {len(np.atleast_1d(v)) for v in grid.values()}
    if len(lengths) > 1:
        raise ValueError(f"grid values must all have the same length, got {sorted(lengths)}")
    n_values = lengths.pop() if lengths else 1
    hyper = {k: jnp.asarray(np.atleast_1d(grid[k]) if k in grid else np.full(n_values, v), X.dtype)
             for k, v in base.items()}
    hyper["grid_index"] = jnp.arange(n_values)          # gives vmap an axis even with no hyperparameters
    masks = jnp.asarray(_folds(cv, X, y, est.is_classifier), X.dtype)
    keys = jax.random.split(as_key(seed), masks.shape[0])
    return np.asarray(_grid_call(est, est.static() + (est.n_classes,))(X, y, masks, hyper, keys))


_CACHE = {}


def _grid_call(est, static):
    key = (type(est), static)
    if key not in _CACHE:
        fit = type(est).fit_impl

        def one(X, y, w, hyper, k):
            model = fit(static, X, y, w, hyper, k)
            return _score(est, model, X, y, 1.0 - w)

        over_folds = jax.vmap(one, in_axes=(None, None, 0, None, 0))
        _CACHE[key] = jax.jit(jax.vmap(over_folds, in_axes=(None, None, None, 0, None)))
    return _CACHE[key]
