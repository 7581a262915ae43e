"""PCA: components equal to scikit-learn's up to sign, explained variance ratio within 1e-6."""

import chex
import numpy as np
import pytest
from conftest import tabular
from sklearn.decomposition import PCA as SkPCA

from jaxzoo.classical.decomposition import PCA


@pytest.mark.parametrize("name", ["digits", "wine", "breast_cancer"])
@pytest.mark.parametrize("solver", ["svd", "covariance_eigh"])
def test_matches_sklearn(name, solver, x64):
    X, _ = tabular(name, standardize=False)
    k = 10
    ours = PCA(k, solver=solver).fit(X)
    ref = SkPCA(k, svd_solver="full").fit(X)
    chex.assert_shape(ours.components_, (k, X.shape[1]))
    np.testing.assert_allclose(ours.explained_variance_ratio_, ref.explained_variance_ratio_, atol=1e-6)
    np.testing.assert_allclose(ours.explained_variance_, ref.explained_variance_, rtol=1e-6)
    signs = np.sign(np.sum(ours.components_ * ref.components_, 1))
    np.testing.assert_allclose(ours.components_ * signs[:, None], ref.components_, atol=1e-6)
    np.testing.assert_allclose(np.abs(ours.transform(X)), np.abs(ref.transform(X)), atol=1e-6 * np.abs(X).max())


def test_whitening_and_inverse_transform(x64):
    X, _ = tabular("wine", standardize=False)
    ours = PCA(5, whiten=True).fit(X)
    ref = SkPCA(5, whiten=True, svd_solver="full").fit(X)
    Z = ours.transform(X)
    np.testing.assert_allclose(np.cov(Z.T), np.eye(5), atol=1e-8)            # whitened: unit covariance
    np.testing.assert_allclose(ours.inverse_transform(Z), ref.inverse_transform(ref.transform(X)),
                               atol=1e-8 * np.abs(X).max())
    full = PCA().fit(X)                                                       # all components: lossless
    np.testing.assert_allclose(full.inverse_transform(full.transform(X)), X, atol=1e-8 * np.abs(X).max())
