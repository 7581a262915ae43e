"""Linear regression, ridge, lasso and elastic net against scikit-learn on diabetes (relative 1e-3)."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from sklearn import linear_model as sk
from sklearn.datasets import load_diabetes

from jaxzoo.classical import linear
from jaxzoo.classical.linear import ElasticNet, Lasso, LinearRegression, Ridge


@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(return_X_y=True)


def assert_rel(ours, ref, rtol=1e-3):
    ours, ref = np.asarray(ours), np.asarray(ref)
    assert np.abs(ours - ref).max() <= rtol * np.abs(ref).max(), (ours, ref)


@pytest.mark.parametrize("solver", ["closed_form", "gd"])
def test_ordinary_least_squares(diabetes, solver, x64):
    X, y = diabetes
    ours = LinearRegression(solver=solver, max_iter=100000, tol=1e-6).fit(X, y)
    ref = sk.LinearRegression().fit(X, y)
    assert_rel(ours.coef_, ref.coef_)
    assert_rel(ours.intercept_, ref.intercept_)
    assert abs(ours.score(X, y) - ref.score(X, y)) < 1e-6


@pytest.mark.parametrize("alpha", [0.01, 1.0])
def test_ridge(diabetes, alpha, x64):
    X, y = diabetes
    assert_rel(Ridge(alpha).fit(X, y).coef_, sk.Ridge(alpha).fit(X, y).coef_)
    assert_rel(Ridge(alpha, solver="gd", max_iter=100000, tol=1e-6).fit(X, y).coef_,
               sk.Ridge(alpha).fit(X, y).coef_)


@pytest.mark.parametrize("alpha", [0.01, 0.1, 1.0])
def test_lasso_and_elastic_net(diabetes, alpha, x64):
    X, y = diabetes
    ref = sk.Lasso(alpha=alpha, tol=1e-10, max_iter=100000).fit(X, y)
    ours = Lasso(alpha).fit(X, y)
    assert_rel(ours.coef_, ref.coef_)
    assert_rel(ours.intercept_, ref.intercept_)
    np.testing.assert_array_equal(np.asarray(ours.coef_) == 0, ref.coef_ == 0)
    ref = sk.ElasticNet(alpha=alpha, l1_ratio=0.7, tol=1e-10, max_iter=100000).fit(X, y)
    assert_rel(ElasticNet(alpha, l1_ratio=0.7).fit(X, y).coef_, ref.coef_)


def test_sample_weights_equal_repeated_rows(diabetes, x64):
    X, y = diabetes
    w = np.random.default_rng(0).integers(0, 3, len(y)).astype(float)
    rep = np.repeat(np.arange(len(y)), w.astype(int))
    for est in (Ridge(0.5), Lasso(0.05)):
        a = type(est)(alpha=est.alpha).fit(X, y, sample_weight=w).coef_
        b = type(est)(alpha=est.alpha).fit(X[rep], y[rep]).coef_
        assert_rel(a, b, 1e-6)


def test_vmapped_lasso_path_equals_separate_fits(diabetes):
    X, y = (jnp.asarray(a, jnp.float32) for a in diabetes)
    w = jnp.ones(len(y))
    alphas = jnp.asarray([0.01, 0.1, 1.0])
    path = jax.jit(jax.vmap(lambda a: linear.elastic_net_fit(X, y, w, alpha=a, l1_ratio=1.0, tol=1e-6)))(alphas)
    chex.assert_shape(path.coef, (3, X.shape[1]))
    for i, a in enumerate(alphas):
        single = linear.elastic_net_fit(X, y, w, alpha=a, l1_ratio=1.0, tol=1e-6)
        chex.assert_trees_all_close(path.coef[i], single.coef, rtol=1e-4, atol=1e-2)
    assert jnp.sum(path.coef[0] != 0) >= jnp.sum(path.coef[2] != 0)     # stronger L1, sparser
