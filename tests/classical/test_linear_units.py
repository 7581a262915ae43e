"""Perceptron and Adaline: classic update rules, convergence on separable data, one-vs-rest."""

import chex
import numpy as np
import pytest
from conftest import tabular

from jaxzoo.classical.linear_units import Adaline, Perceptron


def separable(n=200, d=3, margin=0.3, seed=0):
    rng = np.random.default_rng(seed)
    w = rng.normal(size=d)
    X = rng.normal(size=(4 * n, d))
    s = X @ w / np.linalg.norm(w)
    keep = np.abs(s) > margin
    return X[keep][:n], (s[keep][:n] > 0).astype(int)


@pytest.mark.parametrize("solver", ["sgd", "cyclic"])
def test_perceptron_converges_on_separable_data(solver):
    X, y = separable()
    m = Perceptron(lr=0.1, n_epochs=100, solver=solver).fit(X, y)
    hist = np.asarray(m.history_)
    chex.assert_shape(hist, (1, 100))
    assert hist[0, -1] == 0 and m.score(X, y) == 1.0          # perceptron convergence theorem
    assert hist[0, 0] >= hist[0, -1]


def test_adaline_gd_reaches_the_least_squares_solution(x64):
    X, y = separable(margin=0.5)
    m = Adaline(lr=0.1, n_epochs=2000, solver="gd").fit(X, y)
    A = np.c_[X, np.ones(len(X))]
    ls = np.linalg.lstsq(A, 2.0 * y - 1, rcond=None)[0]
    np.testing.assert_allclose(np.asarray(m.model_.coef[0]), ls[:-1], atol=1e-6)
    np.testing.assert_allclose(float(m.model_.intercept[0]), ls[-1], atol=1e-6)
    assert np.all(np.diff(np.asarray(m.history_[0])) <= 1e-12)  # full-batch LMS: the MSE never rises
    assert m.score(X, y) == 1.0


def test_adaline_sgd_classifies_separable_data():
    X, y = separable(margin=0.5)
    m = Adaline(lr=0.01, n_epochs=30, solver="sgd").fit(X, y, seed=3)
    assert m.score(X, y) >= 0.98
    assert np.asarray(m.history_)[0, -1] < np.asarray(m.history_)[0, 0]


@pytest.mark.parametrize("cls", [Perceptron, Adaline])
def test_one_vs_rest_on_iris(cls):
    X, y = tabular("iris")
    m = cls(lr=0.01, n_epochs=50).fit(X, y)
    chex.assert_shape(m.model_.coef, (3, 4))                   # one unit per class
    assert m.score(X, y) >= 0.8
