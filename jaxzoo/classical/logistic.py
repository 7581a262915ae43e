"""Logistic regression (binary sigmoid, multinomial softmax) with L2 / L1 / elastic-net penalties.

Objective, matching scikit-learn's ``LogisticRegression(C=C, l1_ratio=r)`` at the same ``C``:
``mean_w(log-loss) + (1 / (C * sum(w))) * (r * ||coef||_1 + (1 - r) / 2 * ||coef||^2)`` (intercept
not penalised), minimised by full-batch accelerated proximal gradient descent (FISTA) with step
``1/L`` from the data's top eigenvalue. ``early_stopping`` holds out ``validation_fraction`` of the
rows and keeps the parameters with the lowest validation log-loss.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import struct

from jaxzoo.classical.base import Estimator, check_number, check_option
from jaxzoo.classical.optim import History, proximal_gradient, top_eigenvalue

PENALTIES = ("l2", "l1", "elasticnet", "none")


@struct.dataclass
class LogisticModel:
    coef: jax.Array        # (n_features, 1) binary or (n_features, K)
    intercept: jax.Array   # (1,) or (K,)
    history: History


def logits(model, X):
    return X @ model.coef + model.intercept


def predict_proba(model, X):
    z = logits(model, X)
    if z.shape[-1] == 1:
        p = jax.nn.sigmoid(z[:, 0])
        return jnp.stack([1 - p, p], axis=1)
    return jax.nn.softmax(z, axis=-1)


def predict(model, X):
    z = logits(model, X)
    return (z[:, 0] > 0).astype(jnp.int32) if z.shape[-1] == 1 else jnp.argmax(z, -1).astype(jnp.int32)


def _log_loss(params, X, y, w, binary):
    z = X @ params[0] + params[1]
    if binary:
        per = jax.nn.softplus(z[:, 0]) - y * z[:, 0]        # -log sigmoid(+-z)
    else:
        per = jax.nn.logsumexp(z, -1) - jnp.take_along_axis(z, y[:, None], 1)[:, 0]
    return jnp.sum(w * per) / jnp.sum(w)


def fit(X, y, w=None, *, C=1.0, penalty="l2", l1_ratio=0.5, n_classes=None, fit_intercept=True,
        max_iter=1000, tol=1e-6, early_stopping=False, validation_fraction=0.1, patience=5,
        eval_every=10, key=None):
    """Pure function: ``X (n, d)``, integer codes ``y (n,)``, weights ``w (n,)`` -> LogisticModel."""
    n, d = X.shape
    K = int(n_classes) if n_classes is not None else int(jnp.max(y)) + 1
    binary = K == 2
    w = jnp.ones(n, X.dtype) if w is None else w.astype(X.dtype)
    r = {"l2": 0.0, "l1": 1.0, "elasticnet": l1_ratio, "none": 0.0}[penalty]
    C = jnp.asarray(C, X.dtype)
    if early_stopping:
        key = jax.random.key(0) if key is None else key
        val = (jax.random.uniform(key, (n,)) < validation_fraction) & (w > 0)
        w_val, w = jnp.where(val, w, 0.0), jnp.where(val, 0.0, w)
    W = jnp.sum(w)
    strength = 0.0 if penalty == "none" else 1.0 / (C * W)
    Xa = jnp.concatenate([X, jnp.ones((n, 1), X.dtype)], 1) if fit_intercept else X
    L = top_eigenvalue((Xa * (w / W)[:, None]).T @ Xa) * (0.25 if binary else 0.5) * 1.05
    lr = 1.0 / (L + strength * (1 - r))
    out = 1 if binary else K
    yf = y.astype(X.dtype) if binary else y
    mask_b = 1.0 if fit_intercept else 0.0

    def loss(p):
        p = (p[0], p[1] * mask_b)
        return _log_loss(p, X, yf, w, binary) + strength * (1 - r) / 2 * jnp.sum(p[0] ** 2)

    val_fn = (lambda p: _log_loss((p[0], p[1] * mask_b), X, yf, w_val, binary)) if early_stopping else None
    p0 = (jnp.zeros((d, out), X.dtype), jnp.zeros((out,), X.dtype))
    (coef, b), hist = proximal_gradient(loss, p0, lr=lr, l1=strength * r, max_iter=max_iter, tol=tol,
                                        val_loss_fn=val_fn, patience=patience, eval_every=eval_every)
    return LogisticModel(coef, b * mask_b, hist)


class LogisticRegression(Estimator):
    """``LogisticRegression(C=1.0, penalty="l2").fit(X, y).predict(X)``; ``C`` can be vmapped (grid search)."""

    has_proba = True

    def __init__(self, C=1.0, penalty="l2", l1_ratio=0.5, fit_intercept=True, max_iter=1000, tol=1e-6,
                 early_stopping=False, validation_fraction=0.1, patience=5):
        check_number("C", C)
        check_option("penalty", penalty, PENALTIES)
        check_number("l1_ratio", l1_ratio, inclusive=True, high=1.0)
        check_number("max_iter", max_iter, integer=True)
        check_number("tol", tol, inclusive=True)
        check_number("validation_fraction", validation_fraction, high=0.9)
        check_number("patience", patience, integer=True)
        self.C, self.penalty, self.l1_ratio, self.fit_intercept = C, penalty, l1_ratio, bool(fit_intercept)
        self.max_iter, self.tol, self.early_stopping = int(max_iter), tol, bool(early_stopping)
        self.validation_fraction, self.patience = validation_fraction, int(patience)

    def static(self):
        return (self.penalty, self.l1_ratio, self.fit_intercept, self.max_iter, self.tol, self.early_stopping,
                self.validation_fraction, self.patience)

    def hyper(self):
        return {"C": float(self.C)}

    @staticmethod
    def fit_impl(static, X, y, w, hyper, key):
        pen, r, fi, mi, tol, es, vf, pat, K = static
        return fit(X, y, w, C=hyper["C"], penalty=pen, l1_ratio=r, n_classes=K, fit_intercept=fi, max_iter=mi,
                   tol=tol, early_stopping=es, validation_fraction=vf, patience=pat, key=key)

    predict_impl = staticmethod(predict)
    proba_impl = staticmethod(predict_proba)

    @property
    def coef_(self):
        return jnp.asarray(self.model_.coef).T

    @property
    def intercept_(self):
        return jnp.asarray(self.model_.intercept)
