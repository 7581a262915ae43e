"""K-nearest neighbours: predictions identical to scikit-learn's brute-force search; documented ties."""

import chex
import numpy as np
import pytest
from conftest import split, tabular
from sklearn import neighbors as sk

from jaxzoo.classical.model_selection import KFold
from jaxzoo.classical.neighbors import KNeighborsClassifier, KNeighborsRegressor


@pytest.mark.parametrize("name", ["digits", "iris", "wine", "breast_cancer"])
@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_classifier_predictions_identical_to_sklearn_brute(name, weights, x64):
    X, y = tabular(name, standardize=False)
    Xtr, ytr, Xte, _ = split(X, y, test_fraction=0.3)
    for k in (1, 6):
        ours = KNeighborsClassifier(k, weights=weights, chunk=128).fit(Xtr, ytr)
        ref = sk.KNeighborsClassifier(k, weights=weights, algorithm="brute").fit(Xtr, ytr)
        np.testing.assert_array_equal(ours.predict(Xte), ref.predict(Xte))
    np.testing.assert_allclose(ours.predict_proba(Xte), ref.predict_proba(Xte), atol=1e-12)


@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_regressor_matches_sklearn(weights, x64):
    X, y = tabular("breast_cancer")          # continuous features: no distance ties
    target = X[:, 0] * 2 + y
    Xtr, ttr, Xte, _ = split(X[:, 1:], target)
    ours = KNeighborsRegressor(5, weights=weights).fit(Xtr, ttr).predict(Xte)
    ref = sk.KNeighborsRegressor(5, weights=weights, algorithm="brute").fit(Xtr, ttr).predict(Xte)
    np.testing.assert_allclose(ours, ref, rtol=1e-10)


def test_ties_lower_training_index_and_smaller_class_win():
    X = np.array([[1.0], [-1.0], [1.0], [-1.0]])        # all four at distance 1 from the query 0
    y = np.array([1, 0, 1, 0])
    m = KNeighborsClassifier(2).fit(X, y)
    _, idx = m.kneighbors(np.zeros((1, 1)))
    np.testing.assert_array_equal(np.asarray(idx), [[0, 1]])             # equal distances: lower index first
    assert m.predict(np.zeros((1, 1)))[0] == 0                            # 1 vote each: smaller class
    # distance weights and an exact match: only the coinciding point counts
    d = KNeighborsClassifier(3, weights="distance").fit(X, y)
    assert d.predict(np.array([[-1.0]]))[0] == 0
    np.testing.assert_allclose(d.predict_proba(np.array([[-1.0]])), [[1.0, 0.0]])


def test_masked_rows_are_never_neighbours():
    X, y = tabular("iris")
    Xtr, ytr, Xte, _ = split(X, y)
    w = np.ones(len(Xtr))
    w[::2] = 0
    dist, idx = KNeighborsClassifier(5).fit(Xtr, ytr, sample_weight=w).kneighbors(Xte)
    chex.assert_shape(idx, (len(Xte), 5))
    assert np.all(np.asarray(idx) % 2 == 1)
    ref = KNeighborsClassifier(5).fit(Xtr[1::2], ytr[1::2]).kneighbors(Xte)[0]
    np.testing.assert_allclose(np.asarray(dist), np.asarray(ref), atol=2e-3)


def test_cross_validation_masks_fold_out(x64):
    from jaxzoo.classical.model_selection import cross_val_score
    X, y = tabular("wine")
    scores = cross_val_score(KNeighborsClassifier(5), X, y, cv=KFold(4, shuffle=True, seed=1))
    ref = [sk.KNeighborsClassifier(5, algorithm="brute").fit(X[tr], y[tr]).score(X[te], y[te])
           for tr, te in KFold(4, shuffle=True, seed=1).split(X)]
    np.testing.assert_allclose(scores, ref, atol=1e-12)
