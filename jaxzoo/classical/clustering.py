"""k-means: greedy k-means++ initialisation, Lloyd iterations, several restarts run together with ``vmap``.

As scikit-learn's ``KMeans``: k-means++ tries ``2 + log(k)`` candidates for each new centre and keeps the
one that lowers the potential most; Lloyd's iterations stop when the total squared centre shift is below
``tol * mean(var(X, axis=0))`` or after ``max_iter``; the restart with the lowest inertia wins. An empty
cluster keeps its previous centre.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
from flax import struct

from jaxzoo.classical.base import NotFittedError, as_key, check_number, check_X


@struct.dataclass
class KMeansModel:
    centers: jax.Array     # (k, d)
    inertia: jax.Array     # ()
    n_iter: jax.Array      # ()


def sq_distances(X, C):
    return jnp.maximum(jnp.sum(X ** 2, 1)[:, None] - 2 * X @ C.T + jnp.sum(C ** 2, 1)[None], 0.0)


def kmeans_plus_plus(X, k, key, n_local_trials=None):
    n, d = X.shape
    trials = n_local_trials or 2 + int(math.log(k))
    k0, key = jax.random.split(key)
    first = X[jax.random.randint(k0, (), 0, n)]
    centers = jnp.zeros((k, d), X.dtype).at[0].set(first)
    closest = jnp.sum((X - first) ** 2, 1)

    def add(c, s):
        centers, closest, key = s
        key, sub = jax.random.split(key)
        cand = jax.random.choice(sub, n, (trials,), p=closest / jnp.sum(closest))
        d_cand = jnp.minimum(closest[None], sq_distances(X[cand], X))        # (trials, n)
        best = jnp.argmin(jnp.sum(d_cand, 1))
        return centers.at[c].set(X[cand[best]]), d_cand[best], key

    centers, _, _ = jax.lax.fori_loop(1, k, add, (centers, closest, key))
    return centers


def lloyd(X, centers, *, max_iter=300, tol=1e-4):
    k = centers.shape[0]
    tol_abs = tol * jnp.mean(jnp.var(X, 0))

    def step(s):
        centers, _, it = s
        labels = jnp.argmin(sq_distances(X, centers), 1)
        onehot = jax.nn.one_hot(labels, k, dtype=X.dtype)
        counts = jnp.sum(onehot, 0)
        new = jnp.where(counts[:, None] > 0, onehot.T @ X / jnp.maximum(counts, 1)[:, None], centers)
        return new, jnp.sum((new - centers) ** 2), it + 1

    def cond(s):
        return (s[2] < max_iter) & (s[1] > tol_abs)

    centers, _, it = jax.lax.while_loop(cond, step, (centers, jnp.asarray(jnp.inf, X.dtype), jnp.asarray(0)))
    inertia = jnp.sum(jnp.min(sq_distances(X, centers), 1))
    return KMeansModel(centers, inertia, it)


def fit(X, key, *, n_clusters, n_init=10, max_iter=300, tol=1e-4):
    """``n_init`` restarts (k-means++ then Lloyd) vmapped over keys; returns the lowest-inertia one."""
    def one(k):
        return lloyd(X, kmeans_plus_plus(X, n_clusters, k), max_iter=max_iter, tol=tol)

    runs = jax.vmap(one)(jax.random.split(key, n_init))
    best = jnp.argmin(runs.inertia)
    return jax.tree.map(lambda a: a[best], runs)


_fit_jit = jax.jit(fit, static_argnames=("n_clusters", "n_init", "max_iter"))


def predict(model, X):
    return jnp.argmin(sq_distances(X, model.centers), 1).astype(jnp.int32)


_predict_jit = jax.jit(predict)


class KMeans:
    """``KMeans(n_clusters=8, n_init=10, seed=0).fit(X)``: ``cluster_centers_``, ``labels_``, ``inertia_``."""

    def __init__(self, n_clusters=8, n_init=10, max_iter=300, tol=1e-4, seed=0):
        check_number("n_clusters", n_clusters, integer=True)
        check_number("n_init", n_init, integer=True)
        check_number("max_iter", max_iter, integer=True)
        check_number("tol", tol, inclusive=True)
        self.n_clusters, self.n_init, self.max_iter, self.tol, self.seed = (
            int(n_clusters), int(n_init), int(max_iter), tol, seed)

    def fit(self, X):
        X = check_X(X)
        if len(X) < self.n_clusters:
            raise ValueError(f"n_clusters={self.n_clusters} is more than the {len(X)} samples")
        self.n_features_in_ = X.shape[1]
        self.model_ = _fit_jit(X, as_key(self.seed), n_clusters=self.n_clusters, n_init=self.n_init,
                               max_iter=self.max_iter, tol=self.tol)
        self.cluster_centers_ = np.asarray(self.model_.centers)
        self.inertia_ = float(self.model_.inertia)
        self.n_iter_ = int(self.model_.n_iter)
        self.labels_ = self.predict(X)
        return self

    def predict(self, X):
        if not hasattr(self, "model_"):
            raise NotFittedError("this KMeans is not fitted yet; call fit(X) first")
        X = check_X(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, KMeans was fitted with {self.n_features_in_}")
        return np.asarray(_predict_jit(self.model_, X))

    def fit_predict(self, X):
        return self.fit(X).labels_
