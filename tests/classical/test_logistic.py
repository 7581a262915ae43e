"""Logistic regression against scikit-learn's LogisticRegression at matched C."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import split, tabular
from sklearn.linear_model import LogisticRegression as SkLogistic

from jaxzoo.classical import logistic
from jaxzoo.classical.logistic import LogisticRegression

DATASETS = ["breast_cancer", "iris", "wine", "digits"]


@pytest.mark.parametrize("name", DATASETS)
def test_l2_matches_sklearn_accuracy_and_coefficients(name, x64):
    X, y = tabular(name)
    Xtr, ytr, Xte, yte = split(X, y)
    ours = LogisticRegression(C=1.0, max_iter=5000, tol=1e-7).fit(Xtr, ytr)
    tight = name != "digits"            # lbfgs to 1e-7 on 64-feature digits costs tens of seconds
    ref = SkLogistic(C=1.0, max_iter=5000 if tight else 1000, tol=1e-7 if tight else 1e-4).fit(Xtr, ytr)
    assert abs(ours.score(Xte, yte) - ref.score(Xte, yte)) <= 0.01
    assert abs(ours.score(Xtr, ytr) - ref.score(Xtr, ytr)) <= 0.01
    if not tight:
        return
    # strictly convex (L2): the minimiser is unique, so the coefficients agree
    scale = np.abs(ref.coef_).max()
    np.testing.assert_allclose(np.asarray(ours.coef_), ref.coef_, atol=1e-3 * scale)
    np.testing.assert_allclose(np.asarray(ours.intercept_), ref.intercept_, atol=1e-3 * scale)
    np.testing.assert_allclose(ours.predict_proba(Xte), ref.predict_proba(Xte), atol=1e-4)


@pytest.mark.parametrize("name", DATASETS[:3] + [pytest.param("digits", marks=pytest.mark.slow)])
def test_l1_matches_sklearn_accuracy(name, x64):
    X, y = tabular(name)
    Xtr, ytr, Xte, yte = split(X, y)
    ours = LogisticRegression(C=0.5, penalty="l1", max_iter=3000, tol=1e-6).fit(Xtr, ytr)
    ref = SkLogistic(C=0.5, l1_ratio=1.0, solver="saga", max_iter=1000, tol=1e-4).fit(Xtr, ytr)
    assert abs(ours.score(Xte, yte) - ref.score(Xte, yte)) <= 0.01
    coef = np.asarray(ours.coef_)
    assert np.mean(coef == 0) > 0.1, "the L1 proximal step should zero some coefficients"


def test_binary_shapes_and_probabilities_sum_to_one():
    X, y = tabular("breast_cancer")
    m = LogisticRegression(max_iter=200).fit(X, y)
    chex.assert_shape(m.coef_, (1, X.shape[1]))
    p = m.predict_proba(X[:7])
    chex.assert_shape(p, (7, 2))
    np.testing.assert_allclose(p.sum(1), 1.0, rtol=1e-5)
    assert set(np.unique(m.predict(X))) <= {0, 1}


def test_vmap_over_C_equals_separate_fits():
    X, y = tabular("iris")
    X, y = jnp.asarray(X, jnp.float32), jnp.asarray(y)
    Cs = jnp.asarray([0.01, 1.0, 10.0])

    def fit(C):
        return logistic.fit(X, y, C=C, n_classes=3, max_iter=300)

    batched = jax.jit(jax.vmap(fit))(Cs)
    for i, C in enumerate(Cs):
        single = jax.jit(fit)(C)
        chex.assert_trees_all_close(batched.coef[i], single.coef, atol=1e-4)
    # more regularisation, smaller weights
    norms = jnp.linalg.norm(batched.coef.reshape(3, -1), axis=1)
    assert norms[0] < norms[1] < norms[2]


def test_early_stopping_stops_and_keeps_the_best_validation_loss():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 60))
    y = (X[:, 0] + 0.5 * rng.normal(size=120) > 0).astype(int)       # 59 noise features: easy to overfit
    m = LogisticRegression(C=1e4, early_stopping=True, validation_fraction=0.3, patience=3,
                           max_iter=5000).fit(X, y)
    hist = m.model_.history
    n_iter = int(hist.n_iter)
    assert n_iter < 5000
    val = np.asarray(hist.val_loss)
    seen = val[~np.isnan(val)]
    assert len(seen) >= 4 and np.argmin(seen) == len(seen) - 4      # stopped 3 evaluations after the best
    assert seen[-1] > seen.min()
