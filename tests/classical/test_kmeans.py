"""k-means: inertia within 1% of scikit-learn's KMeans; restarts vmapped."""

import chex
import numpy as np
import pytest
from conftest import tabular
from sklearn.cluster import KMeans as SkKMeans

from jaxzoo.classical.clustering import KMeans


@pytest.mark.parametrize("name,k", [("digits", 10), ("iris", 3)])
def test_inertia_within_one_percent_of_sklearn(name, k):
    X, _ = tabular(name, standardize=False)
    ours = KMeans(k, n_init=10, seed=0).fit(X)
    ref = SkKMeans(k, n_init=10, random_state=0).fit(X)
    assert ours.inertia_ <= 1.01 * ref.inertia_
    chex.assert_shape(ours.cluster_centers_, (k, X.shape[1]))
    # the reported inertia is the sum of squared distances to the assigned centres
    d = ((X - ours.cluster_centers_[ours.labels_]) ** 2).sum()
    np.testing.assert_allclose(ours.inertia_, d, rtol=1e-4)


def test_more_restarts_never_worse():
    X, _ = tabular("wine")
    one = KMeans(4, n_init=1, seed=3).fit(X).inertia_
    many = KMeans(4, n_init=8, seed=3).fit(X).inertia_
    assert many <= one * (1 + 1e-6)
