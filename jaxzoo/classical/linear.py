"""Linear regression: closed form and full-batch gradient descent; ridge, lasso and elastic net.

Objectives, at scikit-learn's parameterisation (``W = sum(w)``, ``r`` the residuals):

- ``LinearRegression`` / ``Ridge(alpha)``: ``sum(w r^2) + alpha ||coef||^2`` -- solved in closed form
  (least squares on centred data; ``solver="gd"`` runs full-batch gradient descent on the same problem);
- ``Lasso(alpha)`` / ``ElasticNet(alpha, l1_ratio)``: ``sum(w r^2) / (2W) + alpha * l1_ratio ||coef||_1
  + alpha * (1 - l1_ratio) / 2 ||coef||^2`` -- cyclic coordinate descent (as scikit-learn), one
  ``lax.while_loop`` over sweeps, until the largest coefficient change is below ``tol``.

The intercept is never penalised: it is recovered from the weighted means.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import struct

from jaxzoo.classical.base import Estimator, check_number, check_option, weighted_mean
from jaxzoo.classical.optim import proximal_gradient, top_eigenvalue


@struct.dataclass
class LinearModel:
    coef: jax.Array        # (n_features,)
    intercept: jax.Array   # ()
    n_iter: jax.Array


def predict(model, X):
    return X @ model.coef + model.intercept


def _centre(X, y, w, fit_intercept):
    if not fit_intercept:
        return X, y, jnp.zeros(X.shape[1], X.dtype), jnp.zeros((), X.dtype)
    xm, ym = weighted_mean(X, w), weighted_mean(y, w)
    return X - xm, y - ym, xm, ym


def ridge_fit(X, y, w, *, alpha=0.0, fit_intercept=True, solver="closed_form", max_iter=10000, tol=1e-8):
    """Least squares (+ ``alpha ||coef||^2``), by ``lstsq`` / ``solve`` or by gradient descent."""
    Xc, yc, xm, ym = _centre(X, y, w, fit_intercept)
    sw = jnp.sqrt(w)
    Xw, yw = Xc * sw[:, None], yc * sw
    d = X.shape[1]
    if solver == "closed_form":
        # one least-squares solve of [Xw; sqrt(alpha) I] coef = [yw; 0] covers alpha = 0 (minimum-norm
        # solution) and alpha > 0 alike: a single LAPACK call, also when vmapped over alphas or folds
        aug_X = jnp.concatenate([Xw, jnp.sqrt(jnp.asarray(alpha, X.dtype)) * jnp.eye(d, dtype=X.dtype)])
        coef = jnp.linalg.lstsq(aug_X, jnp.concatenate([yw, jnp.zeros(d, X.dtype)]))[0]
        n_iter = jnp.asarray(1)
    else:
        W = jnp.sum(w)
        lr = 1.0 / (2 * top_eigenvalue(Xw.T @ Xw / W) * 1.05 + 2 * alpha / W)

        def loss(p):
            return (jnp.sum((yw - Xw @ p[0]) ** 2) + alpha * jnp.sum(p[0] ** 2)) / W

        (coef, _), hist = proximal_gradient(loss, (jnp.zeros(d, X.dtype), jnp.zeros((), X.dtype)), lr=lr,
                                            l1=0.0, max_iter=max_iter, tol=tol)
        n_iter = hist.n_iter
    return LinearModel(coef, ym - xm @ coef, n_iter)


def elastic_net_fit(X, y, w, *, alpha=1.0, l1_ratio=1.0, fit_intercept=True, max_iter=10000, tol=1e-10):
    """Cyclic coordinate descent on the scikit-learn ``ElasticNet`` objective (``Lasso``: ``l1_ratio=1``)."""
    Xc, yc, xm, ym = _centre(X, y, w, fit_intercept)
    W = jnp.sum(w)
    a = jnp.sum(w[:, None] * Xc ** 2, 0) / W
    l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
    d = X.shape[1]

    def coordinate(j, s):
        coef, r, change = s
        xj = Xc[:, j]
        rho = jnp.sum(w * xj * r) / W + a[j] * coef[j]
        new = jnp.sign(rho) * jnp.maximum(jnp.abs(rho) - l1, 0.0) / jnp.maximum(a[j] + l2, 1e-30)
        new = jnp.where(a[j] > 0, new, 0.0)
        r = r - xj * (new - coef[j])
        return coef.at[j].set(new), r, jnp.maximum(change, jnp.abs(new - coef[j]))

    def sweep(s):
        coef, r, _, it = s
        coef, r, change = jax.lax.fori_loop(0, d, coordinate, (coef, r, jnp.zeros((), X.dtype)))
        return coef, r, change, it + 1

    def cond(s):
        return (s[3] < max_iter) & (s[2] > tol)

    init = (jnp.zeros(d, X.dtype), yc, jnp.asarray(jnp.inf, X.dtype), jnp.asarray(0))
    coef, _, _, it = jax.lax.while_loop(cond, sweep, init)
    return LinearModel(coef, ym - xm @ coef, it)


class _Regressor(Estimator):
    is_classifier = False
    predict_impl = staticmethod(predict)

    @property
    def coef_(self):
        return jnp.asarray(self.model_.coef)

    @property
    def intercept_(self):
        return jnp.asarray(self.model_.intercept)


class Ridge(_Regressor):
    """``Ridge(alpha=1.0).fit(X, y)``; ``solver`` is ``"closed_form"`` or ``"gd"``; ``alpha`` can be vmapped."""

    def __init__(self, alpha=1.0, fit_intercept=True, solver="closed_form", max_iter=10000, tol=1e-8):
        check_number("alpha", alpha, inclusive=True)
        check_option("solver", solver, ("closed_form", "gd"))
        check_number("max_iter", max_iter, integer=True)
        self.alpha, self.fit_intercept, self.solver, self.max_iter, self.tol = (
            alpha, bool(fit_intercept), solver, int(max_iter), tol)

    def static(self):
        return (self.fit_intercept, self.solver, self.max_iter, self.tol)

    def hyper(self):
        return {"alpha": float(self.alpha)}

    @staticmethod
    def fit_impl(static, X, y, w, hyper, key):
        fi, solver, mi, tol, _ = static
        return ridge_fit(X, y, w, alpha=hyper["alpha"], fit_intercept=fi, solver=solver, max_iter=mi, tol=tol)


class LinearRegression(Ridge):
    """Ordinary least squares: ``Ridge`` with ``alpha=0``."""

    def __init__(self, fit_intercept=True, solver="closed_form", max_iter=10000, tol=1e-8):
        super().__init__(0.0, fit_intercept, solver, max_iter, tol)


class ElasticNet(_Regressor):
    """``ElasticNet(alpha=1.0, l1_ratio=0.5)``, by coordinate descent; ``alpha``, ``l1_ratio`` can be vmapped."""

    def __init__(self, alpha=1.0, l1_ratio=0.5, fit_intercept=True, max_iter=10000, tol=1e-10):
        check_number("alpha", alpha, inclusive=True)
        check_number("l1_ratio", l1_ratio, inclusive=True, high=1.0)
        check_number("max_iter", max_iter, integer=True)
        self.alpha, self.l1_ratio, self.fit_intercept, self.max_iter, self.tol = (
            alpha, l1_ratio, bool(fit_intercept), int(max_iter), tol)

    def static(self):
        return (self.fit_intercept, self.max_iter, self.tol)

    def hyper(self):
        return {"alpha": float(self.alpha), "l1_ratio": float(self.l1_ratio)}

    @staticmethod
    def fit_impl(static, X, y, w, hyper, key):
        fi, mi, tol, _ = static
        return elastic_net_fit(X, y, w, alpha=hyper["alpha"], l1_ratio=hyper["l1_ratio"], fit_intercept=fi,
                               max_iter=mi, tol=tol)


class Lasso(ElasticNet):
    """``Lasso(alpha=1.0)``: ``ElasticNet`` with ``l1_ratio=1``."""

    def __init__(self, alpha=1.0, fit_intercept=True, max_iter=10000, tol=1e-10):
        super().__init__(alpha, 1.0, fit_intercept, max_iter, tol)
