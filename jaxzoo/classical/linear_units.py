"""Rosenblatt's perceptron and Widrow-Hoff's Adaline, with their classic update rules.

Binary targets are ``t = +1 / -1``; with ``K > 2`` classes one unit per class is trained one-vs-rest
(``vmap`` over the classes) and the class with the largest net input wins.

- Perceptron: for each sample in turn, ``w += lr * (t - sign(net)) / 2 * x`` (changes only on mistakes).
- Adaline, ``solver="gd"``: one full-batch step per epoch on the mean squared error,
  ``w += lr * X^T (t - net) / n``.
- Adaline, ``solver="sgd"``: the same rule one sample at a time, in a fresh random order each epoch.

Weights start at small normal noise (std 0.01) from the key. Sample weights scale each update
(0 masks a row out). The per-epoch history (mistakes, or mean squared error) is kept in the model.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import struct

from jaxzoo.classical.base import Estimator, check_number, check_option


@struct.dataclass
class LinearUnitModel:
    coef: jax.Array          # (K_units, d)
    intercept: jax.Array     # (K_units,)
    history: jax.Array       # (K_units, n_epochs): mistakes (perceptron) or MSE (Adaline) per epoch


def _net(coef, b, X):
    return X @ coef + b


def _train_unit(X, t, w, key, *, rule, solver, lr, n_epochs):
    n, d = X.shape
    k_init, k_epochs = jax.random.split(key)
    coef = 0.01 * jax.random.normal(k_init, (d,), X.dtype)
    b = jnp.zeros((), X.dtype)

    def sample_step(params, i):
        coef, b = params
        net = X[i] @ coef + b
        if rule == "perceptron":
            upd = lr * w[i] * (t[i] - jnp.where(net >= 0, 1.0, -1.0)) / 2
        else:
            upd = lr * w[i] * (t[i] - net)
        return (coef + upd * X[i], b + upd), None

    def epoch(params, key):
        coef, b = params
        if rule == "adaline" and solver == "gd":
            err = w * (t - _net(coef, b, X))
            coef, b = coef + lr * X.T @ err / jnp.sum(w), b + lr * jnp.sum(err) / jnp.sum(w)
        else:
            order = jax.random.permutation(key, n) if solver == "sgd" else jnp.arange(n)
            (coef, b), _ = jax.lax.scan(sample_step, (coef, b), order)
        net = _net(coef, b, X)
        if rule == "perceptron":
            stat = jnp.sum((w > 0) * (jnp.where(net >= 0, 1.0, -1.0) != t))
        else:
            stat = jnp.sum(w * (t - net) ** 2) / jnp.sum(w)
        return (coef, b), stat.astype(X.dtype)

    (coef, b), hist = jax.lax.scan(epoch, (coef, b), jax.random.split(k_epochs, n_epochs))
    return coef, b, hist


def fit(X, y, w=None, *, n_classes=2, rule="perceptron", solver="sgd", lr=0.01, n_epochs=50, key=None):
    """One unit (binary) or ``n_classes`` one-vs-rest units, trained with ``vmap`` over the classes."""
    key = jax.random.key(0) if key is None else key
    w = jnp.ones(X.shape[0], X.dtype) if w is None else w.astype(X.dtype)
    units = 1 if n_classes == 2 else n_classes
    targets = jnp.stack([2.0 * (y == (1 if units == 1 else k)) - 1.0 for k in range(units)]).astype(X.dtype)
    train = jax.vmap(lambda t, k: _train_unit(X, t, w, k, rule=rule, solver=solver, lr=lr, n_epochs=n_epochs))
    coef, b, hist = train(targets, jax.random.split(key, units))
    return LinearUnitModel(coef, b, hist)


def decision_function(model, X):
    return X @ model.coef.T + model.intercept


def predict(model, X):
    z = decision_function(model, X)
    return (z[:, 0] >= 0).astype(jnp.int32) if z.shape[1] == 1 else jnp.argmax(z, 1).astype(jnp.int32)


class _LinearUnit(Estimator):
    rule = "perceptron"
    predict_impl = staticmethod(predict)

    def __init__(self, lr=0.01, n_epochs=50, solver="sgd"):
        check_number("lr", lr)
        check_number("n_epochs", n_epochs, integer=True)
        check_option("solver", solver, ("sgd", "gd") if self.rule == "adaline" else ("sgd", "cyclic"))
        self.lr, self.n_epochs, self.solver = lr, int(n_epochs), solver

    def static(self):
        return (self.rule, self.solver, self.n_epochs)

    def hyper(self):
        return {"lr": float(self.lr)}

    @staticmethod
    def fit_impl(static, X, y, w, hyper, key):
        rule, solver, n_epochs, n_classes = static
        return fit(X, y, w, n_classes=n_classes, rule=rule, solver=solver, lr=hyper["lr"], n_epochs=n_epochs,
                   key=key)

    @property
    def history_(self):
        return jnp.asarray(self.model_.history)


class Perceptron(_LinearUnit):
    """``Perceptron(lr=0.01, n_epochs=50)``; ``solver="sgd"`` shuffles each epoch, ``"cyclic"`` keeps row order."""

    rule = "perceptron"


class Adaline(_LinearUnit):
    """``Adaline(lr=0.01, n_epochs=50, solver="gd" | "sgd")``: the ADAptive LInear NEuron (least-mean-squares)."""

    rule = "adaline"
