"""Bagging (bootstrap replicas trained together with ``vmap``) and voting over any jaxzoo estimators.

``Bagging(est, n_estimators=10)`` draws ``n_estimators`` bootstrap samples of ``max_samples * n`` rows
(with replacement) and fits every replica in one ``jit(vmap(fit))`` call -- the replicas share shapes,
so any estimator's pure ``fit_impl`` works. Classifiers aggregate by averaging ``predict_proba`` when
the base estimator has it (soft), else by majority vote (ties to the smaller class); regressors average.

``Voting([("lr", est1), ("knn", est2)], voting="hard" | "soft", weights=None)`` fits each (possibly
different) estimator on the same data and combines: hard = weighted majority of predicted labels
(ties to the smaller class), soft = argmax of the weighted mean of ``predict_proba``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from jaxzoo.classical.base import Estimator, NotFittedError, as_key, check_number, check_option, check_X

_BAG_CACHE = {}


class Bagging(Estimator):
    def __init__(self, estimator: Estimator, n_estimators=10, max_samples=1.0):
        if not isinstance(estimator, Estimator):
            raise ValueError(f"estimator must be a jaxzoo estimator, got {type(estimator).__name__}")  # noqa: TRY004
        check_number("n_estimators", n_estimators, integer=True)
        check_number("max_samples", max_samples, high=1.0)
        self.estimator, self.n_estimators, self.max_samples = estimator, int(n_estimators), max_samples
        self.is_classifier = estimator.is_classifier
        self.has_proba = estimator.has_proba

    def fit(self, X, y, sample_weight=None, seed=0):
        est = self.estimator
        X, y, w = self.prepare(X, y, sample_weight)
        n = len(X)
        m = max(round(self.max_samples * n), 1)
        k_idx, k_fit = jax.random.split(as_key(seed))
        idx = jax.random.randint(k_idx, (self.n_estimators, m), 0, n)
        static = est.static() + (self.n_classes,)
        cache_key = (type(est), static)
        if cache_key not in _BAG_CACHE:
            fit = type(est).fit_impl

            def fit_all(X, y, w, idx, hyper, keys):
                return jax.vmap(lambda i, k: fit(static, X[i], y[i], w[i], hyper, k))(idx, keys)

            _BAG_CACHE[cache_key] = jax.jit(fit_all)
        self.models_ = _BAG_CACHE[cache_key](X, y, w, idx, est.hyper(), jax.random.split(k_fit, self.n_estimators))
        self.model_ = self.models_
        return self

    def _replica_outputs(self, X, proba):
        est = type(self.estimator)
        fn = est.proba_impl if proba else est.predict_impl
        return jax.jit(jax.vmap(fn, in_axes=(0, None)))(self.models_, X)

    def predict_proba(self, X):
        if not self.has_proba:
            raise ValueError(f"{type(self.estimator).__name__} has no predict_proba, so neither has Bagging")
        return np.asarray(jnp.mean(self._replica_outputs(self._checked_input(X), True), 0))

    def predict(self, X):
        X = self._checked_input(X)
        if not self.is_classifier:
            return np.asarray(jnp.mean(self._replica_outputs(X, False), 0))
        if self.has_proba:
            return self.classes_[np.argmax(self.predict_proba(X), 1)]
        votes = jax.nn.one_hot(self._replica_outputs(X, False), self.n_classes).sum(0)
        return self.classes_[np.asarray(jnp.argmax(votes, 1))]


class Voting(Estimator):
    def __init__(self, estimators, voting="hard", weights=None):
        check_option("voting", voting, ("hard", "soft"))
        if not estimators or not all(isinstance(e, tuple) and len(e) == 2 and isinstance(e[1], Estimator)
                                     for e in estimators):
            raise ValueError("estimators must be a non-empty list of (name, jaxzoo estimator) pairs")
        kinds = {e.is_classifier for _, e in estimators}
        if len(kinds) > 1:
            raise ValueError("estimators must be all classifiers or all regressors")
        self.is_classifier = kinds.pop()
        if voting == "soft" and self.is_classifier and not all(e.has_proba for _, e in estimators):
            bad = [n for n, e in estimators if not e.has_proba]
            raise ValueError(f"voting='soft' needs predict_proba, which {bad} lack")
        if weights is not None:
            weights = np.asarray(weights, float)
            if weights.shape != (len(estimators),) or np.any(weights < 0) or not np.all(np.isfinite(weights)):
                raise ValueError(f"weights must be {len(estimators)} finite numbers >= 0, got {weights}")
        self.estimators, self.voting, self.weights = list(estimators), voting, weights
        self.has_proba = voting == "soft"

    def fit(self, X, y, sample_weight=None, seed=0):
        self.prepare(X, y, sample_weight)
        for i, (_, est) in enumerate(self.estimators):
            est.fit(X, y, sample_weight, seed=seed + i)
        self.model_ = [est.model_ for _, est in self.estimators]
        return self

    def _w(self):
        return np.ones(len(self.estimators)) if self.weights is None else self.weights

    def predict_proba(self, X):
        if not self.has_proba:
            raise ValueError("predict_proba needs voting='soft'")
        self._checked_input(X)
        probs = np.stack([est.predict_proba(X) for _, est in self.estimators])
        return np.tensordot(self._w(), probs, 1) / self._w().sum()

    def predict(self, X):
        X = check_X(X) if hasattr(self, "model_") else X
        if not hasattr(self, "model_"):
            raise NotFittedError("this Voting is not fitted yet; call fit(X, y) first")
        if not self.is_classifier:
            preds = np.stack([est.predict(X) for _, est in self.estimators])
            return np.tensordot(self._w(), preds, 1) / self._w().sum()
        if self.voting == "soft":
            return self.classes_[np.argmax(self.predict_proba(X), 1)]
        codes = np.stack([np.searchsorted(self.classes_, est.predict(X)) for _, est in self.estimators])
        votes = np.einsum("e,ena->na", self._w(), np.eye(len(self.classes_))[codes])
        return self.classes_[np.argmax(votes, 1)]
