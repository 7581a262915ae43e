"""Input checks and the thin scikit-learn-style base class over the pure ``fit`` / ``predict`` functions.

Every estimator is a pair of pure functions ``fit_impl(static, X, y, w, hyper, key) -> model pytree`` and
``predict_impl(model, X)``: ``static`` holds the options that change shapes or code paths (hashable),
``hyper`` the numeric hyperparameters (a dict of scalars, traced, so it can be vmapped), ``w`` a
per-sample weight (0 masks a row out: that is how cross-validation trains all folds in one call).
Labels are encoded to ``0..K-1`` at the class boundary; the pure functions only see the codes.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np


class NotFittedError(ValueError):
    """An estimator was used before ``fit``."""


def float_dtype():
    """float64 when ``jax_enable_x64`` is on, else float32."""
    return jnp.result_type(float)


def check_option(name: str, value, allowed) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(repr(a) for a in allowed)}, got {value!r}")


def check_number(name: str, value, *, low=0.0, inclusive=False, integer=False, high=None) -> None:
    ok_type = isinstance(value, (int, np.integer)) if integer else isinstance(value, (int, float, np.number))
    if isinstance(value, bool) or not ok_type or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite {'integer' if integer else 'number'}, got {value!r}")
    if (value < low) or (value == low and not inclusive) or (high is not None and value > high):
        rng = f"{'>=' if inclusive else '>'} {low}" + (f" and <= {high}" if high is not None else "")
        raise ValueError(f"{name} must be {rng}, got {value!r}")


def check_X(X, name: str = "X") -> np.ndarray:
    """A finite 2-D numeric array (n_samples >= 1, n_features >= 1) as floats."""
    a = np.asarray(X)
    if a.dtype == object or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        raise ValueError(f"{name} must hold numbers, got dtype {a.dtype}")
    if np.iscomplexobj(a):
        raise ValueError(f"{name} must be real, got complex dtype {a.dtype}")
    if a.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_features), got shape {a.shape}")
    if a.shape[0] < 1 or a.shape[1] < 1:
        raise ValueError(f"{name} must have at least one row and one column, got shape {a.shape}")
    a = a.astype(np.dtype(float_dtype()), copy=False)
    if not np.all(np.isfinite(a)):
        bad = np.argwhere(~np.isfinite(a))[0]
        raise ValueError(f"{name} contains NaN or Inf (first at row {bad[0]}, column {bad[1]})")
    return a


def check_y(y, n: int, *, classification: bool, name: str = "y"):
    """Returns ``(classes, codes)`` for classification, else the float targets."""
    a = np.asarray(y)
    if a.ndim != 1:
        raise ValueError(f"{name} must be 1-D (n_samples,), got shape {a.shape}")
    if len(a) != n:
        raise ValueError(f"X and {name} have different lengths: {n} rows in X, {len(a)} in {name}")
    if classification:
        if a.dtype.kind == "f" and not np.all(np.isfinite(a)):
            raise ValueError(f"{name} contains NaN or Inf")
        if a.dtype.kind not in "iubfUSO":
            raise ValueError(f"{name} must hold class labels, got dtype {a.dtype}")
        classes, codes = np.unique(a, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(f"{name} has a single class ({classes[0]!r}); classification needs at least 2")
        return classes, codes.astype(np.int32)
    if a.dtype == object or not np.issubdtype(a.dtype, np.number):
        raise ValueError(f"{name} must hold numbers for regression, got dtype {a.dtype}")
    a = a.astype(np.dtype(float_dtype()))
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or Inf")
    return a


def check_weight(sample_weight, n: int) -> np.ndarray:
    if sample_weight is None:
        return np.ones(n, np.dtype(float_dtype()))
    w = np.asarray(sample_weight, dtype=np.dtype(float_dtype()))
    if w.shape != (n,):
        raise ValueError(f"sample_weight must have shape ({n},), got {w.shape}")
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError("sample_weight must be finite, >= 0, and not all zero")
    return w


def as_key(seed):
    if seed is None:
        return jax.random.key(0)
    if isinstance(seed, (int, np.integer)):
        return jax.random.key(int(seed))
    return seed


@functools.cache
def jitted(fn, *static_argnums):
    return jax.jit(fn, static_argnums=static_argnums)


def weighted_mean(x, w):
    """Mean of ``x`` over axis 0 with weights ``w``."""
    return jnp.einsum("n,n...->...", w, x) / jnp.sum(w)


class Estimator:
    """scikit-learn-style wrapper. Subclasses define ``static()``, ``hyper()``, ``fit_impl``, ``predict_impl``."""

    is_classifier = True
    has_proba = False

    def static(self):
        return ()

    def hyper(self) -> dict:
        return {}

    @staticmethod
    def fit_impl(static, X, y, w, hyper, key):  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def predict_impl(model, X):  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def proba_impl(model, X):  # pragma: no cover - abstract
        raise NotImplementedError

    # -- the pure functions with this estimator's options bound: what vmap / grid search / bagging use
    def fit_fn(self, n_classes: int = 0):
        return functools.partial(type(self).fit_impl, self.static() + (n_classes,))

    # -- scikit-learn style
    def prepare(self, X, y, sample_weight=None):
        """Checked arrays ``(X, codes_or_targets, w)``; sets ``classes_`` and ``n_features_in_``."""
        X = check_X(X)
        out = check_y(y, len(X), classification=self.is_classifier)
        if self.is_classifier:
            self.classes_, y = out
        else:
            y = out
        self.n_features_in_ = X.shape[1]
        return X, y, check_weight(sample_weight, len(X))

    @property
    def n_classes(self) -> int:
        return len(self.classes_) if self.is_classifier else 0

    def fit(self, X, y, sample_weight=None, seed=0):
        X, y, w = self.prepare(X, y, sample_weight)
        fit = jitted(type(self).fit_impl, 0)
        self.model_ = fit(self.static() + (self.n_classes,), X, y, w, self.hyper(), as_key(seed))
        return self

    def _checked_input(self, X):
        if not hasattr(self, "model_"):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; call fit(X, y) first")
        X = check_X(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, but {type(self).__name__} was fitted with "
                             f"{self.n_features_in_}")
        return X

    def predict(self, X):
        X = self._checked_input(X)
        out = np.asarray(jitted(type(self).predict_impl)(self.model_, X))
        return self.classes_[out] if self.is_classifier else out

    def predict_proba(self, X):
        if not self.has_proba:
            raise ValueError(f"{type(self).__name__} has no predict_proba")
        X = self._checked_input(X)
        return np.asarray(jitted(type(self).proba_impl)(self.model_, X))

    def score(self, X, y):
        pred = self.predict(X)
        y = np.asarray(y)
        if self.is_classifier:
            return float(np.mean(pred == y))
        return float(1 - np.sum((y - pred) ** 2) / np.sum((y - y.mean()) ** 2))

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in vars(self).items() if not k.endswith('_'))})"
