"""t-SNE (exact, O(n^2) per step): the whole optimisation is one ``lax.scan``.

Follows van der Maaten & Hinton (2008) with scikit-learn's ``TSNE`` defaults: conditional
probabilities from squared Euclidean distances, each row's Gaussian width found by bisection so that
its entropy is ``log(perplexity)``; symmetrised ``P``; Student-t (1 degree of freedom) similarities in
the embedding; early exaggeration 12 for the first 250 steps with momentum 0.5, then momentum 0.8;
per-parameter gains (+0.2 / x0.8, floor 0.01); learning rate ``max(n / 12 / 4, 50)``; PCA
initialisation scaled to standard deviation 1e-4.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from jaxzoo.classical.base import as_key, check_number, check_X
from jaxzoo.classical.decomposition import PCA


def conditional_probabilities(D2, perplexity, n_steps=64):
    """Rows ``p_{j|i}`` (zero diagonal) with entropy ``log(perplexity)``, by bisection on ``log(beta)``."""
    n = D2.shape[0]
    target = jnp.log(perplexity)
    off = ~jnp.eye(n, dtype=bool)

    def rows(log_beta):
        logits = jnp.where(off, -D2 * jnp.exp(log_beta)[:, None], -jnp.inf)
        P = jax.nn.softmax(logits, axis=1)
        H = -jnp.sum(jnp.where(P > 0, P * jnp.log(jnp.where(P > 0, P, 1.0)), 0.0), 1)
        return P, H

    def bisect(_, s):
        lo, hi = s
        mid = (lo + hi) / 2
        _, H = rows(mid)
        too_flat = H > target                # entropy too high -> narrower kernel -> larger beta
        return jnp.where(too_flat, mid, lo), jnp.where(too_flat, hi, mid)

    scale = jnp.log(jnp.mean(D2) + 1e-12)
    lo, hi = jnp.full(n, -30.0, D2.dtype) - scale, jnp.full(n, 30.0, D2.dtype) - scale
    lo, hi = jax.lax.fori_loop(0, n_steps, bisect, (lo, hi))
    return rows((lo + hi) / 2)[0]


def joint_probabilities(X, perplexity):
    D2 = jnp.maximum(jnp.sum(X ** 2, 1)[:, None] - 2 * X @ X.T + jnp.sum(X ** 2, 1)[None], 0.0)
    P = conditional_probabilities(D2, perplexity)
    P = P + P.T
    return jnp.maximum(P / jnp.sum(P), jnp.finfo(X.dtype).tiny)


def kl_gradient(Y, P):
    d2 = jnp.maximum(jnp.sum(Y ** 2, 1)[:, None] - 2 * Y @ Y.T + jnp.sum(Y ** 2, 1)[None], 0.0)
    num = 1.0 / (1.0 + d2)
    num = num * (1 - jnp.eye(Y.shape[0], dtype=Y.dtype))
    Q = jnp.maximum(num / jnp.sum(num), jnp.finfo(Y.dtype).tiny)
    W = (P - Q) * num
    grad = 4.0 * (jnp.sum(W, 1)[:, None] * Y - W @ Y)
    kl = jnp.sum(P * jnp.log(jnp.maximum(P, 1e-12) / Q))
    return grad, kl


def embed(P, Y0, *, n_iter=1000, learning_rate, early_exaggeration=12.0, exaggeration_steps=250):
    """Gradient descent with momentum and gains; returns ``(Y, kl_per_step)``."""
    def step(s, i):
        Y, update, gains = s
        early = i < exaggeration_steps
        grad, kl = kl_gradient(Y, jnp.where(early, early_exaggeration, 1.0) * P)
        momentum = jnp.where(early, 0.5, 0.8)
        inc = update * grad < 0.0
        gains = jnp.maximum(jnp.where(inc, gains + 0.2, gains * 0.8), 0.01)
        update = momentum * update - learning_rate * gains * grad
        return (Y + update, update, gains), kl

    (Y, _, _), kl = jax.lax.scan(step, (Y0, jnp.zeros_like(Y0), jnp.ones_like(Y0)), jnp.arange(n_iter))
    return Y, kl


@functools.partial(jax.jit, static_argnames=("n_iter",))
def tsne(X, Y0, perplexity, learning_rate, *, n_iter=1000):
    """Joint probabilities of ``X`` then the embedding from ``Y0``: ``(Y, kl_per_step)``."""
    return embed(joint_probabilities(X, perplexity), Y0, n_iter=n_iter, learning_rate=learning_rate)


class TSNE:
    """``TSNE(n_components=2, perplexity=30).fit_transform(X)``; ``kl_divergence_`` after fitting."""

    def __init__(self, n_components=2, perplexity=30.0, n_iter=1000, learning_rate="auto", init="pca", seed=0):
        check_number("n_components", n_components, integer=True)
        check_number("perplexity", perplexity)
        check_number("n_iter", n_iter, integer=True, low=250, inclusive=True)
        if learning_rate != "auto":
            check_number("learning_rate", learning_rate)
        if init not in ("pca", "random"):
            raise ValueError(f"init must be 'pca' or 'random', got {init!r}")
        self.n_components, self.perplexity, self.n_iter = int(n_components), float(perplexity), int(n_iter)
        self.learning_rate, self.init, self.seed = learning_rate, init, seed

    def fit_transform(self, X):
        X = check_X(X)
        n = len(X)
        if self.perplexity >= n:
            raise ValueError(f"perplexity={self.perplexity} must be less than the {n} samples")
        if self.init == "pca":
            Y0 = PCA(self.n_components).fit_transform(X)
            Y0 = Y0 / np.std(Y0[:, 0]) * 1e-4
        else:
            Y0 = 1e-4 * np.asarray(jax.random.normal(as_key(self.seed), (n, self.n_components), X.dtype))
        lr = max(n / 12.0 / 4.0, 50.0) if self.learning_rate == "auto" else float(self.learning_rate)
        Y, kl = tsne(X, jnp.asarray(Y0, X.dtype), self.perplexity, lr, n_iter=self.n_iter)
        self.embedding_, self.kl_history_ = np.asarray(Y), np.asarray(kl)
        self.kl_divergence_ = float(kl[-1])
        return self.embedding_
