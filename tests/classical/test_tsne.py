"""t-SNE: trustworthiness on digits within 0.02 of scikit-learn's TSNE."""

import numpy as np
import pytest
from conftest import tabular
from sklearn.manifold import TSNE as SkTSNE
from sklearn.manifold import trustworthiness

from jaxzoo.classical.manifold import TSNE


@pytest.mark.slow
def test_trustworthiness_on_digits_close_to_sklearn():
    X, _ = tabular("digits", standardize=False)
    X = X[:500]                      # a 500-image subset keeps scikit-learn's side to seconds on 2 cores
    ours = TSNE(perplexity=30, seed=0)
    Y = ours.fit_transform(X)
    assert Y.shape == (500, 2) and np.all(np.isfinite(Y))
    ref = SkTSNE(perplexity=30, random_state=0).fit_transform(X)
    t_ours, t_ref = trustworthiness(X, Y, n_neighbors=5), trustworthiness(X, ref, n_neighbors=5)
    assert t_ours >= t_ref - 0.02 and t_ours > 0.95
    assert ours.kl_history_[-1] < ours.kl_history_[300]      # KL keeps falling after exaggeration ends
