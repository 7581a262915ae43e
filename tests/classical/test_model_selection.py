"""K-fold splits identical to scikit-learn's; cross-validation and grid search in one compiled call."""

import chex
import numpy as np
import pytest
from conftest import tabular
from sklearn import model_selection as sk
from sklearn.linear_model import LogisticRegression as SkLogistic

from jaxzoo.classical import ElasticNet, GaussianNB, LogisticRegression, Ridge
from jaxzoo.classical.model_selection import KFold, StratifiedKFold, cross_val_score, grid_search


@pytest.mark.parametrize("n", [10, 23, 150])
@pytest.mark.parametrize("shuffle,seed", [(False, None), (True, 0), (True, 12345)])
@pytest.mark.parametrize("ours,ref", [(KFold, sk.KFold), (StratifiedKFold, sk.StratifiedKFold)])
def test_split_indices_identical_to_sklearn(n, shuffle, seed, ours, ref):
    rng = np.random.default_rng(n)
    y = rng.choice(["b", "a", "c"], size=n, p=[0.5, 0.3, 0.2])
    y[:3] = ["c", "a", "b"]
    X = np.zeros((n, 1))
    a = list(ours(3, shuffle=shuffle, seed=seed).split(X, y))
    b = list(ref(3, shuffle=shuffle, random_state=seed).split(X, y))
    assert len(a) == len(b) == 3
    for (tr, te), (rtr, rte) in zip(a, b):
        np.testing.assert_array_equal(tr, rtr)
        np.testing.assert_array_equal(te, rte)


def test_cross_val_score_matches_separate_fits_and_sklearn(x64):
    X, y = tabular("breast_cancer")
    cv = StratifiedKFold(5, shuffle=True, seed=0)
    scores = cross_val_score(LogisticRegression(C=0.5, tol=1e-7), X, y, cv=cv)
    chex.assert_shape(scores, (5,))
    for k, (tr, te) in enumerate(cv.split(X, y)):
        single = LogisticRegression(C=0.5, tol=1e-7).fit(X[tr], y[tr]).score(X[te], y[te])
        assert abs(scores[k] - single) < 1e-12
    ref = sk.cross_val_score(SkLogistic(C=0.5, tol=1e-6, max_iter=2000), X, y,
                             cv=sk.StratifiedKFold(5, shuffle=True, random_state=0))
    np.testing.assert_allclose(scores, ref, atol=0.01 + 1e-9)


def test_grid_search_table_equals_individual_fits(x64):
    X, y = tabular("wine")
    Cs = np.logspace(-3, 1, 4)
    table = grid_search(LogisticRegression(tol=1e-6), X, y, {"C": Cs}, cv=3)
    chex.assert_shape(table, (4, 3))
    for i, C in enumerate(Cs):
        np.testing.assert_allclose(table[i], cross_val_score(LogisticRegression(C=C, tol=1e-6), X, y, cv=3),
                                   atol=1e-12)
    ridge = grid_search(Ridge(), X, y.astype(float), {"alpha": [0.1, 10.0]}, cv=KFold(3))   # regressors: R^2
    chex.assert_shape(ridge, (2, 3))
    assert np.all(ridge < 1.0)


def test_grid_search_rejects_unknown_hyperparameter():
    X, y = tabular("iris")
    with pytest.raises(ValueError, match="cannot vmap over"):
        grid_search(GaussianNB(), X, y, {"C": [1.0]})
    with pytest.raises(ValueError, match="same length"):
        grid_search(ElasticNet(), X, y.astype(float), {"alpha": [1.0, 2.0], "l1_ratio": [0.1]})
