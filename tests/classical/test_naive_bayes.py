"""Gaussian naive Bayes: predict_proba within 1e-6 of scikit-learn's GaussianNB."""

import chex
import numpy as np
import pytest
from conftest import split, tabular
from sklearn.naive_bayes import GaussianNB as SkGaussianNB

from jaxzoo.classical.naive_bayes import GaussianNB


@pytest.mark.parametrize("name", ["digits", "iris", "wine", "breast_cancer"])
def test_predict_proba_matches_sklearn(name, x64):
    X, y = tabular(name, standardize=False)
    Xtr, ytr, Xte, _ = split(X, y)
    ours = GaussianNB().fit(Xtr, ytr)
    ref = SkGaussianNB().fit(Xtr, ytr)
    p = ours.predict_proba(Xte)
    chex.assert_shape(p, (len(Xte), len(np.unique(y))))
    np.testing.assert_allclose(p, ref.predict_proba(Xte), atol=1e-6)
    np.testing.assert_array_equal(ours.predict(Xte), ref.predict(Xte))
    np.testing.assert_allclose(np.asarray(ours.model_.theta), ref.theta_, rtol=1e-9, atol=1e-12)


def test_integer_weights_equal_repeated_rows(x64):
    X, y = tabular("iris")
    w = np.random.default_rng(1).integers(1, 4, len(y))
    rep = np.repeat(np.arange(len(y)), w)
    a = GaussianNB().fit(X, y, sample_weight=w).predict_proba(X)
    b = GaussianNB().fit(X[rep], y[rep]).predict_proba(X)
    np.testing.assert_allclose(a, b, atol=1e-9)
