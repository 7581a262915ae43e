"""Principal component analysis, with whitening and ``inverse_transform``.

Two exact solvers: ``"svd"`` (thin SVD of the centred data) and ``"covariance_eigh"`` (eigen-decomposition
of the ``d x d`` covariance: much faster when ``n >> d``, e.g. MNIST; loses precision on the smallest
components in float32). ``"auto"`` picks ``covariance_eigh`` when ``n >= 10 d``. Signs follow
scikit-learn's convention: the largest-magnitude entry of each component is positive.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from flax import struct

from jaxzoo.classical.base import NotFittedError, check_number, check_option, check_X, jitted


@struct.dataclass
class PCAModel:
    mean: jax.Array                        # (d,)
    components: jax.Array                  # (k, d)
    explained_variance: jax.Array          # (k,)
    explained_variance_ratio: jax.Array    # (k,)
    singular_values: jax.Array             # (k,)
    whiten: bool = struct.field(pytree_node=False)


def fit(X, *, n_components, whiten=False, solver="svd"):
    n = X.shape[0]
    mean = jnp.mean(X, 0)
    Xc = X - mean
    if solver == "covariance_eigh":
        evals, evecs = jnp.linalg.eigh(Xc.T @ Xc)
        evals, Vt = jnp.maximum(evals[::-1], 0.0), evecs[:, ::-1].T
        s = jnp.sqrt(evals)
    else:
        _, s, Vt = jnp.linalg.svd(Xc, full_matrices=False)
    signs = jnp.sign(Vt[jnp.arange(Vt.shape[0]), jnp.argmax(jnp.abs(Vt), 1)])
    Vt = Vt * jnp.where(signs == 0, 1.0, signs)[:, None]
    var = s ** 2 / (n - 1)
    total = jnp.sum(jnp.var(Xc, 0, ddof=1))
    k = n_components
    return PCAModel(mean, Vt[:k], var[:k], var[:k] / total, s[:k], bool(whiten))


_fit_jit = jax.jit(fit, static_argnames=("n_components", "whiten", "solver"))


def transform(model, X):
    Z = (X - model.mean) @ model.components.T
    return Z / jnp.sqrt(model.explained_variance) if model.whiten else Z


def inverse_transform(model, Z):
    if model.whiten:
        Z = Z * jnp.sqrt(model.explained_variance)
    return Z @ model.components + model.mean


class PCA:
    """``PCA(n_components=2, whiten=False).fit(X).transform(X)``; ``inverse_transform`` maps back."""

    def __init__(self, n_components=None, whiten=False, solver="auto"):
        if n_components is not None:
            check_number("n_components", n_components, integer=True)
        check_option("solver", solver, ("auto", "svd", "covariance_eigh"))
        self.n_components, self.whiten, self.solver = n_components, bool(whiten), solver

    def fit(self, X):
        X = check_X(X)
        n, d = X.shape
        k = min(n, d) if self.n_components is None else self.n_components
        if k > min(n, d):
            raise ValueError(f"n_components={k} must be <= min(n_samples, n_features) = {min(n, d)}")
        if n < 2:
            raise ValueError("PCA needs at least 2 samples")
        solver = self.solver if self.solver != "auto" else ("covariance_eigh" if n >= 10 * d else "svd")
        self.n_features_in_ = d
        self.model_ = _fit_jit(X, n_components=k, whiten=self.whiten, solver=solver)
        for name in ("mean", "components", "explained_variance", "explained_variance_ratio", "singular_values"):
            setattr(self, name + "_", np.asarray(getattr(self.model_, name)))
        return self

    def _check(self, X, width, what):
        if not hasattr(self, "model_"):
            raise NotFittedError("this PCA is not fitted yet; call fit(X) first")
        X = check_X(X)
        if X.shape[1] != width:
            raise ValueError(f"{what} has {X.shape[1]} columns, expected {width}")
        return X

    def transform(self, X):
        X = self._check(X, getattr(self, "n_features_in_", 0), "X")
        return np.asarray(jitted(transform)(self.model_, X))

    def fit_transform(self, X):
        return self.fit(X).transform(X)

    def inverse_transform(self, Z):
        Z = self._check(Z, len(getattr(self, "components_", ())), "the transformed data")
        return np.asarray(jitted(inverse_transform)(self.model_, Z))
