"""Gaussian naive Bayes: per-class means and variances, class priors from (weighted) counts.

As scikit-learn's ``GaussianNB``: every variance gets ``var_smoothing * max_j var(X[:, j])`` added,
and ``predict_proba`` normalises the joint log-likelihoods with a log-sum-exp.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import struct

from jaxzoo.classical.base import Estimator, check_number, weighted_mean


@struct.dataclass
class GaussianNBModel:
    theta: jax.Array        # (K, d) class means
    var: jax.Array          # (K, d) class variances (smoothed)
    log_prior: jax.Array    # (K,)


def fit(X, y, w=None, *, n_classes, var_smoothing=1e-9):
    w = jnp.ones(X.shape[0], X.dtype) if w is None else w.astype(X.dtype)
    onehot = jax.nn.one_hot(y, n_classes, dtype=X.dtype) * w[:, None]          # (n, K)
    counts = jnp.sum(onehot, 0)
    theta = onehot.T @ X / jnp.maximum(counts, 1e-30)[:, None]
    var = jnp.einsum("nk,nkd->kd", onehot, (X[:, None, :] - theta[None]) ** 2) / jnp.maximum(counts, 1e-30)[:, None]
    mean = weighted_mean(X, w)
    eps = var_smoothing * jnp.max(weighted_mean((X - mean) ** 2, w))
    return GaussianNBModel(theta, var + eps, jnp.log(counts / jnp.sum(counts)))


def joint_log_likelihood(model, X):
    norm = -0.5 * jnp.sum(jnp.log(2 * jnp.pi * model.var), 1)                  # (K,)
    quad = -0.5 * jnp.sum((X[:, None, :] - model.theta[None]) ** 2 / model.var[None], 2)
    return model.log_prior + norm + quad


def predict_proba(model, X):
    return jax.nn.softmax(joint_log_likelihood(model, X), axis=1)


def predict(model, X):
    return jnp.argmax(joint_log_likelihood(model, X), 1).astype(jnp.int32)


class GaussianNB(Estimator):
    """``GaussianNB(var_smoothing=1e-9).fit(X, y).predict_proba(X)``."""

    has_proba = True
    predict_impl = staticmethod(predict)
    proba_impl = staticmethod(predict_proba)

    def __init__(self, var_smoothing=1e-9):
        check_number("var_smoothing", var_smoothing, inclusive=True)
        self.var_smoothing = var_smoothing

    def hyper(self):
        return {"var_smoothing": float(self.var_smoothing)}

    @staticmethod
    def fit_impl(static, X, y, w, hyper, key):
        (n_classes,) = static
        return fit(X, y, w, n_classes=n_classes, var_smoothing=hyper["var_smoothing"])
