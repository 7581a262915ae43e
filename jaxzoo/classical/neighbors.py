"""K-nearest neighbours (brute force): classification and regression, uniform or distance weights.

Distances are Euclidean, computed as ``|q|^2 - 2 q.x + |x|^2`` (one matrix product per chunk of
queries, like scikit-learn's brute force) and neighbours picked with ``lax.top_k``.

Tie-breaking (documented, deterministic):

- two training points at the same distance: the one with the **lower training index** ranks first
  (``lax.top_k`` keeps the lower index first), so the k-th neighbour among equals is the earliest row;
- two classes with the same vote: the **smaller class** wins (``argmax`` keeps the first), as in
  scikit-learn's ``KNeighborsClassifier``;
- ``weights="distance"`` and a query that coincides with training points: those points get weight 1
  and the others 0, as in scikit-learn.

Training rows with weight 0 are never neighbours (that is how cross-validation masks a fold out).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import struct

from jaxzoo.classical.base import Estimator, check_number, check_option, jitted


@struct.dataclass
class KNNModel:
    X: jax.Array                   # (n, d) training points
    y: jax.Array                   # (n,) class codes or targets
    mask: jax.Array                # (n,) bool: rows that may be neighbours
    k: int = struct.field(pytree_node=False)
    weights: str = struct.field(pytree_node=False)
    n_classes: int = struct.field(pytree_node=False)   # 0 for regression
    chunk: int = struct.field(pytree_node=False)


def fit(X, y, w=None, *, n_neighbors=5, weights="uniform", n_classes=0, chunk=1024):
    mask = jnp.ones(X.shape[0], bool) if w is None else w > 0
    return KNNModel(X, y, mask, int(n_neighbors), weights, int(n_classes), int(chunk))


def kneighbors(model, Q):
    """``(distances, indices)`` of the ``k`` nearest training rows to each query, nearest first."""
    x2 = jnp.where(model.mask, jnp.sum(model.X ** 2, 1), jnp.inf)

    def one_chunk(q):
        d2 = jnp.sum(q ** 2, 1)[:, None] - 2 * q @ model.X.T + x2[None, :]
        neg, idx = jax.lax.top_k(-d2, model.k)
        return jnp.sqrt(jnp.maximum(-neg, 0.0)), idx

    n, c = Q.shape[0], min(model.chunk, Q.shape[0])
    pad = (-n) % c
    Qp = jnp.concatenate([Q, jnp.zeros((pad, Q.shape[1]), Q.dtype)]) if pad else Q
    dist, idx = jax.lax.map(one_chunk, Qp.reshape(-1, c, Q.shape[1]))
    return dist.reshape(-1, model.k)[:n], idx.reshape(-1, model.k)[:n]


def _neighbour_weights(model, dist):
    if model.weights == "uniform":
        return jnp.ones_like(dist)
    zero = dist == 0
    return jnp.where(jnp.any(zero, 1, keepdims=True), zero.astype(dist.dtype), 1.0 / jnp.where(zero, 1.0, dist))


def predict_proba(model, Q):
    dist, idx = kneighbors(model, Q)
    wts = _neighbour_weights(model, dist)
    votes = jnp.einsum("qk,qkc->qc", wts, jax.nn.one_hot(model.y[idx], model.n_classes, dtype=wts.dtype))
    return votes / jnp.sum(votes, 1, keepdims=True)


def predict(model, Q):
    if model.n_classes:
        return jnp.argmax(predict_proba(model, Q), 1).astype(jnp.int32)
    dist, idx = kneighbors(model, Q)
    wts = _neighbour_weights(model, dist)
    return jnp.sum(wts * model.y[idx], 1) / jnp.sum(wts, 1)


class _KNN(Estimator):
    def __init__(self, n_neighbors=5, weights="uniform", chunk=1024):
        check_number("n_neighbors", n_neighbors, integer=True)
        check_option("weights", weights, ("uniform", "distance"))
        check_number("chunk", chunk, integer=True)
        self.n_neighbors, self.weights, self.chunk = int(n_neighbors), weights, int(chunk)

    def static(self):
        return (self.n_neighbors, self.weights, self.chunk)

    def prepare(self, X, y, sample_weight=None):
        X, y, w = super().prepare(X, y, sample_weight)
        if self.n_neighbors > len(X):
            raise ValueError(f"n_neighbors={self.n_neighbors} is more than the {len(X)} training rows")
        return X, y, w

    @staticmethod
    def fit_impl(static, X, y, w, hyper, key):
        k, weights, chunk, n_classes = static
        return fit(X, y, w, n_neighbors=k, weights=weights, n_classes=n_classes, chunk=chunk)

    def kneighbors(self, X):
        X = self._checked_input(X)
        return tuple(map(jnp.asarray, jitted(kneighbors)(self.model_, X)))


class KNeighborsClassifier(_KNN):
    """``KNeighborsClassifier(n_neighbors=5, weights="uniform")`` -- brute force, ties as documented above."""

    has_proba = True
    predict_impl = staticmethod(predict)
    proba_impl = staticmethod(predict_proba)


class KNeighborsRegressor(_KNN):
    """``KNeighborsRegressor(n_neighbors=5, weights="uniform")``: mean (or 1/d-weighted mean) of neighbours."""

    is_classifier = False
    predict_impl = staticmethod(predict)
