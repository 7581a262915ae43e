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


class PureFunctionTest(chex.TestCase):
    """The pure ``fit`` / ``predict_proba`` pair gives the same model with and without ``jit``."""

    @chex.variants(with_jit=True, without_jit=True)
    def test_fit_and_predict_proba(self):
        from jaxzoo.classical import naive_bayes
        X, y = tabular("iris")
        X = X.astype(np.float32)
        fit = self.variant(lambda X, y: naive_bayes.fit(X, y, n_classes=3))
        model = fit(X, y)
        chex.assert_shape(model.theta, (3, 4))
        chex.assert_tree_all_finite(model)
        p = self.variant(naive_bayes.predict_proba)(model, X)
        np.testing.assert_allclose(p, SkGaussianNB().fit(X, y).predict_proba(X), atol=1e-4)
