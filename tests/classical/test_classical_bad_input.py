"""Bad input to the classical estimators: one clear ValueError naming what was wrong."""

import numpy as np
import pytest

from jaxzoo.classical import (
    PCA,
    TSNE,
    Bagging,
    GaussianNB,
    KFold,
    KMeans,
    KNeighborsClassifier,
    Lasso,
    LogisticRegression,
    NotFittedError,
    Perceptron,
    Ridge,
    StratifiedKFold,
    Voting,
)

X = np.random.default_rng(0).normal(size=(20, 3))
y = np.arange(20) % 2


@pytest.mark.parametrize("Xb,yb,match", [
    (np.where(np.eye(20, 3) > 0, np.nan, X), y, "NaN or Inf"),
    (np.where(np.eye(20, 3) > 0, np.inf, X), y, "NaN or Inf"),
    (X, y[:-1], "different lengths"),
    (X, np.zeros(20, int), "single class"),
    (X[:, 0], y, "must be 2-D"),
    (X[None], y, "must be 2-D"),
    (X.astype(str), y, "must hold numbers"),
    (X.astype(complex), y, "must be real"),
    (X, y[:, None], "must be 1-D"),
    (X, np.where(np.arange(20) == 3, np.nan, y * 1.0), "NaN or Inf"),
])
@pytest.mark.parametrize("est", [LogisticRegression(), GaussianNB(), KNeighborsClassifier(3), Perceptron()])
def test_fit_rejects_bad_arrays(est, Xb, yb, match):
    with pytest.raises(ValueError, match=match):
        est.fit(Xb, yb)


def test_regressor_rejects_non_numeric_targets():
    with pytest.raises(ValueError, match="must hold numbers"):
        Ridge().fit(X, np.array(["a"] * 20))


@pytest.mark.parametrize("est", [LogisticRegression(), Lasso(), KNeighborsClassifier()])
def test_predict_before_fit(est):
    with pytest.raises(NotFittedError, match="not fitted"):
        est.predict(X)
    assert issubclass(NotFittedError, ValueError)


@pytest.mark.parametrize("obj", [PCA(), KMeans(2)])
def test_unsupervised_before_fit(obj):
    with pytest.raises(NotFittedError, match="not fitted"):
        obj.transform(X) if isinstance(obj, PCA) else obj.predict(X)


def test_wrong_number_of_features_at_predict():
    m = GaussianNB().fit(X, y)
    with pytest.raises(ValueError, match="3"):
        m.predict(X[:, :2])


@pytest.mark.parametrize("make,match", [
    (lambda: LogisticRegression(penalty="l3"), "penalty must be one of"),
    (lambda: LogisticRegression(C=-1.0), "C must be > 0"),
    (lambda: LogisticRegression(C=float("nan")), "C must be a finite"),
    (lambda: LogisticRegression(max_iter=2.5), "max_iter must be a finite integer"),
    (lambda: KNeighborsClassifier(weights="cosine"), "weights must be one of"),
    (lambda: KNeighborsClassifier(0), "n_neighbors must be > 0"),
    (lambda: Ridge(solver="svd"), "solver must be one of"),
    (lambda: PCA(solver="arpack"), "solver must be one of"),
    (lambda: KFold(1), "n_splits must be >= 2"),
    (lambda: KFold(3, seed=1), "seed has no effect"),
    (lambda: Bagging("lr"), "must be a jaxzoo estimator"),
    (lambda: Voting([("lr", LogisticRegression())], voting="mean"), "voting must be one of"),
    (lambda: TSNE(perplexity=0), "perplexity must be > 0"),
    (lambda: Perceptron(solver="gd"), "solver must be one of"),
])
def test_unknown_options(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_size_limits():
    with pytest.raises(ValueError, match="n_neighbors=30"):
        KNeighborsClassifier(30).fit(X, y)
    with pytest.raises(ValueError, match="n_components=5"):
        PCA(5).fit(X)
    with pytest.raises(ValueError, match="n_clusters=30"):
        KMeans(30).fit(X)
    with pytest.raises(ValueError, match="n_splits=30"):
        list(StratifiedKFold(30).split(X, y))
    with pytest.raises(ValueError, match="perplexity"):
        TSNE(perplexity=50).fit_transform(X)
