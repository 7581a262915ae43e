"""Bagging (replicas vmapped) and voting over jaxzoo estimators."""

import chex
import jax
import numpy as np
import pytest
from conftest import split, tabular

from jaxzoo.classical import (
    Bagging,
    GaussianNB,
    KNeighborsClassifier,
    KNeighborsRegressor,
    LogisticRegression,
    Perceptron,
    Voting,
)


def test_bagged_replicas_equal_models_fitted_on_the_bootstrap_samples():
    X, y = tabular("breast_cancer")
    Xtr, ytr, Xte, yte = split(X, y)
    bag = Bagging(LogisticRegression(C=0.1, max_iter=300), n_estimators=4).fit(Xtr, ytr, seed=7)
    chex.assert_shape(bag.models_.coef, (4, X.shape[1], 1))
    idx = np.asarray(jax.random.randint(jax.random.split(jax.random.key(7))[0], (4, len(Xtr)), 0, len(Xtr)))
    probs = []
    for r in range(4):
        single = LogisticRegression(C=0.1, max_iter=300).fit(Xtr[idx[r]], ytr[idx[r]])
        np.testing.assert_allclose(np.asarray(bag.models_.coef[r]), np.asarray(single.model_.coef), atol=2e-4)
        probs.append(single.predict_proba(Xte))
    np.testing.assert_allclose(bag.predict_proba(Xte), np.mean(probs, 0), atol=1e-4)   # soft aggregation
    assert bag.score(Xte, yte) >= 0.93


def test_bagging_hard_votes_and_regression():
    X, y = tabular("iris")
    bag = Bagging(Perceptron(n_epochs=20), n_estimators=5, max_samples=0.8).fit(X, y)
    assert not bag.has_proba and bag.score(X, y) >= 0.8
    reg = Bagging(KNeighborsRegressor(3), n_estimators=3).fit(X[:, :3], X[:, 3])
    pred = reg.predict(X[:, :3])
    chex.assert_shape(pred, (len(X),))
    assert reg.score(X[:, :3], X[:, 3]) > 0.8


def test_voting_soft_and_hard(x64):
    X, y = tabular("wine")
    Xtr, ytr, Xte, yte = split(X, y)
    members = [("lr", LogisticRegression(C=0.1)), ("nb", GaussianNB()), ("knn", KNeighborsClassifier(5))]
    soft = Voting(members, voting="soft", weights=[2, 1, 1]).fit(Xtr, ytr)
    p = [e.predict_proba(Xte) for _, e in members]
    np.testing.assert_allclose(soft.predict_proba(Xte), (2 * p[0] + p[1] + p[2]) / 4, atol=1e-12)
    hard = Voting(members, voting="hard").fit(Xtr, ytr)
    labels = np.stack([e.predict(Xte) for _, e in members])
    counts = np.stack([(labels == c).sum(0) for c in range(3)], 1)
    np.testing.assert_array_equal(hard.predict(Xte), np.argmax(counts, 1))   # ties -> smaller class
    assert hard.score(Xte, yte) >= 0.9


def test_voting_rejects_soft_without_proba():
    with pytest.raises(ValueError, match="predict_proba"):
        Voting([("p", Perceptron())], voting="soft")
